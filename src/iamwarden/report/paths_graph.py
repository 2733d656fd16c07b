"""Escalation paths (the document ``iamwarden paths --format json`` prints) as a graph: Graphviz DOT or Mermaid.

Nodes are the principals on the paths, named short (``role/deploy``: the graph's title names the account); an edge
is one hop, labelled with its pathfinding.cloud technique ids. Principals that become administrators (or the
``--to`` target) are drawn apart: double circle in DOT, a stadium shape in Mermaid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from iamwarden.report.arns import short_arn


def _edges(document: Mapping[str, Any]) -> tuple[dict[tuple[str, str], list[str]], set[str], set[str]]:
    """(from, to) -> techniques; the starting principals; the goals reached (administrator or --to target)."""
    account = document["account"]
    edges: dict[tuple[str, str], list[str]] = {}
    starts: set[str] = set()
    goals: set[str] = set()
    for entry in document["principals"]:
        for path in entry.get("paths", []):
            starts.add(short_arn(entry["principal"], account))
            for hop in path["hops"]:
                key = (short_arn(hop["from"], account), short_arn(hop["to"], account))
                techniques = edges.setdefault(key, [])
                if hop["technique"] not in techniques:
                    techniques.append(hop["technique"])
            if path.get("outcome") != "lateral":
                goals.add(short_arn(path["hops"][-1]["to"], account))
    return edges, starts, goals


def to_dot(document: Mapping[str, Any]) -> str:
    edges, starts, goals = _edges(document)
    goal = "administrator" if document["to"] == "admin" else short_arn(document["to"], document["account"])
    lines = [
        "digraph escalation {",
        f'  label="Escalation paths to {goal} in account {document["account"]}";',
        "  rankdir=LR;",
        "  node [shape=box];",
    ]
    for node in sorted({n for pair in edges for n in pair}):
        shape = "doublecircle" if node in goals else "box"
        lines.append(f'  "{node}" [shape={shape}{", style=bold" if node in starts else ""}];')
    for (source, target), techniques in edges.items():
        lines.append(f'  "{source}" -> "{target}" [label="{", ".join(techniques)}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(document: Mapping[str, Any]) -> str:
    edges, _, goals = _edges(document)
    ids: dict[str, str] = {}

    def node(name: str) -> str:
        if name not in ids:
            ids[name] = f"n{len(ids)}"
            label = name.replace('"', "#quot;")
            return f'{ids[name]}(["{label}"])' if name in goals else f'{ids[name]}["{label}"]'
        return ids[name]

    lines = ["graph LR"]
    for (source, target), techniques in edges.items():
        label = re.sub(r"[|\"]", "", ", ".join(techniques))
        lines.append(f"  {node(source)} -->|{label}| {node(target)}")
    return "\n".join(lines) + "\n"
