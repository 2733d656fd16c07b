"""A well-run account (tests/checks/clean_account.py) has no failure, through ``run_checks`` and ``iamwarden scan``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from iamwarden.checks.base import Status
from iamwarden.checks.registry import CHECKS
from iamwarden.checks.runner import Assessment, run_checks
from iamwarden.cli.app import app
from iamwarden.collect.snapshot import write_snapshot
from tests.checks.clean_account import SSO_ADMIN_ROLE, clean_account_spec, clean_account_without_users_spec
from tests.checks.harness import PREFIX, build_case_account, build_case_snapshot

VARIANTS: dict[str, Callable[[], dict[str, Any]]] = {
    "people-in-groups": clean_account_spec,
    "identity-center-only": clean_account_without_users_spec,
}


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def variant(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def assessment(variant: str) -> Assessment:
    return run_checks(build_case_account(VARIANTS[variant]()))


def _listing(rows: list[tuple[str, str, str]]) -> str:
    return "\n".join(f"  {check} {resource}: {detail}" for check, resource, detail in rows)


def test_clean_account_has_no_failure(assessment: Assessment) -> None:
    failures = [(f.check.id, f.resource, f.detail) for f in assessment.findings if f.status is Status.FAIL]
    assert not failures, "failures on the clean account:\n" + _listing(failures)


def test_clean_account_has_no_unknown(assessment: Assessment) -> None:
    """Everything a check needs is in the fixture, so a missing-evidence result would hide a check's verdict."""
    unknowns = [(f.check.id, f.resource, f.detail) for f in assessment.findings if f.status is Status.UNKNOWN]
    assert not unknowns, "unknown results on the clean account:\n" + _listing(unknowns)


def test_every_practice_scores_100_or_none(assessment: Assessment, variant: str) -> None:
    """100 everywhere; with no IAM users or groups, practice 4 (groups) has nothing to weigh."""
    scores = {p.number: p.score for p in assessment.practices}
    no_groups = {4: None} if variant == "identity-center-only" else {}
    assert scores == {**dict.fromkeys(range(1, 12), 100), **no_groups}


def test_clean_account_lists_its_administrators(assessment: Assessment, variant: str) -> None:
    """A clean account has administrators: each one passes as protected, and the account's result lists them all."""
    admins = [f"{PREFIX}role/break-glass", f"{PREFIX}role/aws-reserved/sso.amazonaws.com/{SSO_ADMIN_ROLE}"]
    if variant == "people-in-groups":
        admins.insert(0, f"{PREFIX}user/dana")
    results = {f.resource: f for f in assessment.findings if f.check.id == "least_privilege.effective_admins"}
    account = results[f"{PREFIX}root"]
    assert account.status is Status.PASS and account.outcome.evidence["administrators"] == admins
    for arn in admins:
        assert results[arn].status is Status.PASS and results[arn].detail.startswith("protected administrator"), arn


def test_clean_account_administrators_are_not_bounded_by_network(assessment: Assessment, variant: str) -> None:
    """No administrator of the clean account is restricted by source IP or VPC (a recommendation, not a requirement):
    each passes ``conditions.admin_network_bounds`` because every use needs MFA or an identity provider's sign-in,
    and its evidence says it is not bounded by network and what protects it."""
    protection = {
        f"{PREFIX}role/break-glass": "assumable only with MFA",
        f"{PREFIX}role/aws-reserved/sso.amazonaws.com/{SSO_ADMIN_ROLE}": "an IAM Identity Center permission set",
    }
    if variant == "people-in-groups":
        protection[f"{PREFIX}user/dana"] = "an MFA device (console sign-in asks for it) and no active access key"
    results = {f.resource: f for f in assessment.findings if f.check.id == "conditions.admin_network_bounds"}
    admins = {arn for arn, f in results.items() if f.status is Status.PASS}
    assert admins == set(protection)
    for arn, how in protection.items():
        evidence = results[arn].outcome.evidence
        assert evidence["network_bounded"] is False and how in str(evidence["protected_by"]), arn


NOTHING_TO_JUDGE = {
    "roles.workload_access_keys": "no programmatic-only user with keys",
}
"""Checks with nothing to look at in a clean account: every one of their results is ``not_applicable``."""


def test_every_check_passes_something() -> None:
    """The account exercises every check: each one passes at least one resource (nothing is vacuously clean)."""
    assessment = run_checks(build_case_account(clean_account_spec()))
    passing = {f.check.id for f in assessment.findings if f.status is Status.PASS}
    assert [c.id for c in CHECKS if c.id not in passing] == sorted(NOTHING_TO_JUDGE, key=[c.id for c in CHECKS].index)
    for check_id in NOTHING_TO_JUDGE:
        statuses = {f.status for f in assessment.findings if f.check.id == check_id}
        assert statuses == {Status.NOT_APPLICABLE}, check_id


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_scan_command_reports_no_failure(tmp_path: Path, name: str) -> None:
    snapshot = tmp_path / "clean.json.gz"
    write_snapshot(build_case_snapshot(VARIANTS[name]()), snapshot)
    report = tmp_path / "findings.json"
    result = CliRunner().invoke(
        app,
        ["scan", "--snapshot", str(snapshot), "--format", "json", "-o", str(report), "--fail-on", "info"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    doc = orjson.loads(report.read_bytes())
    failures = [(f["check"], f["resource"], f["detail"]) for f in doc["findings"] if f["status"] == "fail"]
    assert not failures, "failures on the clean account:\n" + _listing(failures)
    scores = {p["number"]: p["score"] for p in doc["summary"]["practices"]}
    assert all(score in (100, None) for score in scores.values()), scores
    assert len(doc["findings"]) > 50
