"""Done-criterion of the rule pack: every Stratus Red Team detonation raises its technique's alert, and no alert of
another technique above low (real, anonymised CloudTrail records of the shared corpus)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from iamwarden.detections import RuleSet, detect, load_rules
from tests.corpora import STRATUS

pytestmark = pytest.mark.skipif(not STRATUS.is_dir(), reason="Stratus Red Team corpus not present")
DETONATIONS = sorted(STRATUS.glob("*.json")) if STRATUS.is_dir() else []


@cache
def pack() -> RuleSet:
    return load_rules()


def test_corpus_has_every_detonation() -> None:
    assert len(DETONATIONS) == 35


def test_pack_compiles_whole() -> None:
    rules = pack()
    assert rules.unsupported == []
    techniques = {r.info.technique for r in rules.rules} | {c.info.technique for c in rules.correlations}
    assert {p.stem for p in DETONATIONS} <= techniques
    for info in rules.by_id().values():
        assert info.falsepositives, f"{info.title} states no false positives"
        if info.technique:
            assert info.attack, f"{info.title} names no ATT&CK technique"


@pytest.mark.parametrize("log", DETONATIONS, ids=[p.stem for p in DETONATIONS])
def test_detonation_raises_its_technique_only(log: Path) -> None:
    result = detect([log], pack())
    assert result.report.problems == {}
    technique = log.stem
    own = [a for a in result.alerts if a.rule.technique == technique]
    assert own, f"no alert of {technique}: {[a.rule.name for a in result.alerts]}"
    assert all(a.rule.attack for a in own)
    others = [
        (a.rule.name, a.severity)
        for a in result.alerts
        if a.rule.technique not in (None, technique) and a.rank > 1  # 1 = low
    ]
    assert others == []
    # alerts above low that name no technique are the generic IAM / CIS rules; they must say what they saw
    generic = [a for a in result.alerts if a.rule.technique is None and a.rank > 1]
    assert {a.rule.name for a in generic} <= {"enumeration_access_denied_burst"}
