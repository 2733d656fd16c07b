"""``iamwarden paths``: the demo account's planted paths, --from / --to / --json, and bad input (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from iamwarden.cli.app import app

DEMO = Path(__file__).parents[2] / "demo" / "demo-account.json.gz"
PREFIX = "arn:aws:iam::444455556666:"


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, ["paths", *args])


def _json(*args: str) -> dict[str, Any]:
    result = _run("--snapshot", str(DEMO), "--json", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def test_the_demo_account_reports_its_two_planted_paths() -> None:
    data = _json()
    by = {e["principal"]: e for e in data["principals"]}
    policy_manager = by[f"{PREFIX}role/cicd-policy-manager"]
    assert policy_manager["status"] == "paths"
    assert policy_manager["pathfinding_ids"] == ["iam-001"]
    hop = policy_manager["paths"][0]["hops"][0]
    assert hop["actions"] == ["iam:CreatePolicyVersion"]
    assert "policy/ci-policy-manager" in hop["reason"]
    lambda_role = by[f"{PREFIX}role/ops-automation-lambda"]
    assert "lambda-001" in lambda_role["pathfinding_ids"]
    lateral = [p for p in lambda_role["paths"] if p["hops"][0]["technique"] == "lambda-001"]
    assert lateral and lateral[0]["outcome"] == "lateral"
    assert lateral[0]["hops"][0]["actions"] == ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]


def test_text_output_and_from() -> None:
    result = _run("--snapshot", str(DEMO), "--from", f"{PREFIX}role/github-deploy-infra")
    assert result.exit_code == 0, result.output
    assert "role/github-deploy-infra -> role/cicd-policy-manager -> (itself)" in result.output
    assert "sts-001" in result.output and "iam-001" in result.output


def test_to_a_principal() -> None:
    data = _json("--to", f"{PREFIX}role/cicd-policy-manager", "--from", f"{PREFIX}role/github-deploy-infra")
    [entry] = data["principals"]
    assert [h["technique"] for h in entry["paths"][0]["hops"]] == ["sts-001"]
    # reaching the role asked for is not becoming an administrator (it was "admin" before)
    assert {p["outcome"] for p in entry["paths"]} == {"reaches"}
    to_admin = _json("--from", f"{PREFIX}role/github-deploy-infra")["principals"][0]["paths"]
    assert "admin" in {p["outcome"] for p in to_admin} and "reaches" not in {p["outcome"] for p in to_admin}


def test_an_administrator_and_an_unknown_principal() -> None:
    data = _json("--from", f"{PREFIX}user/tom.baker")
    assert data["principals"] == [{"principal": f"{PREFIX}user/tom.baker", "status": "administrator"}]
    result = _run("--snapshot", str(DEMO), "--from", f"{PREFIX}user/nobody")
    assert result.exit_code == 2
    assert "--from" in result.output and "not a user or role" in result.output


def test_exactly_one_input() -> None:
    result = _run("--json")
    assert result.exit_code == 2
    assert "give exactly one of" in result.output


def test_limits_are_stated_and_zero_lifts_them() -> None:
    default = _json()
    assert default["limits"] == {"max_hops": 5, "max_paths": 20, "max_targets": 3}
    every = _json("--max-paths", "0", "--max-targets", "0")
    assert every["limits"] == {"max_hops": 5, "max_paths": 0, "max_targets": 0}
    count = {e["principal"]: len(e.get("paths", [])) for e in every["principals"]}
    for entry in default["principals"]:  # lifting the limits never loses a path or a principal
        assert count[entry["principal"]] >= len(entry.get("paths", []))
    assert _run("--snapshot", str(DEMO), "--max-targets", "-1").exit_code == 2


def test_text_groups_by_target_and_graphs() -> None:
    plain = _run("--snapshot", str(DEMO)).output
    assert "lateral:" not in plain and plain.endswith("2 lateral moves not shown: --lateral lists them.\n")
    text = _run("--snapshot", str(DEMO), "--lateral").output
    assert PREFIX not in text  # the header names the account; its resources are short
    deploy = text.split("role/github-deploy-infra  [")[1]
    assert deploy.index("administrator:") < deploy.index("lateral:")  # administrators first
    assert deploy.count("lateral: role/ops-automation-lambda") == 1  # one line per target, techniques once
    assert "also lambda-004, lambda-005" in deploy
    assert "not shown" not in text
    every = _run("--snapshot", str(DEMO), "--all", "--lateral").output
    assert every.count("lateral: role/github-deploy-infra -> role/ops-automation-lambda (1 hop)") == 3  # each path
    dot = _run("--snapshot", str(DEMO), "--format", "dot").output
    assert dot.startswith("digraph escalation {") and '"role/github-deploy-infra" -> "role/cicd-policy-manager"' in dot
    assert '"role/cicd-policy-manager" [shape=doublecircle' in dot
    assert "ops-automation-lambda" not in dot  # only lateral moves lead there
    assert '-> "role/ops-automation-lambda"' in _run("--snapshot", str(DEMO), "-f", "dot", "--lateral").output
    mermaid = _run("--snapshot", str(DEMO), "-f", "mermaid").output.splitlines()
    assert mermaid[0] == "graph LR" and any("-->|sts-001|" in line for line in mermaid)


def test_lateral_is_refused_with_a_bundle(tmp_path: Path) -> None:
    result = _run("--bundle", str(tmp_path), "--lateral")
    assert result.exit_code == 2
    assert result.output.strip() == "error: command line: --lateral: lists one account's lateral moves, not --bundle's"
