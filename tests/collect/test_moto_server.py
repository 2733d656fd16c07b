"""`iamwarden collect` as a new user runs it: the real CLI against `moto_server` started as its own process (a real HTTP
endpoint reached through AWS_ENDPOINT_URL), then `snapshot validate` and `scan` on what it wrote.

moto's server leaves `PolicyName` and `PolicyId` out of the managed policies of GetAccountAuthorizationDetails: the name
is filled from the ARN, the id becomes a gap `Incomplete` on the policy's ARN, and every command reads the snapshot.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app
from iamwarden.collect.snapshot import read_snapshot
from tests.collect.demo_org import builder

REGION = "us-east-1"
ACCOUNT = "123456789012"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}, "Action": "sts:AssumeRole"}
    ],
}
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/team/reader"


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """`moto_server` as its own process on a free loopback port; its endpoint URL. Stopped at teardown."""
    with builder.moto_server() as endpoint:
        yield endpoint


def _env(endpoint: str) -> dict[str, str]:
    """This environment without any real AWS configuration, plus dummy credentials and the server's endpoint."""
    return dict(builder.clean_env(endpoint))


@pytest.fixture(scope="module")
def account(moto_server: str) -> str:
    """Users, a customer managed policy attached to a user, a group and a role, a role with a trust policy."""
    reset = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(reset, timeout=30) as answer:
        answer.read()
    iam = boto3.client(
        "iam",
        endpoint_url=moto_server,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    arn = iam.create_policy(PolicyName="reader", Path="/team/", PolicyDocument=json.dumps(POLICY))["Policy"]["Arn"]
    assert arn == POLICY_ARN
    iam.create_user(UserName="alice")
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    iam.create_user(UserName="bob")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="bob")
    iam.attach_group_policy(GroupName="devs", PolicyArn=arn)
    iam.create_role(RoleName="ops", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.attach_role_policy(RoleName="ops", PolicyArn=arn)
    return moto_server


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([builder.tool("iamwarden"), *args], env=env, capture_output=True, text=True, timeout=300)


def test_collect_writes_what_every_command_reads(account: str, tmp_path: Path) -> None:
    env = _env(account)
    snapshot_path = tmp_path / "account.json.gz"

    collected = _run(["collect", "-o", str(snapshot_path)], env)
    assert collected.returncode == 0, collected.stderr
    assert f"wrote {snapshot_path}" in collected.stdout
    assert f"iam:GetAccountAuthorizationDetails for {POLICY_ARN}: Incomplete" in collected.stdout

    validated = _run(["snapshot", "validate", str(snapshot_path)], env)
    assert validated.returncode == 0, validated.stderr
    findings = tmp_path / "findings.json"
    scanned = _run(["scan", "--snapshot", str(snapshot_path), "--format", "json", "-o", str(findings)], env)
    assert scanned.returncode == 0, scanned.stderr
    report = json.loads(findings.read_text())
    assert POLICY_ARN in {f["resource"] for f in report["findings"]}

    snapshot = read_snapshot(snapshot_path)
    details = snapshot.response("iam:GetAccountAuthorizationDetails")
    [policy] = details["Policies"]
    assert (policy["Arn"], policy["PolicyName"], policy["Path"]) == (POLICY_ARN, "reader", "/team/")
    assert "PolicyId" not in policy  # moto's server leaves it out; nothing else tells it
    [gap] = snapshot.gaps_for("iam:GetAccountAuthorizationDetails")
    assert (gap.target, gap.error_code) == (POLICY_ARN, "Incomplete")
    assert "PolicyId" in gap.message
    attached = {
        entry[name_key]: [p["PolicyName"] for p in entry["AttachedManagedPolicies"]]
        for list_key, name_key in (("UserDetailList", "UserName"), ("GroupDetailList", "GroupName"))
        for entry in details[list_key]
    }
    assert attached == {"alice": ["reader"], "bob": [], "devs": ["reader"]}
    [role] = details["RoleDetailList"]
    assert role["AssumeRolePolicyDocument"] == TRUST
    assert [p["PolicyName"] for p in role["AttachedManagedPolicies"]] == ["reader"]


def test_collect_writes_nothing_the_reader_would_refuse(
    account: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the filling, moto's answer (no PolicyName) is what the reader refuses: collect must not write it.
    monkeypatch.setattr("iamwarden.collect.live.fill_omissions", lambda details: [])
    env = _env(account)
    for name in os.environ:
        if name.startswith("AWS_") and name not in env:
            monkeypatch.delenv(name)
    for name, value in env.items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    output = tmp_path / "account.json"

    result = CliRunner().invoke(app, ["collect", "-o", str(output)])

    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert lines == [
        f"error: {output} (not written): "
        '$.calls["iam:GetAccountAuthorizationDetails"].global._.Policies[0].PolicyName: Field required'
    ]
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []
