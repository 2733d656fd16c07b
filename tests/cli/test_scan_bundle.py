"""``iamwarden scan BUNDLE``: every account scanned, an unreachable one a gap, the organization view written."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app
from tests.collect.org_bundles import DEV, MANAGEMENT, PROD, SANDBOX, write_test_bundle

runner = CliRunner()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_bundle_scan_writes_the_organization_view(tmp_path: Path, workers: str) -> None:
    written = write_test_bundle(tmp_path / "bundle")
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["scan", str(written.directory), "--output-dir", str(out), "--workers", workers], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    data = orjson.loads((out / "organization.json").read_bytes())
    accounts = {a["id"]: a for a in data["accounts"]}
    assert set(accounts) == {MANAGEMENT, PROD, DEV, SANDBOX}
    assert accounts[SANDBOX]["gap"].startswith("AccessDenied") and accounts[SANDBOX]["score"] is None
    assert data["accounts"][-1]["id"] == SANDBOX  # unscored accounts after the scored ones
    for account in (MANAGEMENT, PROD, DEV):
        assert accounts[account]["score"] is not None
        assert (out / "accounts" / account / "report.html").is_file()
        report = orjson.loads((out / "accounts" / account / "findings.json").read_bytes())
        assert report["account"]["id"] == account
    assert accounts[PROD]["ou_names"] == ["Root", "Workloads", "Prod"]
    checks = {(f["check"], f["account_id"], f["status"]) for f in data["findings"]}
    assert ("organization.member_iam_users", PROD, "fail") in checks
    assert ("organization.member_iam_users", SANDBOX, "unknown") in checks
    assert ("organization.scp_leave_organization", DEV, "fail") in checks
    assert all(f["ou_path"] for f in data["findings"] if f["account_id"] != MANAGEMENT)
    html = (out / "organization.html").read_text()
    assert f'href="accounts/{PROD}/report.html"' in html and "not scanned: AccessDenied" in html
    assert "4 accounts, 1 not scanned" in result.output


def test_bundle_without_valid_org_json_is_one_line_exit_2(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "org.json").write_text('{"format": "iamwarden-org-bundle"}')
    result = runner.invoke(app, ["scan", str(bundle), "--output-dir", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {bundle / 'org.json'}")
    assert not (tmp_path / "out").exists()


def test_every_format_names_the_account_and_its_ou_path(tmp_path: Path) -> None:
    import csv

    from tests.collect.org_bundles import PROD_OU, ROOT, WORKLOADS

    written = write_test_bundle(tmp_path / "bundle")
    out = tmp_path / "out"
    result = runner.invoke(app, ["scan", str(written.directory), "--output-dir", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    folder = out / "accounts" / PROD
    path = [ROOT, WORKLOADS, PROD_OU]
    findings = orjson.loads((folder / "findings.json").read_bytes())["findings"]
    assert findings and all(f["account_id"] == PROD and f["ou_path"] == path for f in findings)
    rows = list(csv.DictReader((folder / "findings.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert rows and all(r["account_id"] == PROD and r["ou_path"] == "/".join(path) for r in rows)
    sarif = orjson.loads((folder / "findings.sarif").read_bytes())["runs"][0]
    assert sarif["properties"]["ouPath"] == path
    assert sarif["results"] and all(
        r["properties"]["accountId"] == PROD and r["properties"]["ouPath"] == path for r in sarif["results"]
    )
    ocsf = orjson.loads((folder / "findings.ocsf.json").read_bytes())
    assert all(e["unmapped"]["ou_path"] == path and e["cloud"]["org"]["ou_uid"] == PROD_OU for e in ocsf)
    assert all(e["cloud"]["account"]["uid"] == PROD for e in ocsf)
    asff = orjson.loads((folder / "findings.asff.json").read_bytes())
    assert all(f["AwsAccountId"] == PROD and f["ProductFields"]["iamwarden/OuPath"] == "/".join(path) for f in asff)


def test_fail_on_counts_every_account_and_the_organization(tmp_path: Path) -> None:
    written = write_test_bundle(tmp_path / "bundle")
    result = runner.invoke(app, ["scan", str(written.directory), "--fail-on", "high", "--workers", "1", "-q"])
    assert result.exit_code == 1, result.output
    assert "at or above high (--fail-on): exit 1" in result.output


def test_one_account_options_are_refused_for_a_bundle(tmp_path: Path) -> None:
    written = write_test_bundle(tmp_path / "bundle")
    result = runner.invoke(app, ["scan", str(written.directory), "--record"])
    assert result.exit_code == 2
    assert (
        result.output.strip() == "error: command line: --record: reads one account; an organization bundle is "
        "scanned with --output-dir"
    )


def test_the_organization_report_does_not_depend_on_the_order_workers_finish_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import iamwarden.cli.org_scan as org_scan

    written = write_test_bundle(tmp_path / "bundle")
    reports: list[tuple[object, object]] = []
    assess = org_scan.assess_members
    for finishing in (lambda outcomes: outcomes, lambda outcomes: outcomes[::-1]):
        monkeypatch.setattr(
            org_scan, "assess_members", lambda tasks, workers, f=finishing: iter(f(list(assess(tasks, 1))))
        )
        out = tmp_path / f"out{len(reports)}"
        result = runner.invoke(app, ["scan", str(written.directory), "--output-dir", str(out)])
        assert result.exit_code == 0, result.output
        data = orjson.loads((out / "organization.json").read_bytes())
        reports.append((data["findings"], data["cross_account"]))
    assert reports[0] == reports[1]
