"""``iamwarden scan`` findings options: --practice, --severity, --format, -o, --config; and the demo's findings."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from iamwarden.cli.app import app

DEMO = Path(__file__).resolve().parents[2] / "demo" / "demo-account.json.gz"
runner = CliRunner()
WIDE = {"COLUMNS": "220"}


def test_demo_shows_failures_and_passes_in_every_practice(tmp_path: Path) -> None:
    out = tmp_path / "findings.json"
    result = runner.invoke(app, ["scan", "--snapshot", str(DEMO), "--format", "json", "-o", str(out)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "scorecard" not in result.output
    practices = orjson.loads(out.read_bytes())["summary"]["practices"]
    assert [p["number"] for p in practices] == list(range(1, 12))
    assert [p["number"] for p in practices if not (p["fail"] and p["pass"])] == []


def test_practice_and_severity_filter_the_console() -> None:
    result = runner.invoke(
        app, ["scan", "-s", str(DEMO), "--practice", "2", "--practice", "9", "--severity", "medium"], env=WIDE
    )
    assert result.exit_code == 0, result.output
    assert "Root user" in result.output and "Password policy" in result.output
    assert "Least privilege" not in result.output
    assert "root." in result.output and "password_policy.complexity" not in result.output  # low is below medium


def test_output_file_implies_json(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["scan", "-s", str(DEMO), "--format", "console", "-o", str(out)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "scorecard" in result.output and orjson.loads(out.read_bytes())["tool"]["name"] == "iamwarden"


def test_thresholds_from_config_change_results(tmp_path: Path) -> None:
    config = tmp_path / "iamwarden.toml"
    config.write_text("[thresholds]\npassword_max_age_days = 0\n")
    out = tmp_path / "f.json"
    result = runner.invoke(app, ["scan", "-s", str(DEMO), "--config", str(config), "-f", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    findings = orjson.loads(out.read_bytes())["findings"]
    assert {f["status"] for f in findings if f["check"] == "password_policy.max_age"} == {"not_applicable"}


def test_bad_findings_options_exit_2(tmp_path: Path) -> None:
    for args in (["--severity", "urgent"], ["--practice", "12"], ["--format", "pdf"]):
        result = runner.invoke(app, ["scan", "-s", str(DEMO), *args])
        assert result.exit_code == 2, args
        assert result.output.startswith("error: command line: --")
    bad = tmp_path / "iamwarden.toml"
    bad.write_text("[thresholds]\npassword_min_length = 'long'\n")
    result = runner.invoke(app, ["scan", "-s", str(DEMO), "--config", str(bad)])
    assert result.exit_code == 2 and "thresholds.password_min_length" in result.output
