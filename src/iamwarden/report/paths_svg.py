"""The escalation paths of a scan as a graph the HTML report draws itself: inline SVG laid out here, no script, no
network.

The paths are those ``least_privilege.privilege_escalation`` found (its failing results' evidence, the document
``iamwarden paths --format json`` prints); the graph is :func:`iamwarden.report.paths_graph.edges_of`'s, the one
``paths --format dot|mermaid`` prints. Principals are placed in columns by their distance (in hops) from the
principals nobody reaches, in the order of their predecessors to keep edges from crossing; administrators (the goals)
are outlined, lateral moves dashed, and every edge is labelled with its pathfinding.cloud ids (the actions in its
tooltip). Large accounts are drawn in part: the principals with the shortest paths first, up to :data:`MAX_NODES`
nodes, and the section says how many are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from iamwarden.report.arns import short_arn
from iamwarden.report.paths_graph import Hop, edges_of

CHECK_ID = "least_privilege.privilege_escalation"
MAX_NODES = 60
"""Most principals drawn; ``iamwarden paths --format dot`` draws every one."""

CHAR = 7.3  # width of a character of the graph's 12px monospace labels
NODE_H = 28
ROW = 56
MARGIN = 16
MIN_GAP = 120


@dataclass(frozen=True)
class Node:
    name: str
    x: float
    y: float
    width: float
    kind: str  # "goal" (administrator or --to target), "start" (has paths of its own) or "hop"


@dataclass(frozen=True)
class Edge:
    path: str
    """SVG path data, from the source's right side to the target's left side (a loop above a node for itself)."""
    label: str
    label_x: float
    label_y: float
    title: str
    lateral: bool


def escalation_document(findings: Sequence[Mapping[str, Any]], account: str) -> dict[str, Any]:
    """The paths document (as ``paths --format json`` prints it) of a report's failing, unsuppressed escalation
    results."""
    principals = [
        {"principal": f["resource"], "paths": f["evidence"].get("paths", [])}
        for f in findings
        if f["check"] == CHECK_ID and f["status"] == "fail" and "suppressed" not in f
    ]
    return {"account": account, "to": "admin", "principals": [p for p in principals if p["paths"]]}


def _layers(names: set[str], edges: Mapping[tuple[str, str], Hop]) -> dict[str, int]:
    """Each principal's column: its distance in hops from the principals nothing leads to (breadth first)."""
    into = {t for (s, t) in edges if s != t}
    layer = {n: 0 for n in names if n not in into}
    frontier = sorted(layer) or sorted(names)[:1]
    layer.update({n: 0 for n in frontier})
    while frontier:
        following = []
        for source in frontier:
            for s, t in edges:
                if s == source and t not in layer:
                    layer[t] = layer[s] + 1
                    following.append(t)
        frontier = sorted(following)
    return {n: layer.get(n, 0) for n in names}


def _kept(document: Mapping[str, Any], limit: int) -> tuple[dict[str, Any], int]:
    """The document cut to the principals with the shortest paths whose graph has at most ``limit`` nodes; how many
    principals were left out."""
    entries = sorted(document["principals"], key=lambda e: (min(len(p["hops"]) for p in e["paths"]), e["principal"]))
    kept: list[dict[str, Any]] = []
    for entry in entries:
        trial = {**document, "principals": [*kept, entry]}
        edges, _, _ = edges_of(trial)
        if kept and len({n for pair in edges for n in pair}) > limit:
            break
        kept.append(entry)
    return {**document, "principals": kept}, len(entries) - len(kept)


