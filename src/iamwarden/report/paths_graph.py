"""Escalation paths (the document ``iamwarden paths --format json`` prints) as a graph: Graphviz DOT or Mermaid.

Nodes are the principals on the paths, named short (``role/deploy``: the graph's title names the account); an edge
is one hop, labelled with its pathfinding.cloud technique ids. Principals that become administrators (or the
``--to`` target) are drawn apart: double circle in DOT, a stadium shape in Mermaid; hops only lateral moves take
are dashed. :func:`edges_of` is the graph the HTML report draws too (:mod:`iamwarden.report.paths_svg`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from iamwarden.report.arns import short_arn


@dataclass
class Hop:
    """An edge of the graph: every hop from one principal to another, whatever path it is on."""

    techniques: dict[str, list[str]] = field(default_factory=dict)
    """pathfinding.cloud id -> the actions the technique takes."""
    lateral: bool = True
    """Only lateral moves take this hop (no path to the goal does)."""


def edges_of(document: Mapping[str, Any]) -> tuple[dict[tuple[str, str], Hop], set[str], set[str]]:
    """(from, to) -> the hop, principals named short; the starting principals; the goals reached (administrator or
    --to target)."""
    account = document["account"]
    edges: dict[tuple[str, str], Hop] = {}
    starts: set[str] = set()
    goals: set[str] = set()
    for entry in document["principals"]:
        for path in entry.get("paths", []):
            starts.add(short_arn(entry["principal"], account))
            lateral = path.get("outcome") == "lateral"
            for hop in path["hops"]:
                edge = edges.setdefault((short_arn(hop["from"], account), short_arn(hop["to"], account)), Hop())
                edge.techniques.setdefault(hop["technique"], list(hop["actions"]))
                edge.lateral = edge.lateral and lateral
            if not lateral:
                goals.add(short_arn(path["hops"][-1]["to"], account))
    return edges, starts, goals


def to_dot(document: Mapping[str, Any]) -> str:
    edges, starts, goals = edges_of(document)
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
    for (source, target), hop in edges.items():
        style = ", style=dashed" if hop.lateral else ""
        lines.append(f'  "{source}" -> "{target}" [label="{", ".join(hop.techniques)}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(document: Mapping[str, Any]) -> str:
    edges, _, goals = edges_of(document)
    ids: dict[str, str] = {}

    def node(name: str) -> str:
        if name not in ids:
            ids[name] = f"n{len(ids)}"
            label = name.replace('"', "#quot;")
            return f'{ids[name]}(["{label}"])' if name in goals else f'{ids[name]}["{label}"]'
        return ids[name]

    lines = ["graph LR"]
    for (source, target), hop in edges.items():
        label = re.sub(r"[|\"]", "", ", ".join(hop.techniques))
        arrow = "-.->" if hop.lateral else "-->"
        lines.append(f"  {node(source)} {arrow}|{label}| {node(target)}")
    return "\n".join(lines) + "\n"
