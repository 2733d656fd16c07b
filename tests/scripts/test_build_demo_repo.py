"""The demo's leaky repository: built the same on every run; its history holds svc-reporting's active key, which
`make demo`'s secrets scan matches to the user and which makes practice 10 fail in the account scan."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
from typer.testing import CliRunner

from iamwarden.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "demo-account.json.gz"


def build(folder: Path) -> Path:
    """Run the script as ``make demo`` does."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_demo_repo.py"), str(folder)], check=True)
    return folder


runner = CliRunner()


def _head(folder: Path) -> str:
    return subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True).stdout


def test_the_repository_is_the_same_every_run(tmp_path: Path) -> None:
    assert _head(build(tmp_path / "a")) == _head(build(tmp_path / "b"))


def test_the_demo_leak_fails_practice_10(tmp_path: Path) -> None:
    repo = build(tmp_path / "northwind-reporting")
    report = tmp_path / "secrets.json"
    args = ["secrets", "scan", str(repo), "--history", "--snapshot", str(DEMO), "-f", "json", "-o", str(report)]
    assert runner.invoke(app, args).exit_code == 0
    findings = orjson.loads(report.read_bytes())["findings"]
    key = next(f for f in findings if f["kind"] == "access_key_id" and f["severity"] == "critical")
    assert key["owner"]["user"] == "svc-reporting" and key["owner"]["status"] == "Active"
    assert key["locations"][0]["path"] == "settings.ini" and key["locations"][0]["author_date"].startswith("2026-08-23")
    assert "AKIAMTGT6BIFDEXAMPLE" not in report.read_text()  # svc-reporting's key: masked
    out = tmp_path / "findings.json"
    scan = runner.invoke(app, ["scan", "--snapshot", str(DEMO), "--secrets", str(report), "-f", "json", "-o", str(out)])
    assert scan.exit_code == 0, scan.output
    results = [f for f in orjson.loads(out.read_bytes())["findings"] if f["check"] == "secrets.keys_in_code"]
    failed = [f for f in results if f["status"] == "fail"]
    assert [f["resource"] for f in failed] == ["arn:aws:iam::444455556666:user/svc-reporting"]
    assert "settings.ini:3" in failed[0]["detail"] and failed[0]["severity"] == "critical"
