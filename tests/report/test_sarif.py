"""The scan's SARIF 2.1.0 log: validated against the SARIF 2.1.0 JSON Schema (tests/data/sarif-schema-2.1.0.json, the
OASIS errata01 schema), one rule per check, one result per failure, stable fingerprints, locations GitHub accepts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from iamwarden.checks.base import Severity, Status
from iamwarden.checks.runner import Assessment, run_checks
from iamwarden.checks.suppressions import Suppression
from iamwarden.errors import OutputError
from iamwarden.report.sarif import FINGERPRINT, SECURITY_SEVERITY, scan_sarif, write_sarif
from tests.checks.harness import build_case_account

SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text())
SNAPSHOT = {
    "summary": {"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 1, "AccountPasswordPresent": 1},
    "users": [{"name": "alice", "attached": ["arn:aws:iam::aws:policy/AdministratorAccess"]}],
    "policies": [
        {
            "arn": "arn:aws:iam::aws:policy/AdministratorAccess",
            "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        }
    ],
    "password_policy": {"MinimumPasswordLength": 8},
}
TODAY = date(2026, 11, 28)


def assessment() -> Assessment:
    accepted = [
        Suppression("root.mfa_enabled", "*", "hardware token on order", expires=date(2027, 1, 31)),
        Suppression("password_policy.*", "*", "old exception", expires=date(2026, 1, 1)),
    ]
    return run_checks(build_case_account(SNAPSHOT), suppressions=accepted, today=TODAY)


def validate(doc: dict[str, Any]) -> list[str]:
    return [e.message for e in jsonschema.Draft4Validator(SCHEMA).iter_errors(doc)]


def test_scan_sarif_validates_against_the_schema(tmp_path: Path) -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    path = tmp_path / "findings.sarif"
    write_sarif(assessment(), path, artifact="snapshots/account one.json.gz")
    doc = orjson.loads(path.read_bytes())
    assert validate(doc) == []
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-schema-2.1.0.json")
    # the check is real: breaking the log is caught
    del doc["runs"][0]["results"][0]["message"]
    doc["runs"][0]["results"][1]["level"] = "fatal"
    assert len(validate(doc)) >= 2


def test_one_rule_per_check_with_help_and_properties() -> None:
    run = assessment()
    doc = scan_sarif(run)
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [c.id for c in run.checks]
    root = next(r for r in rules if r["id"] == "root.no_access_keys")
    check = next(c.metadata for c in run.checks if c.id == "root.no_access_keys")
    assert root["name"] == "RootNoAccessKeys"
    assert root["shortDescription"]["text"] == check.title
    assert root["fullDescription"]["text"] == check.why
    assert root["help"]["text"].startswith(check.remediation.summary)
    for step in (*check.remediation.cli, *check.remediation.console):
        assert step in root["help"]["text"] and step in root["help"]["markdown"]
    assert root["helpUri"] == check.references[0]
    props = root["properties"]
    assert props["practice"] == 2 and props["severity"] == check.severity.value
    assert props["cis_aws_v6"] == ["2.3"] and props["security_hub"] == ["IAM.4"]
    assert props["security-severity"] == SECURITY_SEVERITY[check.severity]
    assert root["defaultConfiguration"]["level"] == "error"  # critical


def test_results_are_the_failures_with_fingerprints_and_locations() -> None:
    run = assessment()
    doc = scan_sarif(run, artifact="snap.json.gz")
    results = doc["runs"][0]["results"]
    failed = [f for f in run.findings if f.status is Status.FAIL]
    assert len(results) == len(failed) > 0
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    for result, finding in zip(results, failed, strict=True):
        assert result["ruleId"] == finding.check.id
        assert rules[result["ruleIndex"]]["id"] == finding.check.id
        assert result["partialFingerprints"] == {FINGERPRINT: finding.id}
        (location,) = result["locations"]
        assert location["logicalLocations"] == [{"fullyQualifiedName": finding.resource, "kind": "resource"}]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == "snap.json.gz"
        assert finding.resource in result["message"]["text"]
        level = {"critical": "error", "high": "error", "medium": "warning"}.get(finding.severity.value, "note")
        assert result["level"] == level


def test_without_an_input_file_results_have_only_the_logical_location() -> None:
    results = scan_sarif(assessment())["runs"][0]["results"]
    assert all("physicalLocation" not in r["locations"][0] for r in results)
    assert validate(scan_sarif(assessment())) == []


def test_suppressed_failures_are_kept_as_suppressed_and_expired_ones_are_not() -> None:
    results = scan_sarif(assessment())["runs"][0]["results"]
    root = [r for r in results if r["ruleId"] == "root.mfa_enabled"]
    assert root and root[0]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "hardware token on order"}
    ]
    assert root[0]["properties"]["suppressionExpires"] == "2027-01-31"
    expired = [r for r in results if r["ruleId"].startswith("password_policy.")]
    assert expired and all("suppressions" not in r for r in expired)


def test_security_severity_bands_match_github() -> None:
    """GitHub: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low."""
    bands = {Severity.CRITICAL: (9.0, 10.0), Severity.HIGH: (7.0, 8.9), Severity.MEDIUM: (4.0, 6.9)}
    bands |= {Severity.LOW: (0.1, 3.9), Severity.INFO: (0.0, 0.0)}
    for severity, (low, high) in bands.items():
        assert low <= float(SECURITY_SEVERITY[severity]) <= high


def test_unwritable_destination_is_an_output_error_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError) as err:
        write_sarif(assessment(), blocker / "findings.sarif")
    assert str(blocker / "findings.sarif") in str(err.value)
