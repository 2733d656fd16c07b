"""Tests as data: each case in cases/*.yaml is a small snapshot and the exact results expected of some checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamwarden.analysis.context import AnalysisContext
from iamwarden.checks.config import Thresholds
from iamwarden.checks.registry import CHECKS, CHECKS_BY_ID
from tests.checks.harness import build_case_account, resource

CASES_DIR = Path(__file__).parent / "cases"


def _cases() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            yield f"{path.stem}:{case['name']}", case


CASES = list(_cases())


@pytest.mark.parametrize(("case_id", "case"), CASES, ids=[c[0] for c in CASES])
def test_case(case_id: str, case: dict[str, Any]) -> None:
    account = build_case_account(case.get("snapshot", {}))
    thresholds = Thresholds(**case.get("thresholds", {}))
    for check_id, expected in case["expect"].items():
        check = CHECKS_BY_ID[check_id]
        outcomes = list(check.evaluate(AnalysisContext(account), thresholds))
        got = {o.resource: o.status.value for o in outcomes}
        want = {resource(r): s for r, s in expected.items()}
        assert got == want, f"{case_id} {check_id}"
        severities = {o.resource: (o.severity or check.metadata.severity).value for o in outcomes}
        declared = {s.value for s in check.metadata.result_severities}
        assert set(severities.values()) <= declared, f"{case_id} {check_id}: severities undeclared in its metadata"
        for r, severity in case.get("severity", {}).get(check_id, {}).items():
            assert severities[resource(r)] == severity, f"{case_id} {check_id} {r}"


def test_case_names_are_unique() -> None:
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))


def test_every_check_has_pass_fail_and_unknown_cases() -> None:
    seen: dict[str, set[str]] = {c.id: set() for c in CHECKS}
    for _, case in CASES:
        for check_id, expected in case["expect"].items():
            seen[check_id].update(expected.values())
    missing = {cid: sorted({"pass", "fail", "unknown"} - statuses) for cid, statuses in seen.items()}
    assert {cid: m for cid, m in missing.items() if m} == {}


def _misuse_findings(case_id: str, policy: str) -> list[dict[str, Any]]:
    """``conditions.condition_misuse``'s findings on one policy of a case."""
    account = build_case_account(dict(CASES)[case_id]["snapshot"])
    check = CHECKS_BY_ID["conditions.condition_misuse"]
    outcomes = {o.resource: o for o in check.evaluate(AnalysisContext(account), Thresholds())}
    found: list[dict[str, Any]] = outcomes[resource(policy)].evidence["findings"]
    return found


def test_mfa_if_exists_findings_name_the_place_and_the_fix() -> None:
    """Condition misuse on MFA says where it is (the statement's condition) and how to fix it."""
    (age,) = _misuse_findings("08_conditions:condition-misuse-mfa-if-exists", "policy/AgeIfExists")
    assert age["code"] == "ALLOW_MFA_AGE_IF_EXISTS" and "RecentMfa" in age["message"]
    assert age["path"] == '$.Statement[0].Condition.NumericLessThanIfExists["aws:MultiFactorAuthAge"]', age["path"]
    assert "Deny" in age["fix"] and "BoolIfExists" in age["fix"]
    (found,) = _misuse_findings("08_conditions:condition-misuse", "policy/MfaIfExists")
    assert found["code"] == "ALLOW_MFA_BOOL_IF_EXISTS" and found["fix"] == age["fix"]
