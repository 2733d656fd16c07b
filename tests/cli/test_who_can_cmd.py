"""``iamwarden who-can``: the principals of the demo account that can perform an action, checked with the engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.principals import principal_policies
from iamwarden.cli.app import app
from iamwarden.collect.snapshot import read_snapshot
from iamwarden.model import Role, User, build_account
from iamwarden.policy import Request, evaluate

DEMO = Path(__file__).resolve().parents[2] / "demo" / "demo-account.json.gz"
runner = CliRunner()
BUCKET_OBJECT = "arn:aws:s3:::northwind-finance-reports/q3.csv"
FULL_CONTEXT = {
    "aws:MultiFactorAuthPresent": "true",
    "aws:MultiFactorAuthAge": "60",
    "aws:SecureTransport": "true",
    "aws:RequestedRegion": "us-east-1",
    "aws:SourceIp": "10.0.0.1",
}


def _json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["who-can", *args, "--snapshot", str(DEMO), "--json"])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def _engine(account: Any, arn: str, action: str, resource: str, context: dict[str, Any]) -> str:
    subject = account.principals_by_arn[arn]
    assert isinstance(subject, User | Role)
    pp = principal_policies(AnalysisContext(account), subject)
    return evaluate(
        Request(arn, action, resource, context),
        identity_policies=pp.identity,
        permission_boundary=pp.boundary,
        scps=pp.scps,
        management_account=pp.management_account,
    ).decision


def test_on_a_resource_matches_the_engine() -> None:
    doc = _json("s3:GetObject", "--resource", BUCKET_OBJECT)
    listed = {r["principal"]: r for r in doc["principals"]}
    assert listed
    account = build_account(read_snapshot(DEMO))
    principals: list[User | Role] = [*account.users, *account.roles]
    for principal in principals:
        with_everything = _engine(account, principal.arn, "s3:GetObject", BUCKET_OBJECT, FULL_CONTEXT)
        bare = _engine(account, principal.arn, "s3:GetObject", BUCKET_OBJECT, {})
        row = listed.get(principal.arn)
        if row is None:
            assert with_everything != "allowed" or bare != "allowed", principal.arn
        elif row["status"] == "allowed":
            assert bare == "allowed", principal.arn
        else:
            assert row["conditions"], principal.arn
    # offline, a request's region and MFA are unknown: those who need them are listed as conditional, with the reason
    assert any(
        r["status"] == "conditional" and any("aws:RequestedRegion" in c for c in r["conditions"])
        for r in doc["principals"]
    )


def test_without_resource_lists_resources_and_statements() -> None:
    doc = _json("iam:PassRole")
    assert doc["action"] == "iam:PassRole"
    rows = doc["principals"]
    assert rows and all(r["granted_by"] for r in rows)
    legacy = [r for r in rows if r["principal"].endswith("user/svc-ci-legacy")]
    assert legacy and legacy[0]["status"] == "allowed" and legacy[0]["resources"] == ["*"]


def test_action_case_is_canonical_and_console_table() -> None:
    result = runner.invoke(app, ["who-can", "IAM:passrole", "--snapshot", str(DEMO)])
    assert result.exit_code == 0, result.output
    assert "principals can iam:PassRole" in result.stdout


def test_unknown_action_exit_2() -> None:
    result = runner.invoke(app, ["who-can", "iam:NoSuchThing", "--snapshot", str(DEMO)])
    assert result.exit_code == 2
    assert "iam:NoSuchThing" in result.stderr and len(result.stderr.strip().splitlines()) == 1
