"""The organization's merged reports (``scan BUNDLE --output-dir``): one file per format holding every scanned
account's findings, each naming its account id and OU path, checked as the single-account formats are (SARIF schema,
OCSF required attributes and enumerations, ASFF required fields)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import orjson
import pytest

from iamwarden.checks.config import Thresholds
from iamwarden.cli.org_scan import scan_bundle
from iamwarden.report.organization_files import MERGED_NAMES, write_merged
from iamwarden.report.outputs import FILE_NAMES
from tests.collect.org_bundles import DEV, MANAGEMENT, PROD, PROD_OU, ROOT, SANDBOX, WORKLOADS, write_test_bundle
from tests.report.test_asff import REQUIRED as ASFF_REQUIRED
from tests.report.test_ocsf import ENUMS, REQUIRED, _get
from tests.report.test_sarif import validate

SCANNED = (MANAGEMENT, PROD, DEV)  # SANDBOX has no snapshot: a gap


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("org")
    written = write_test_bundle(root / "bundle")
    folder = root / "out"
    formats = ("json", "sarif", "ocsf", "asff", "csv")
    result = scan_bundle(written.directory, output_dir=folder, formats=formats, thresholds=Thresholds(), workers=1)
    assert {p.name for p in result.written} >= set(MERGED_NAMES.values())
    return folder


def _per_account(out: Path, fmt: str) -> dict[str, bytes]:
    return {a: (out / "accounts" / a / FILE_NAMES[fmt]).read_bytes() for a in SCANNED}


def test_json_holds_every_accounts_findings_with_account_and_ou_path(out: Path) -> None:
    merged = orjson.loads((out / MERGED_NAMES["json"]).read_bytes())
    assert [a["id"] for a in merged["accounts"]] == list(SCANNED)
    assert SANDBOX not in {f["account_id"] for f in merged["findings"]}
    expected = [f for data in _per_account(out, "json").values() for f in orjson.loads(data)["findings"]]
    assert merged["findings"] == expected
    prod = [f for f in merged["findings"] if f["account_id"] == PROD]
    assert prod and all(f["ou_path"] == [ROOT, WORKLOADS, PROD_OU] for f in prod)
    assert all(f["account_id"] in SCANNED and isinstance(f["ou_path"], list) for f in merged["findings"])


def test_sarif_is_one_valid_log_with_a_run_per_account(out: Path) -> None:
    log = orjson.loads((out / MERGED_NAMES["sarif"]).read_bytes())
    assert validate(log) == []
    assert [run["properties"]["account"] for run in log["runs"]] == list(SCANNED)
    for run in log["runs"]:
        account = run["properties"]["account"]
        assert run["results"] and all(r["properties"]["accountId"] == account for r in run["results"])
        assert all(r["properties"]["ouPath"] == run["properties"]["ouPath"] for r in run["results"])
    del log["runs"][1]["results"][0]["message"]
    assert validate(log)  # the check can fail


@pytest.mark.parametrize("fmt", ["ocsf", "asff"])
def test_ocsf_and_asff_are_one_array_of_every_accounts_findings(out: Path, fmt: str) -> None:
    merged = orjson.loads((out / MERGED_NAMES[fmt]).read_bytes())
    expected = [item for data in _per_account(out, fmt).values() for item in orjson.loads(data)]
    assert merged == expected and merged


def test_ocsf_events_keep_their_shape_and_place(out: Path) -> None:
    events: list[dict[str, Any]] = orjson.loads((out / MERGED_NAMES["ocsf"]).read_bytes())
    for event in events:
        for path, name, kind in REQUIRED:
            value = _get(event, path).get(name)
            assert isinstance(value, kind) and value not in ("", []), (path, name)
        for path, name, allowed in ENUMS:
            assert _get(event, path)[name] in allowed
    assert {e["cloud"]["account"]["uid"] for e in events} == set(SCANNED)
    prod = [e for e in events if e["cloud"]["account"]["uid"] == PROD]
    assert all(e["unmapped"]["ou_path"] == [ROOT, WORKLOADS, PROD_OU] for e in prod)


def test_asff_findings_keep_their_required_fields_and_place(out: Path) -> None:
    findings: list[dict[str, Any]] = orjson.loads((out / MERGED_NAMES["asff"]).read_bytes())
    for f in findings:
        assert [k for k in ASFF_REQUIRED if k not in f or f[k] in ("", [], {})] == []
    assert {f["AwsAccountId"] for f in findings} == set(SCANNED)
    prod = [f for f in findings if f["AwsAccountId"] == PROD]
    assert all(f["ProductFields"]["iamwarden/OuPath"] == f"{ROOT}/{WORKLOADS}/{PROD_OU}" for f in prod)


def test_csv_has_one_header_and_every_accounts_rows(out: Path) -> None:
    text = (out / MERGED_NAMES["csv"]).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    expected = [
        r for data in _per_account(out, "csv").values() for r in csv.DictReader(data.decode("utf-8-sig").splitlines())
    ]
    assert rows == expected and rows
    assert text.count("id,check,") == 1
    assert {r["account_id"] for r in rows} == set(SCANNED)


def test_without_any_account_report_the_files_are_still_valid(tmp_path: Path) -> None:
    written = write_merged(tmp_path, [SANDBOX], list(MERGED_NAMES), {"id": "o-x", "management_account_id": "1"})
    assert [p.name for p in written] == list(MERGED_NAMES.values())
    assert orjson.loads((tmp_path / MERGED_NAMES["json"]).read_bytes())["findings"] == []
    assert validate(orjson.loads((tmp_path / MERGED_NAMES["sarif"]).read_bytes())) == []
    assert orjson.loads((tmp_path / MERGED_NAMES["ocsf"]).read_bytes()) == []
    assert (tmp_path / MERGED_NAMES["csv"]).read_text(encoding="utf-8-sig").startswith("id,check,")
