"""The runner: findings for every check, stable ids, per-practice scores by the documented formula."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from iamwarden.analysis.context import AnalysisContext
from iamwarden.checks import runner
from iamwarden.checks.base import Check, Finding, Outcome, Status, failed, passed
from iamwarden.checks.config import Thresholds
from iamwarden.checks.registry import CHECKS, CHECKS_BY_ID
from iamwarden.checks.runner import run_checks, score
from iamwarden.collect.snapshot import read_snapshot
from iamwarden.model import build_account
from tests.checks.harness import build_case_account

SNAPSHOT = {
    "summary": {"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 1, "AccountPasswordPresent": 1},
    "password_policy": {"MinimumPasswordLength": 16, "PasswordReusePrevention": 24},
    "users": [{"name": "alice"}],
}


def test_run_checks_covers_every_check_and_is_deterministic() -> None:
    account = build_case_account(SNAPSHOT)
    first = run_checks(account)
    second = run_checks(account)
    assert {f.check.id for f in first.findings} == {c.id for c in CHECKS}
    assert [(f.id, f.status) for f in first.findings] == [(f.id, f.status) for f in second.findings]
    assert len({f.id for f in first.findings}) == len(first.findings)
    assert [p.number for p in first.practices] == list(range(1, 12))


def test_failures_are_sorted_worst_first() -> None:
    failures = run_checks(build_case_account(SNAPSHOT)).failures()
    ranks = [f.severity.rank for f in failures]
    assert ranks == sorted(ranks) and failures[0].severity.value == "critical"


def test_score_formula() -> None:
    crit = CHECKS_BY_ID["root.mfa_enabled"].metadata  # critical: weight 10
    low = CHECKS_BY_ID["password_policy.complexity"].metadata  # low: weight 1
    findings = [
        Finding(crit, passed("a", "")),
        Finding(low, failed("b", "")),
        Finding(low, Outcome(Status.UNKNOWN, "c", "")),
        Finding(low, Outcome(Status.NOT_APPLICABLE, "d", "")),
    ]
    assert score(findings) == round(100 * 10 / 11)
    assert score(findings[2:]) is None


def test_a_check_reporting_one_resource_twice_is_a_bug() -> None:
    def twice(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
        yield passed("x", "")
        yield failed("x", "")

    check = Check(CHECKS[0].metadata, twice)
    with pytest.raises(ValueError, match="twice"):
        run_checks(build_case_account(SNAPSHOT), checks=[check])


DEMO = Path(__file__).parents[2] / "demo" / "demo-account.json.gz"


def _results(findings: tuple[Finding, ...]) -> list[tuple[str, Outcome]]:
    return [(f.id, f.outcome) for f in findings]


def test_checks_forked_aside_give_the_serial_outcomes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The escalation check evaluated in a forked child (as on a large account) gives outcome for outcome what it
    gives in this process."""
    account = build_account(read_snapshot(DEMO))
    serial = run_checks(account, today=date(2026, 1, 1))
    forks: list[list[str]] = []
    real_fork = runner._fork

    def spy(context: AnalysisContext, thresholds: Thresholds, checks: list[Check]) -> object:
        forks.append([c.id for c in checks])
        return real_fork(context, thresholds, checks)

    monkeypatch.setattr(runner, "PARALLEL_MIN_PRINCIPALS", 0)
    monkeypatch.setattr(runner, "_fork", spy)
    forked = run_checks(account, today=date(2026, 1, 1))
    assert forks == [["least_privilege.privilege_escalation"]]
    assert _results(forked.findings) == _results(serial.findings)
    assert any(f.check.id == "least_privilege.privilege_escalation" and f.outcome.evidence for f in forked.findings)


def test_a_check_failing_in_the_child_raises_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
        raise RuntimeError("broken check")
        yield passed("x", "")

    check = Check(CHECKS[0].metadata, broken)
    monkeypatch.setattr(runner, "PARALLEL_MIN_PRINCIPALS", 0)
    monkeypatch.setattr(runner, "PARALLEL_CHECKS", frozenset({check.id}))
    with pytest.raises(RuntimeError, match="broken check"):
        run_checks(build_case_account(SNAPSHOT), checks=[CHECKS[1], check])
