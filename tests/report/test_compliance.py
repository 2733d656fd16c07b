"""The CIS AWS Foundations v6.0.0 compliance view: the requirement data, the mapping, the aggregation."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import orjson
import pytest

from iamwarden.checks.base import Finding, Outcome, Status
from iamwarden.checks.registry import CHECKS, CHECKS_BY_ID
from iamwarden.checks.runner import run_checks
from iamwarden.checks.suppressions import AppliedSuppression, Suppression
from iamwarden.report.compliance import aggregate, compliance_view, load_framework, write_compliance
from tests.checks.harness import build_case_account

DATA = Path(__file__).parents[2] / "src" / "iamwarden" / "report" / "data" / "cis_aws_v6.json"


def test_every_cis_id_a_check_uses_is_in_the_data() -> None:
    known = {r.id for r in load_framework("cis-aws-v6").requirements}
    used = {(c.id, rid) for c in CHECKS for rid in c.metadata.cis_aws_v6}
    assert used, "no check maps to CIS"
    assert sorted((cid, rid) for cid, rid in used if rid not in known) == []


def test_data_covers_sections_2_4_5_in_order_and_names_its_source() -> None:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    assert raw["version"] == "6.0.0" and "prowler-cloud/prowler" in raw["source"]
    reqs = raw["requirements"]
    ids = [r["id"] for r in reqs]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids, key=lambda i: tuple(int(p) for p in i.split(".")))
    assert {r["section"] for r in reqs} == {"2", "4", "5"} == set(raw["sections"])
    assert all(r["id"].split(".")[0] == r["section"] for r in reqs)
    assert all(r["level"] in (1, 2) and r["assessment"] in ("automated", "manual") and r["title"] for r in reqs)
    # section sizes of the v6.0.0 benchmark (2.1-2.21, 4.1-4.9, 5.1-5.16)
    assert [sum(1 for r in reqs if r["section"] == s) for s in "245"] == [21, 9, 16]


def _finding(status: Status, suppressed: bool = False) -> Finding:
    applied = AppliedSuppression(Suppression("*", "*", "r"), expired=False) if suppressed else None
    return Finding(CHECKS_BY_ID["root.mfa_enabled"].metadata, Outcome(status, "arn", ""), applied)


AGGREGATES = [
    ([], "manual"),
    ([Status.PASS, Status.FAIL, Status.UNKNOWN], "fail"),
    ([Status.PASS, Status.UNKNOWN], "unknown"),
    ([Status.PASS, Status.NOT_APPLICABLE], "pass"),
    ([Status.NOT_APPLICABLE, Status.NOT_APPLICABLE], "not_applicable"),
]


@pytest.mark.parametrize(("statuses", "expected"), AGGREGATES)
def test_aggregate(statuses: list[Status], expected: str) -> None:
    assert aggregate([_finding(s) for s in statuses]) == expected


def test_suppressed_results_leave_the_aggregate() -> None:
    assert aggregate([_finding(Status.FAIL, suppressed=True), _finding(Status.PASS)]) == "pass"
    assert aggregate([_finding(Status.FAIL, suppressed=True)]) == "suppressed"


SNAPSHOT = {
    "summary": {"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0, "AccountPasswordPresent": 1},
    "password_policy": {"MinimumPasswordLength": 16, "PasswordReusePrevention": 24},
    "users": [{"name": "alice"}],
}


def test_view_of_an_account(tmp_path: Path) -> None:
    account = build_case_account(SNAPSHOT)
    suppress = Suppression("root.hardware_mfa", "*", "virtual MFA in a safe")
    assessment = run_checks(account, suppressions=[suppress], today=date(2026, 1, 1))
    view = compliance_view(assessment)
    rows = {r.requirement.id: r for r in view.requirements}
    assert rows["2.4"].status == "fail" and rows["2.4"].checks == ("root.mfa_enabled",)
    assert rows["2.3"].status == "pass"
    assert rows["2.5"].status == "suppressed" and rows["2.5"].counts["suppressed"] == 1
    assert rows["2.6"].status == "unknown"  # root last use not collected: never a pass
    assert rows["2.7"].status == "pass"
    assert rows["2.11"].checks == ("credentials.unused_access_keys", "credentials.unused_passwords")
    assert rows["2.1"].status == "manual" and rows["2.1"].checks == ()
    assert rows["5.3"].status == "manual"  # no metric-filter check (yet)
    path = tmp_path / "compliance-cis-aws-v6.json"
    write_compliance(view, assessment, path)
    doc = orjson.loads(path.read_bytes())
    assert doc["framework"]["id"] == "cis-aws-v6" and len(doc["requirements"]) == 46
    assert sum(doc["totals"].values()) == 46
    req = next(r for r in doc["requirements"] if r["id"] == "2.4")
    assert req["results"] == {"pass": 0, "fail": 1, "unknown": 0, "not_applicable": 0, "suppressed": 0}
    assert req["cis_assessment"] == "automated" and req["level"] == 1
    root_mfa = next(f for f in assessment.findings if f.check.id == "root.mfa_enabled")
    assert req["failing_findings"] == [root_mfa.id]
