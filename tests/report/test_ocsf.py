"""OCSF Compliance Findings (class 2003): required attributes and enumerations as the OCSF schema defines them.

Source of the table below: the OCSF schema repository, github.com/ocsf/ocsf-schema, files
``events/base_event.json`` with ``traits/classification.json`` and ``traits/occurrence.json`` (activity_id,
category_uid, class_uid, type_uid, severity_id, time, metadata required), ``events/findings/finding.json``
(finding_info required; status_id 1 New .. 6 Deleted), ``events/findings/compliance_finding.json`` (compliance
required, remediation and resources recommended), ``objects/compliance.json`` (standards required; status_id 1 Pass,
2 Warning, 3 Fail), ``objects/metadata.json`` (product and version required), ``objects/product.json``,
``objects/finding_info.json`` (uid required, title), ``objects/cloud.json`` (provider required),
``objects/remediation.json`` (desc), ``objects/resource_details.json`` (cloud_partition, region with the cloud
profile). AWS Security Hub documents OCSF 1.6 (securityhub/latest/userguide/securityhub-ocsf.html).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from iamwarden.checks.base import Status
from iamwarden.checks.runner import Assessment, run_checks
from iamwarden.checks.suppressions import Suppression
from iamwarden.report.arns import arn_region
from iamwarden.report.ocsf import OCSF_VERSION, ocsf_events, write_ocsf
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

# (object path, attribute, expected type) for every attribute the schema marks required
REQUIRED: list[tuple[str, str, type | tuple[type, ...]]] = [
    ("", "activity_id", int),
    ("", "category_uid", int),
    ("", "class_uid", int),
    ("", "type_uid", int),
    ("", "severity_id", int),
    ("", "time", int),
    ("", "metadata", dict),
    ("", "finding_info", dict),
    ("", "compliance", dict),
    ("metadata", "version", str),
    ("metadata", "product", dict),
    ("metadata.product", "vendor_name", str),
    ("metadata.product", "name", str),
    ("finding_info", "uid", str),
    ("finding_info", "title", str),
    ("compliance", "standards", list),
    ("cloud", "provider", str),
    ("remediation", "desc", str),
]
# (object path, attribute, allowed values)
ENUMS: list[tuple[str, str, set[Any]]] = [
    ("", "activity_id", {0, 1, 2, 3, 99}),
    ("", "category_uid", {2}),
    ("", "class_uid", {2003}),
    ("", "type_uid", {200300, 200301, 200302, 200303, 200399}),
    ("", "severity_id", {0, 1, 2, 3, 4, 5, 6, 99}),
    ("", "status_id", {0, 1, 2, 3, 4, 5, 6, 99}),
    ("compliance", "status_id", {0, 1, 2, 3, 99}),
]


def _get(event: dict[str, Any], path: str) -> dict[str, Any]:
    node = event
    for key in filter(None, path.split(".")):
        node = node[key]
    return node


def assessment() -> Assessment:
    accepted = [Suppression("least_privilege.*", "*", "break-glass admin", owner="secops")]
    return run_checks(build_case_account(SNAPSHOT), suppressions=accepted, today=date(2026, 11, 28))


@pytest.fixture(scope="module")
def events() -> list[dict[str, Any]]:
    return ocsf_events(assessment())


@pytest.mark.parametrize(("path", "name", "kind"), REQUIRED)
def test_required_attributes(events: list[dict[str, Any]], path: str, name: str, kind: type) -> None:
    for event in events:
        value = _get(event, path).get(name)
        assert isinstance(value, kind) and value not in ("", []), (event["finding_info"]["uid"], path, name)


@pytest.mark.parametrize(("path", "name", "allowed"), ENUMS)
def test_enumerations(events: list[dict[str, Any]], path: str, name: str, allowed: set[Any]) -> None:
    assert {_get(e, path)[name] for e in events} <= allowed


def test_one_event_per_result_with_type_uid_from_class_and_activity(events: list[dict[str, Any]]) -> None:
    run = assessment()
    assert len(events) == len(run.findings)
    assert [e["finding_info"]["uid"] for e in events] == [f.id for f in run.findings]
    for event in events:
        assert event["type_uid"] == event["class_uid"] * 100 + event["activity_id"]
        assert event["metadata"]["version"] == OCSF_VERSION
        assert "cloud" in event["metadata"]["profiles"]


def test_values_follow_the_findings(events: list[dict[str, Any]]) -> None:
    run = assessment()
    by_id = {e["finding_info"]["uid"]: e for e in events}
    account = run.account
    seen = set()
    for finding in run.findings:
        event = by_id[finding.id]
        status = {Status.PASS: 1, Status.UNKNOWN: 2, Status.FAIL: 3, Status.NOT_APPLICABLE: 99}[finding.status]
        assert event["compliance"]["status_id"] == status
        seen.add(finding.status)
        assert event["severity"].lower() in (finding.severity.value, "informational")
        assert event["time"] == int(account.collected_at.timestamp() * 1000)
        (resource,) = event["resources"]
        assert resource["uid"] == finding.resource and resource["type"] == finding.resource_type
        assert resource["cloud_partition"] == "aws"
        assert event["cloud"]["account"]["uid"] == account.account_id
        assert event["unmapped"]["check_id"] == finding.check.id
        assert event["unmapped"]["evidence"] == orjson.loads(orjson.dumps(dict(finding.outcome.evidence)))
        assert event["status_id"] == (3 if finding.suppressed else 1)
        if finding.check.cis_aws_v6:
            assert "CIS AWS Foundations Benchmark v6.0.0" in event["compliance"]["standards"]
            assert [f"CIS {c}" for c in finding.check.cis_aws_v6] == event["compliance"]["requirements"][
                : len(finding.check.cis_aws_v6)
            ]
    assert seen == set(Status)
    suppressed = [e for e in events if e["status_id"] == 3]
    assert suppressed and all(e["unmapped"]["suppressed"]["reason"] == "break-glass admin" for e in suppressed)


def test_global_resources_take_the_home_region_regional_ones_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    iam = ocsf_events(assessment())[0]
    assert iam["resources"][0]["region"] == "eu-central-1" and iam["cloud"]["region"] == "eu-central-1"
    assert arn_region("arn:aws:lambda:eu-west-1:111122223333:function:f") == "eu-west-1"
    assert arn_region("arn:aws:iam::111122223333:user/alice") is None


def test_written_file_is_a_json_array(tmp_path: Path) -> None:
    path = tmp_path / "findings.ocsf.json"
    write_ocsf(assessment(), path)
    doc = orjson.loads(path.read_bytes())
    assert isinstance(doc, list) and all(e["class_uid"] == 2003 for e in doc)
    assert [p.name for p in tmp_path.iterdir()] == ["findings.ocsf.json"]  # no temporary file left
