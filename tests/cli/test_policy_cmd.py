"""``iamwarden policy suggest`` on the demo account: the policy written passes ``iamwarden lint``, CloudTrail narrows
it to actions and resources, the comparison report, and bad input (exit 2, file and record named)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app
from tests.corpora import STRATUS

DEMO = str(Path(__file__).resolve().parents[2] / "demo" / "demo-account.json.gz")
ACCOUNT = "444455556666"
GLUE = f"arn:aws:iam::{ACCOUNT}:role/data-pipeline-glue"
runner = CliRunner()


def suggest(*args: str) -> Any:
    return runner.invoke(app, ["policy", "suggest", "--snapshot", DEMO, *args])


def glue_trail(tmp_path: Path) -> Path:
    identity = {
        "type": "AssumedRole",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/data-pipeline-glue/GlueJobRunnerSession",
        "sessionContext": {"sessionIssuer": {"type": "Role", "arn": GLUE}},
    }
    lines = [
        {
            "eventTime": "2026-11-19T10:00:00Z",
            "eventSource": "s3.amazonaws.com",
            "eventName": "GetObject",
            "userIdentity": identity,
            "resources": [{"ARN": "arn:aws:s3:::acme-raw/2026/11/19/orders.csv"}],
        },
        {
            "eventTime": "2026-11-19T10:01:00Z",
            "eventSource": "glue.amazonaws.com",
            "eventName": "GetTable",
            "userIdentity": identity,
        },
    ]
    path = tmp_path / "trail.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_service_level_policy_passes_lint(tmp_path: Path) -> None:
    out = tmp_path / "glue-policy.json"
    result = suggest("--principal", GLUE, "-o", str(out))
    assert result.exit_code == 0, result.output
    policy = json.loads(out.read_text())
    assert [s["Sid"] for s in policy["Statement"]] == ["GlueUsed", "S3Used"]
    assert "services removed: athena, cloudwatch, ec2, iam, logs" in result.stderr
    assert "no action-level evidence" in result.stderr
    lint = runner.invoke(app, ["lint", "--min-kind", "security_warning", str(out)])
    assert lint.exit_code == 0, lint.output


def test_policy_to_stdout_and_report(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = suggest("--principal", GLUE, "--report", str(report), "--days", "30")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["Version"] == "2012-10-17"
    doc = json.loads(report.read_text())
    assert doc["days"] == 30 and doc["sources"] == {"service_last_accessed": True, "cloudtrail": False}
    assert doc["removed_services"] == ["athena", "cloudwatch", "ec2", "iam", "logs"]
    assert "ec2:CreateNetworkInterface" in doc["removed_actions"]


def test_cloudtrail_narrows_to_actions_and_resources(tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    result = suggest("--principal", GLUE, "--cloudtrail", str(glue_trail(tmp_path)), "-o", str(out))
    assert result.exit_code == 0, result.output
    statements = json.loads(out.read_text())["Statement"]
    assert statements == [
        {"Sid": "GlueUsed", "Effect": "Allow", "Action": "glue:GetTable", "Resource": "*"},
        {
            "Sid": "S3Used",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::acme-raw/2026/11/19/orders.csv",
        },
    ]
    assert "2 actions seen in CloudTrail" in result.stderr
    assert runner.invoke(app, ["lint", "--min-kind", "security_warning", str(out)]).exit_code == 0


def test_nothing_used_writes_no_policy(tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    result = suggest("--principal", f"arn:aws:iam::{ACCOUNT}:role/legacy-etl-role", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "no policy written" in result.stderr and not out.exists()


def test_malformed_cloudtrail_names_file_and_record(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"Records": [{"eventSource": "s3.amazonaws.com", "eventTime": "2026-11-19T10:00:00Z"}]}))
    result = suggest("--principal", GLUE, "--cloudtrail", str(bad))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {bad}: $.Records[0]: record without eventSource or eventName"


def test_unknown_principal_and_missing_data() -> None:
    result = suggest("--principal", f"arn:aws:iam::{ACCOUNT}:user/nobody")
    assert result.exit_code == 2 and "--principal" in result.stderr and "is not a user or role" in result.stderr


def test_no_usage_data_is_an_error(tmp_path: Path) -> None:
    from iamwarden.collect.snapshot import write_snapshot
    from tests.checks.harness import PREFIX, build_case_snapshot

    snap = tmp_path / "snap.json"
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    write_snapshot(build_case_snapshot({"users": [{"name": "alice", "inline": {"p": policy}}]}), snap)
    result = runner.invoke(app, ["policy", "suggest", "--snapshot", str(snap), "--principal", f"{PREFIX}user/alice"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {snap}: --principal: no service-last-accessed data")


def test_unused_lists_every_principal(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["policy", "unused", "--snapshot", DEMO, "--json", "--cloudtrail", str(glue_trail(tmp_path))]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    rows = {row["principal"]: row for row in doc["principals"]}
    assert doc["days"] == 90 and not any("aws-service-role" in arn for arn in rows)
    glue = rows[GLUE]
    assert glue["unused_services"] == ["athena", "cloudwatch", "ec2", "iam", "logs"]
    # CloudTrail shows action-level use for s3 and glue: their other granted actions count as unused
    assert "s3:PutObject" in glue["unused_actions"] and "s3:GetObject" not in glue["unused_actions"]
    assert "glue:GetTable" not in glue["unused_actions"] and "glue:CreateTable" in glue["unused_actions"]


@pytest.mark.skipif(not STRATUS.is_dir(), reason="Stratus Red Team corpus not present")
def test_stratus_logs_end_to_end(tmp_path: Path) -> None:
    """The Stratus Red Team detonation logs (Apache-2.0, Datadog): the user that ran the login-profile technique."""
    user = "arn:aws:iam::070411556318:user/christophe"
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:*", "s3:*"], "Resource": "*"}]}
    details = {
        "UserDetailList": [
            {
                "Path": "/",
                "UserName": "christophe",
                "UserId": "AIDA45XCCHPPLELFTIIM",
                "Arn": user,
                "CreateDate": "2024-01-01T00:00:00Z",
                "GroupList": [],
                "AttachedManagedPolicies": [],
                "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": policy}],
            }
        ],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": [],
    }
    auth = tmp_path / "auth.json"
    auth.write_text(json.dumps(details))
    out = tmp_path / "p.json"
    args = ["--authorization-details", str(auth), "--account-id", "070411556318", "--principal", user]
    args += ["--cloudtrail", str(STRATUS), "--days", "10000", "-o", str(out)]
    result = runner.invoke(app, ["policy", "suggest", *args])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["Statement"] == [
        {
            "Sid": "IamUsed",
            "Effect": "Allow",
            "Action": ["iam:CreateLoginProfile", "iam:DeleteLoginProfile"],
            "Resource": "arn:aws:iam::070411556318:user/stratus-red-team-login-profile-user",
        }
    ]
    assert "services removed: s3" in result.stderr
    assert "sts:GetCallerIdentity" in result.stderr  # called, but not granted by this policy: left out
    assert runner.invoke(app, ["lint", "--min-kind", "security_warning", str(out)]).exit_code == 0


def test_policy_over_the_size_quota_is_not_written(tmp_path: Path) -> None:
    """80 services used at service level: 80 statements, over the managed-policy size quota: exit 1, no file."""
    from iamwarden.collect.snapshot import write_snapshot
    from iamwarden.policy.catalogue import catalogue
    from tests.checks.harness import PREFIX, build_case_snapshot

    services = list(catalogue().services())[:80]
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    details = {
        "JobStatus": "COMPLETED",
        "JobCompletionDate": "2026-11-28T00:00:00Z",
        "ServicesLastAccessed": [
            {"ServiceName": s, "ServiceNamespace": s, "LastAuthenticated": "2026-11-27T00:00:00Z"} for s in services
        ],
    }
    spec = {
        "users": [{"name": "admin", "inline": {"p": everything}}],
        "records": [{"api": "iam:GetServiceLastAccessedDetails", "target": f"{PREFIX}user/admin", "response": details}],
    }
    snap = tmp_path / "snap.json"
    write_snapshot(build_case_snapshot(spec), snap)
    out = tmp_path / "p.json"
    args = ["policy", "suggest", "--snapshot", str(snap), "--principal", f"{PREFIX}user/admin", "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA" in result.stderr and "not written" in result.stderr
    assert not out.exists()


def test_cloudtrail_from_s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--cloudtrail s3://BUCKET/PREFIX`` (moto): the same use as the local trail, for suggest and unused."""
    import gzip

    import boto3
    from moto import mock_aws

    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    records = [json.loads(line) for line in glue_trail(tmp_path).read_text().splitlines()]
    folder = f"trails/AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/11/19/"
    key = f"{folder}{ACCOUNT}_CloudTrail_us-east-1_20261119T1000Z_a.json.gz"
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="acme-trail")
        s3.put_object(Bucket="acme-trail", Key=key, Body=gzip.compress(json.dumps({"Records": records}).encode()))
        out = tmp_path / "p.json"
        result = suggest("--principal", GLUE, "--cloudtrail", "s3://acme-trail/trails", "-o", str(out))
        assert result.exit_code == 0, result.output
        assert [s["Action"] for s in json.loads(out.read_text())["Statement"]] == ["glue:GetTable", "s3:GetObject"]
        unused = runner.invoke(
            app, ["policy", "unused", "--snapshot", DEMO, "--json", "--cloudtrail", "s3://acme-trail/trails"]
        )
        assert unused.exit_code == 0, unused.output
        glue = {row["principal"]: row for row in json.loads(unused.stdout)["principals"]}[GLUE]
        assert "glue:GetTable" not in glue["unused_actions"] and "glue:CreateTable" in glue["unused_actions"]
        empty = suggest("--principal", GLUE, "--cloudtrail", "s3://acme-trail/nothing-here")
        assert empty.exit_code == 2 and "s3://acme-trail/nothing-here" in empty.output


def test_a_bad_cloudtrail_record_is_one_line_naming_file_and_place_exit_2(tmp_path: Path) -> None:
    trail = tmp_path / "trail.json"
    good = {"eventTime": "2026-11-24T09:00:00Z", "eventSource": "iam.amazonaws.com", "eventName": "ListUsers"}
    trail.write_text(json.dumps({"Records": [good, {**good, "eventTime": "yesterday"}, "oops"]}))
    result = runner.invoke(app, ["policy", "unused", "--snapshot", DEMO, "--cloudtrail", str(trail)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"error: {trail}: $.Records[1]: record whose eventTime is not a date and time "
        "(and 1 more problem; --verbose lists them)"
    ]
    verbose = runner.invoke(app, ["policy", "unused", "--snapshot", DEMO, "--cloudtrail", str(trail), "--verbose"])
    assert verbose.exit_code == 2
    assert f"error: {trail}: $.Records[2]: record without eventSource or eventName" in verbose.output.splitlines()
