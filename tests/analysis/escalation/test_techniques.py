"""Every pathfinding.cloud path, proven on a generated account: exactly the required actions (plus prerequisites)
report its id; the same account without any one of them does not."""

from __future__ import annotations

import pytest

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.escalation import EscalationGraph, Technique, principal_escalation, techniques
from tests.analysis.escalation.accounts import technique_account
from tests.checks.harness import PREFIX

TECHNIQUES = techniques()


def _attacker(technique_principal: str | None) -> str:
    return f"{PREFIX}role/attacker" if technique_principal == "role" else f"{PREFIX}user/attacker"


def _found_ids(technique_id: str, drop: str | None = None) -> list[str]:
    technique = next(t for t in TECHNIQUES if t.id == technique_id)
    account = technique_account(technique, drop)
    graph = EscalationGraph(AnalysisContext(account))
    found = principal_escalation(graph, _attacker(technique.principal))
    return [p.hops[0].technique for p in found.paths]


@pytest.mark.parametrize("technique", TECHNIQUES, ids=[t.id for t in TECHNIQUES])
def test_required_actions_report_the_path(technique: Technique) -> None:
    assert technique.id in _found_ids(technique.id)


@pytest.mark.parametrize(
    ("technique_id", "drop"),
    [(t.id, a) for t in TECHNIQUES for a in t.actions],
    ids=[f"{t.id}-without-{a}" for t in TECHNIQUES for a in t.actions],
)
def test_without_one_required_action_there_is_no_such_path(technique_id: str, drop: str) -> None:
    assert technique_id not in _found_ids(technique_id, drop)
