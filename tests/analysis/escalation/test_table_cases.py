"""Escalation as table cases (issue 12, "the paths real attackers take that the graph misses"): each YAML file beside
this module holds small accounts, the principal the attacker starts from and the paths expected, each case citing the
documentation page it encodes.

A case: ``users`` / ``groups`` / ``roles`` by name (``inline``: the statements of one inline policy; ``attached``:
managed policy ARNs, ``AdministratorAccess`` for AWS's; ``boundary``: the statements of a permissions boundary;
``groups``; ``tags``; a role's ``trust``: a ``Principal`` value, or ``trust_statements``), ``scps`` (statement lists,
one SCP each), ``from`` (``user/NAME`` or ``role/NAME``), and what is expected: ``paths``, the technique routes of every
path found (``[]``: none), and optionally ``reason`` / ``satisfies`` (texts the first path's reasons / the conditions
its hops say the attacker satisfies must contain), ``uses`` (our ids of the tagging steps the first path needs:
iamwarden-001 ABAC self-tagging, iamwarden-002 tagging the target), ``hops`` (``[from, to]`` short names of the first
path's hops, ``+group`` for a user that joined it) and ``no_path_from`` (principals that must have no path).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.escalation import EscalationGraph, principal_escalation
from tests.analysis.escalation.accounts import ADMIN_POLICY, AccountSpec, doc, trust
from tests.checks.harness import PREFIX

HERE = Path(__file__).parent
FILES = sorted(HERE.glob("*_cases.yaml"))
CASES: list[tuple[str, dict[str, Any]]] = [
    (f"{path.stem.removesuffix('_cases')}: {case['name']}", case)
    for path in FILES
    for case in yaml.safe_load(path.read_text(encoding="utf-8"))
]


def _attached(names: list[str]) -> list[str]:
    return [ADMIN_POLICY if n == "AdministratorAccess" else n for n in names]


def _inline(entry: dict[str, Any]) -> dict[str, Any] | None:
    return {"p": doc(*entry["inline"])} if entry.get("inline") else None


def _account(case: dict[str, Any]) -> AccountSpec:
    spec = AccountSpec()
    for name, g in (case.get("groups") or {}).items():
        spec.group(name, inline=_inline(g), attached=_attached(g.get("attached", [])))
    for name, u in (case.get("users") or {}).items():
        boundary = spec.policy(f"{name}-boundary", doc(*u["boundary"])) if u.get("boundary") else None
        spec.user(
            name,
            inline=_inline(u),
            attached=_attached(u.get("attached", [])),
            groups=u.get("groups", []),
            boundary=boundary,
            tags=u.get("tags"),
        )
    for name, r in (case.get("roles") or {}).items():
        policy = doc(*r["trust_statements"]) if "trust_statements" in r else trust(r["trust"])
        spec.role(name, policy, inline=_inline(r), attached=_attached(r.get("attached", [])), tags=r.get("tags"))
    if case.get("scps"):
        spec.scps(*(doc(*statements) for statements in case["scps"]))
    return spec


def _short(arn: str) -> str:
    return arn.removeprefix(PREFIX)


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[n for n, _ in CASES])
def test_table_case(case: dict[str, Any]) -> None:
    assert case.get("doc", "").startswith("https://"), "every case cites its documentation page"
    graph = EscalationGraph(AnalysisContext(_account(case).build()))
    found = principal_escalation(graph, PREFIX + case["from"])
    routes = sorted({tuple(p.techniques) for p in found.paths})
    assert routes == sorted(tuple(r) for r in case["paths"])
    for other in case.get("no_path_from", []):
        assert not principal_escalation(graph, PREFIX + other).paths, other
    if not found.paths:
        return
    first = found.paths[0].to_json()
    reasons = " | ".join(h["reason"] for h in first["hops"])
    for text in case.get("reason", []):
        assert text in reasons
    satisfied = " | ".join(s for h in first["hops"] for s in h.get("satisfies", []))
    for text in case.get("satisfies", []):
        assert text in satisfied
    uses = sorted({u for h in first["hops"] for u in h.get("uses", [])})
    assert uses == sorted(case.get("uses", []))
    if "hops" in case:
        shown = [
            [_short(h["from"]) + "".join(f" +{_short(g)}" for g in h.get("member_of", [])), _short(h["to"])]
            + ([f"+{_short(h['joins'])}"] if "joins" in h else [])
            for h in first["hops"]
        ]
        assert shown == case["hops"]
