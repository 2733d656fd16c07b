"""``iamwarden access``: what a principal of the demo account can do, filters, JSON, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from iamwarden.cli.app import app
from iamwarden.policy.catalogue import catalogue

DEMO = str(Path(__file__).resolve().parents[2] / "demo" / "demo-account.json.gz")
ACCOUNT = "444455556666"
MARIA = f"arn:aws:iam::{ACCOUNT}:user/maria.garcia"
runner = CliRunner()


def _json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["access", "--snapshot", DEMO, "--json", *args])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_mfa_condition_is_reported_not_assumed() -> None:
    doc = _json("--principal", MARIA, "--service", "iam")
    entries = doc["entries"]
    assert entries and all(e["service"] == "iam" for e in entries)
    conditional = [e for e in entries if e["status"] == "conditional"]
    assert any("aws:MultiFactorAuthPresent" in " ".join(e["conditions"] + e["limits"]) for e in conditional)
    # the grant that needs no condition is listed as allowed, with the statement that grants it
    outright = [e for e in entries if e["status"] == "allowed"]
    assert any("iam:ChangePassword" in e["actions"] and e["granted_by"] for e in outright)


def test_level_filter_keeps_only_that_access_level() -> None:
    doc = _json("--principal", MARIA, "--service", "s3", "--level", "write")
    names = [a for e in doc["entries"] for a in e["actions"]]
    assert names
    cat = catalogue()
    for name in names:
        if name.endswith(":*"):
            continue
        action = cat.action(name)
        assert action is not None and action.access_level == "Write", name


def test_whole_service_is_collapsed() -> None:
    doc = _json("--principal", MARIA, "--service", "route53")
    assert any(e["actions"] == ["route53:*"] for e in doc["entries"])


def test_console_table() -> None:
    result = runner.invoke(app, ["access", "--snapshot", DEMO, "--principal", MARIA, "--service", "sts"])
    assert result.exit_code == 0, result.output
    assert MARIA in result.stdout.replace("\n", "") and "Granted by" in result.stdout


def test_unknown_principal_is_one_line_and_exit_2() -> None:
    result = runner.invoke(app, ["access", "--snapshot", DEMO, "--principal", f"arn:aws:iam::{ACCOUNT}:user/ghost"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--principal" in lines[0] and "ghost" in lines[0]


def test_bad_level_and_service_exit_2() -> None:
    for extra in (["--level", "admin"], ["--service", "nosuchservice"]):
        result = runner.invoke(app, ["access", "--snapshot", DEMO, "--principal", MARIA, *extra])
        assert result.exit_code == 2, extra
        assert extra[0] in result.stderr


def test_exactly_one_input() -> None:
    result = runner.invoke(app, ["access", "--principal", MARIA])
    assert result.exit_code == 2 and "exactly one" in result.stderr