def escalation_graph(document: Mapping[str, Any], limit: int = MAX_NODES) -> dict[str, Any] | None:
    """What ``_escalation.html.j2`` draws: the SVG's size, nodes and edges, and the paths as text; ``None`` when no
    principal has a path."""
    if not document["principals"]:
        return None
    shown, left_out = _kept(document, limit)
    edges, starts, goals = edges_of(shown)
    names = {n for pair in edges for n in pair}
    layer = _layers(names, edges)
    columns: dict[int, list[str]] = {}
    for name in sorted(names, key=lambda n: (n not in goals, n)):
        columns.setdefault(layer[name], []).append(name)
    row: dict[str, float] = {}
    for number in sorted(columns):  # order each column by where its predecessors sit (fewer crossings)
        before = [[row[s] for (s, t) in edges if t == name and s in row] for name in columns[number]]
        order = sorted(range(len(before)), key=lambda i: (sum(before[i]) / len(before[i]) if before[i] else i, i))
        columns[number] = [columns[number][i] for i in order]
        row.update({name: index for index, name in enumerate(columns[number])})
    width = {n: len(n) * CHAR + 20 for n in names}
    gaps = {
        number: max([MIN_GAP, *(len(_label(hop)) * CHAR + 48 for (s, _), hop in edges.items() if layer[s] == number)])
        for number in columns
    }
    left: dict[int, float] = {}
    x = float(MARGIN)
    for number in sorted(columns):
        left[number] = x
        x += max(width[n] for n in columns[number]) + gaps[number]
    top = MARGIN + 36.0  # room for the loop of a principal's edge to itself, and its label
    nodes = {
        name: Node(name, left[layer[name]], top + row[name] * ROW, width[name], _kind(name, goals, starts))
        for name in names
    }
    drawn = [_edge(nodes[s], nodes[t], hop) for (s, t), hop in edges.items()]
    rows = max(len(c) for c in columns.values())
    return {
        "width": round(x - gaps[max(columns)] + MARGIN),
        "height": round(top + (rows - 1) * ROW + NODE_H + MARGIN + 24),
        "node_height": NODE_H,
        "nodes": sorted(nodes.values(), key=lambda n: (n.x, n.y)),
        "edges": drawn,
        "routes": _routes(shown),
        "principals": len(shown["principals"]),
        "left_out": left_out,
        "lateral": any(e.lateral for e in drawn),
    }


def _kind(name: str, goals: set[str], starts: set[str]) -> str:
    return "goal" if name in goals else "start" if name in starts else "hop"


def _label(hop: Hop) -> str:
    return ", ".join(hop.techniques)


def _edge(source: Node, target: Node, hop: Hop) -> Edge:
    title = "; ".join(f"{technique}: {' + '.join(actions)}" for technique, actions in hop.techniques.items())
    if source is target:  # a principal that makes itself an administrator: a loop above it
        x0, x1, y = source.x + source.width * 0.35, source.x + source.width * 0.65, source.y
        path = f"M{x0:.1f},{y:.1f} C{x0:.1f},{y - 34:.1f} {x1:.1f},{y - 34:.1f} {x1:.1f},{y:.1f}"
        return Edge(path, _label(hop), (x0 + x1) / 2, y - 30, title, hop.lateral)
    x0, y0 = source.x + source.width, source.y + NODE_H / 2
    x1, y1 = target.x, target.y + NODE_H / 2
    if x1 <= x0:  # back to an earlier column: around below both nodes
        low = max(source.y, target.y) + NODE_H + 18
        x0, x1 = source.x + source.width / 2, target.x + target.width / 2
        y0, y1 = source.y + NODE_H, target.y + NODE_H
        path = f"M{x0:.1f},{y0:.1f} C{x0:.1f},{low:.1f} {x1:.1f},{low:.1f} {x1:.1f},{y1:.1f}"
        return Edge(path, _label(hop), (x0 + x1) / 2, low - 2, title, hop.lateral)
    bend = (x1 - x0) / 2
    path = f"M{x0:.1f},{y0:.1f} C{x0 + bend:.1f},{y0:.1f} {x1 - bend:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
    label = _label(hop)  # above the arrow's last, level stretch into the target: clear of the other edges' curves
    return Edge(path, label, x1 - 14 - len(label) * CHAR / 2, y1 - 7, title, hop.lateral)


def _routes(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each drawn route as text (the graph's accessible twin): the principals it goes through, the techniques of its
    first path, how many other technique combinations take the same route, and its outcome."""
    account = document["account"]
    routes: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in document["principals"]:
        for path in entry["paths"]:
            hops = path["hops"]
            steps = [short_arn(entry["principal"], account)]
            steps += ["(itself)" if h["to"] == h["from"] else short_arn(h["to"], account) for h in hops]
            outcome = "lateral move" if path.get("outcome") == "lateral" else "administrator"
            key = (" \u2192 ".join(steps), outcome)
            if key in routes:
                routes[key]["variants"] += 1
                continue
            techniques = " \u2192 ".join(h["technique"] for h in hops)
            routes[key] = {"route": key[0], "outcome": outcome, "techniques": techniques, "variants": 0}
    return list(routes.values())
