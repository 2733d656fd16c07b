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
        got = {o.resource: o.status.value for o in check.evaluate(AnalysisContext(account), thresholds)}
        want = {resource(r): s for r, s in expected.items()}
        assert got == want, f"{case_id} {check_id}"


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
