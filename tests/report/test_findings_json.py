"""The JSON report holds every result and matches docs/findings.schema.json."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import orjson

from iamwarden.checks.runner import run_checks
from iamwarden.report.findings_json import dumps, write_report
from tests.checks.harness import build_case_account

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "findings.schema.json").read_text())
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


def test_report_matches_the_schema_and_holds_every_result(tmp_path: Path) -> None:
    assessment = run_checks(build_case_account(SNAPSHOT))
    path = tmp_path / "findings.json"
    write_report(assessment, path)
    doc = orjson.loads(path.read_bytes())
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc), key=str)
    assert errors == []
    assert len(doc["findings"]) == len(assessment.findings)
    statuses = {f["status"] for f in doc["findings"]}
    assert {"pass", "fail", "unknown", "not_applicable"} <= statuses
    totals = doc["summary"]["totals"]
    assert sum(totals.values()) == len(doc["findings"])
    assert sum(p["fail"] for p in doc["summary"]["practices"]) == totals["fail"]


def test_findings_carry_compliance_and_remediation() -> None:
    doc = orjson.loads(dumps(run_checks(build_case_account(SNAPSHOT))))
    root_keys = next(f for f in doc["findings"] if f["check"] == "root.no_access_keys")
    assert root_keys["compliance"] == {"cis_aws_v6": ["2.3"], "security_hub": ["IAM.4"]}
    assert root_keys["remediation"]["summary"] and root_keys["remediation"]["cli"]
    admin = next(f for f in doc["findings"] if f["check"] == "least_privilege.effective_admins")
    assert admin["status"] == "fail" and admin["evidence"]["statements"][0]["policy"].endswith("AdministratorAccess")


def test_the_schema_rejects_a_wrong_status() -> None:
    doc = orjson.loads(dumps(run_checks(build_case_account(SNAPSHOT))))
    doc["findings"][0]["status"] = "error"
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc))
