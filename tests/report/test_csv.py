"""The CSV report: one row per result, columns in a fixed order, UTF-8, and cells a spreadsheet cannot run."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import orjson
import pytest

from iamwarden.checks.runner import Assessment, run_checks
from iamwarden.checks.suppressions import Suppression
from iamwarden.report.csv_report import COLUMNS, dumps, safe_cell, write_csv
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


def assessment() -> Assessment:
    accepted = [
        Suppression("least_privilege.*", "*", "break-glass admin"),
        Suppression("groups.*", "*", "=cmd|' /C calc'!A0"),
        Suppression("root.*", "*", "old exception", expires=date(2025, 1, 1)),
    ]
    return run_checks(build_case_account(SNAPSHOT), suppressions=accepted, today=date(2026, 11, 28))


def rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark for spreadsheet programs
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_one_row_per_result_in_column_order() -> None:
    run = assessment()
    data = dumps(run)
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(header) == COLUMNS
    assert COLUMNS[:13] == (
        "id",
        "check",
        "practice",
        "status",
        "severity",
        "resource",
        "resource_type",
        "title",
        "detail",
        "cis_aws_v6",
        "security_hub",
        "remediation",
        "evidence",
    )
    table = rows(data)
    assert len(table) == len(run.findings)
    for row, finding in zip(table, run.findings, strict=True):
        assert row["id"] == finding.id and row["check"] == finding.check.id
        assert row["practice"] == str(finding.check.practice) and row["status"] == finding.status.value
        assert row["resource"] == finding.resource and row["detail"] == safe_cell(finding.detail)
        assert row["cis_aws_v6"] == ";".join(finding.check.cis_aws_v6)
        assert row["remediation"].startswith(finding.check.remediation.summary)
        assert orjson.loads(row["evidence"]) == orjson.loads(orjson.dumps(dict(finding.outcome.evidence)))
    assert data.count(b"\r\n") >= len(table) + 1


def test_suppressions_in_their_column() -> None:
    table = rows(dumps(assessment()))
    by_area = {(r["check"].split(".")[0], r["status"]): r["suppressed"] for r in table}
    assert by_area["least_privilege", "fail"] == "break-glass admin"
    assert by_area["groups", "fail"] == "'=cmd|' /C calc'!A0"  # a formula in a reason is quoted too
    assert by_area["root", "unknown"] == "expired: old exception"
    assert by_area["mfa", "unknown"] == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@HYPERLINK(x)", "'@HYPERLINK(x)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("arn:aws:iam::1:user/a", "arn:aws:iam::1:user/a"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_formula_cells_are_quoted(value: str, expected: str) -> None:
    assert safe_cell(value) == expected


def test_a_formula_in_a_detail_reaches_the_file_quoted() -> None:
    run = assessment()
    first = run.findings[0]
    evil = replace(first, outcome=replace(first.outcome, detail='=HYPERLINK("http://x","ü")'))
    table = rows(dumps(replace(run, findings=(evil,))))
    assert table[0]["detail"] == '\'=HYPERLINK("http://x","ü")'


def test_written_atomically(tmp_path: Path) -> None:
    path = tmp_path / "findings.csv"
    write_csv(assessment(), path)
    assert len(rows(path.read_bytes())) == len(assessment().findings)
    assert [p.name for p in tmp_path.iterdir()] == ["findings.csv"]
