"""ASFF findings for ``aws securityhub batch-import-findings``: the required top-level attributes (AWS Security Hub
User Guide, "Required top-level ASFF attributes"), the documented limits (Title 256 characters, Description 1,024,
Remediation.Recommendation.Text 512, Id 512, AwsAccountId 12, 32 resources and related requirements, ProductFields
50 pairs of keys up to 128 and values up to 2,048 characters, 100 findings per call), and a
real BatchImportFindings call through botocore's parameter validation against the Security Hub service model, to
moto's Security Hub."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import orjson
import pytest
from botocore.exceptions import ParamValidationError
from moto import mock_aws

from iamwarden.checks.base import Finding, Status
from iamwarden.checks.runner import Assessment, run_checks
from iamwarden.checks.suppressions import Suppression
from iamwarden.report.asff import (
    BATCH_MAX,
    DESCRIPTION_MAX,
    ID_MAX,
    LIST_MAX,
    RECOMMENDATION_MAX,
    TITLE_MAX,
    asff_finding,
    asff_findings,
    write_asff,
)
from tests.checks.harness import build_case_account

SNAPSHOT = {
    "summary": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0},
    "users": [{"name": "alice", "attached": ["arn:aws:iam::aws:policy/AdministratorAccess"]}],
    "policies": [
        {
            "arn": "arn:aws:iam::aws:policy/AdministratorAccess",
            "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        }
    ],
    "password_policy": None,
}
REQUIRED = (
    "AwsAccountId",
    "CreatedAt",
    "Description",
    "GeneratorId",
    "Id",
    "ProductArn",
    "Resources",
    "SchemaVersion",
    "Severity",
    "Title",
    "Types",
    "UpdatedAt",
)


def assessment() -> Assessment:
    accepted = [Suppression("least_privilege.*", "*", "break-glass admin")]
    return run_checks(build_case_account(SNAPSHOT), suppressions=accepted, today=date(2026, 11, 28))


@pytest.fixture
def region(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    return "eu-west-1"


def test_required_attributes_and_values(region: str) -> None:
    run = assessment()
    findings = asff_findings(run)
    assert len(findings) == len(run.findings)
    account = run.account.account_id
    for doc, finding in zip(findings, run.findings, strict=True):
        missing = [k for k in REQUIRED if k not in doc or doc[k] in ("", [], {})]
        assert missing == [], (finding.check.id, missing)
        assert doc["SchemaVersion"] == "2018-10-08"
        assert doc["ProductArn"] == f"arn:aws:securityhub:{region}:{account}:product/{account}/default"
        assert doc["GeneratorId"] == f"iamwarden/{finding.check.id}" and finding.id in doc["Id"]
        assert doc["Types"][0] == "Software and Configuration Checks/AWS Security Best Practices"
        assert doc["Severity"]["Label"] in {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
        expected = {Status.PASS: "PASSED", Status.FAIL: "FAILED", Status.UNKNOWN: "WARNING"}
        assert doc["Compliance"]["Status"] == expected.get(finding.status, "NOT_AVAILABLE")
        assert doc["Resources"][0]["Id"] == finding.resource and doc["Resources"][0]["Partition"] == "aws"
        assert doc["RecordState"] == "ACTIVE"
        done = finding.status in (Status.PASS, Status.NOT_APPLICABLE)
        workflow = "SUPPRESSED" if finding.suppressed else "RESOLVED" if done else "NEW"
        assert doc["Workflow"]["Status"] == workflow
    statuses = {d["Workflow"]["Status"] for d in findings}
    assert statuses == {"NEW", "RESOLVED", "SUPPRESSED"}
    root = next(d for d in findings if d["ProductFields"]["iamwarden/CheckId"] == "root.no_access_keys")
    assert root["Compliance"]["RelatedRequirements"] == ["CIS AWS Foundations Benchmark v6.0.0/2.3", "IAM.4"]


def test_limits_are_enforced(region: str) -> None:
    run = assessment()
    base = run.findings[0]
    long_check = replace(
        base.check,
        title="T" * 400,
        why="W" * 3000,
        remediation=replace(base.check.remediation, summary="R" * 900),
        cis_aws_v6=tuple(f"1.{i}" for i in range(40)),
    )
    huge = Finding(long_check, replace(base.outcome, detail="D" * 5000))
    doc = asff_finding(huge, run, region, "2026-11-28T00:00:00.000Z")
    assert len(doc["Title"]) == TITLE_MAX and doc["Title"].endswith("…")
    assert len(doc["Description"]) == DESCRIPTION_MAX
    assert len(doc["Remediation"]["Recommendation"]["Text"]) == RECOMMENDATION_MAX
    assert len(doc["Compliance"]["RelatedRequirements"]) == LIST_MAX
    assert len(doc["Id"]) <= ID_MAX and len(doc["Resources"]) <= LIST_MAX
    fields = doc["ProductFields"]
    assert len(fields) <= 50 and all(isinstance(v, str) and len(k) <= 128 and len(v) <= 2048 for k, v in fields.items())
    assert len(doc["AwsAccountId"]) == 12
    for d in asff_findings(run):
        assert len(d["Title"]) <= TITLE_MAX and len(d["Description"]) <= DESCRIPTION_MAX
        assert len(d["Remediation"]["Recommendation"]["Text"]) <= RECOMMENDATION_MAX


def test_batch_import_findings_accepts_every_finding(tmp_path: Path, region: str) -> None:
    path = tmp_path / "findings.asff.json"
    write_asff(assessment(), path)
    findings: list[dict[str, Any]] = orjson.loads(path.read_bytes())
    with mock_aws():
        client = boto3.client("securityhub", region_name=region)
        imported = 0
        for start in range(0, len(findings), BATCH_MAX):
            # botocore validates each finding against the AwsSecurityFinding shape before sending
            answer = client.batch_import_findings(Findings=findings[start : start + BATCH_MAX])
            assert answer["FailedCount"] == 0, answer["FailedFindings"]
            imported += answer["SuccessCount"]
        assert imported == len(findings)
        stored = client.get_findings(MaxResults=100)["Findings"]
        assert {f["Id"] for f in stored} <= {f["Id"] for f in findings} and stored


def test_validation_can_fail(region: str) -> None:
    """The botocore check is real: a finding without its Resources is refused before it is sent."""
    doc = asff_findings(assessment())[0]
    del doc["Resources"]
    with mock_aws():
        client = boto3.client("securityhub", region_name=region)
        with pytest.raises(ParamValidationError, match="Resources"):
            client.batch_import_findings(Findings=[doc])
