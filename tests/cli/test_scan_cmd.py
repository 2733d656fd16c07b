"""``iamwarden scan`` on the bundled demo account, and on bad input."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
from typer.testing import CliRunner

from iamwarden.cli.app import app

DEMO = Path(__file__).resolve().parents[2] / "demo" / "demo-account.json.gz"
runner = CliRunner()


def test_scan_demo_prints_inventory_and_writes_reports(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["scan", "--snapshot", str(DEMO), "--output-dir", str(out), "--inventory"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    for title in ("Root user", "Users", "Roles", "Groups", "Managed policies", "Access keys", "MFA devices"):
        assert title in result.output
    for title in ("CloudTrail trails", "Regions: Access Analyzer and AWS Config", "Workloads", "Organization o-"):
        assert title in result.output
    assert "Account 444455556666 (northwind-analytics-prod)" in result.output
    assert "IAM best practices scorecard" in result.output
    assert "AKIAIOSFODNN7EXAMPLE" not in result.output
    inventory = orjson.loads((out / "inventory.json").read_bytes())
    assert inventory["counts"]["users"] == 28 and inventory["counts"]["gaps"] == 0
    assert (out / "findings.json").is_file()


def test_scan_without_inventory_flag_shows_summary_only() -> None:
    result = runner.invoke(app, ["scan", "--snapshot", str(DEMO), "--format", "console"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "28 users, 18 roles, 10 groups" in result.output
    assert "MFA devices" not in result.output


def test_missing_file_is_one_line_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scan", "--snapshot", str(tmp_path / "nope.json.gz")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "nope.json.gz" in lines[0]


def test_truncated_file_is_one_line_exit_2(tmp_path: Path) -> None:
    truncated = tmp_path / "cut.json.gz"
    truncated.write_bytes(DEMO.read_bytes()[:5000])
    result = runner.invoke(app, ["scan", "--snapshot", str(truncated)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "truncated" in result.output

    cut_json = tmp_path / "cut.json"
    cut_json.write_bytes(gzip.decompress(DEMO.read_bytes())[:3000])
    result = runner.invoke(app, ["scan", "--snapshot", str(cut_json)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1


def test_exactly_one_input() -> None:
    result = runner.invoke(app, ["scan"])
    assert result.exit_code == 2 and "exactly one of" in result.output
    result = runner.invoke(app, ["scan", "--snapshot", str(DEMO), "--import-dir", "."])
    assert result.exit_code == 2 and "--snapshot and --import-dir" in result.output
