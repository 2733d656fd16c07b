"""Unused access and right-sized policies: granted (effective permissions) against used (service-last-accessed,
CloudTrail), and the suggested policy passing our own linter."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.usage import action_of, arn_from_parameters, principal_usage, suggest_policy
from iamwarden.collect.cloudtrail import read_calls
from iamwarden.model import Account, Role, User
from iamwarden.policy.lint import KIND_ORDER, lint_policy_text
from tests.checks.harness import PREFIX, build_case_account

ALICE = f"{PREFIX}user/alice"
APP = f"{PREFIX}role/svc/app"
DEMO = Path(__file__).resolve().parents[2] / "demo" / "demo-account.json.gz"

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["iam:CreateUser", "iam:PassRole", "iam:GetUser"], "Resource": "*"},
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
    ],
}


def sla(arn: str, services: dict[str, str | None]) -> dict[str, Any]:
    return {
        "api": "iam:GetServiceLastAccessedDetails",
        "target": arn,
        "response": {
            "JobStatus": "COMPLETED",
            "JobCompletionDate": "2026-11-28T00:00:00Z",
            "ServicesLastAccessed": [
                {"ServiceName": s, "ServiceNamespace": s, "TotalAuthenticatedEntities": int(bool(when))}
                | ({"LastAuthenticated": when} if when else {})
                for s, when in services.items()
            ],
        },
    }


def account(with_sla: bool = True) -> Account:
    spec: dict[str, Any] = {
        "collected_at": "2026-11-28T00:00:00+00:00",
        "users": [{"name": "alice", "inline": {"p": POLICY}}],
        "roles": [{"name": "app", "path": "/svc/", "inline": {"p": POLICY}}],
        "records": [
            sla(
                ALICE, {"s3": "2026-11-27T00:00:00Z", "dynamodb": "2026-01-01T00:00:00Z", "iam": "2026-11-20T00:00:00Z"}
            ),
            sla(APP, {"s3": None, "dynamodb": None, "iam": None}),
        ]
        if with_sla
        else [],
    }
    return build_case_account(spec)


def principal(acct: Account, arn: str) -> User | Role:
    found = acct.principals_by_arn[arn]
    assert isinstance(found, User | Role)
    return found


def trail(tmp_path: Path) -> Path:
    session = {
        "type": "AssumedRole",
        "arn": "arn:aws:sts::111122223333:assumed-role/app/i-1",
        "sessionContext": {"sessionIssuer": {"type": "Role", "arn": APP}},
    }
    user = {"type": "IAMUser", "arn": ALICE}
    events = [
        ("s3.amazonaws.com", "GetObject", "2026-11-20T00:00:00Z", user, [{"ARN": "arn:aws:s3:::data/a.csv"}], None),
        ("s3.amazonaws.com", "GetObject", "2026-11-21T00:00:00Z", user, [{"ARN": "arn:aws:s3:::data/b.csv"}], None),
        ("iam.amazonaws.com", "CreateUser", "2026-11-22T00:00:00Z", user, None, None),
        ("iam.amazonaws.com", "DeleteUser", "2026-11-22T00:00:00Z", user, None, "AccessDenied"),
        ("dynamodb.amazonaws.com", "GetItem", "2025-01-01T00:00:00Z", user, None, None),  # too old for 90 days
        ("example.amazonaws.com", "DoThing", "2026-11-22T00:00:00Z", user, None, None),
        ("s3.amazonaws.com", "ListBucket", "2026-11-25T00:00:00Z", session, [{"ARN": "arn:aws:s3:::data"}], None),
        ("ec2.amazonaws.com", "DescribeInstances", "2026-11-25T00:00:00Z", session, None, None),
    ]
    records = [
        {"eventSource": s, "eventName": n, "eventTime": t, "userIdentity": who}
        | ({"resources": r} if r else {})
        | ({"errorCode": e} if e else {})
        for s, n, t, who, r, e in events
    ]
    path = tmp_path / "trail.json"
    path.write_text(json.dumps({"Records": records}))
    return path


ACTIONS = [
    ("iam.amazonaws.com", "CreateUser", "iam:CreateUser"),
    ("s3.amazonaws.com", "GetObject", "s3:GetObject"),
    ("monitoring.amazonaws.com", "PutMetricData", "cloudwatch:PutMetricData"),
    ("lambda.amazonaws.com", "ListFunctions20150331", "lambda:ListFunctions"),
    ("sts.amazonaws.com", "GetCallerIdentity", "sts:GetCallerIdentity"),
    ("example.amazonaws.com", "DoThing", None),
    ("iam.amazonaws.com", "NotAnAction", None),
]


@pytest.mark.parametrize(("source", "name", "action"), ACTIONS)
def test_action_of(source: str, name: str, action: str | None) -> None:
    assert action_of(source, name) == action


def test_service_last_accessed_only() -> None:
    acct = account()
    usage = principal_usage(AnalysisContext(acct), principal(acct, ALICE), days=90)
    assert usage.granted_services == ("dynamodb", "iam", "s3")
    assert list(usage.used_services) == ["iam", "s3"]
    assert usage.unused_services == ("dynamodb",)
    unused = usage.unused_actions()
    assert "dynamodb:GetItem" in unused and not any(a.startswith(("s3:", "iam:")) for a in unused)
    assert list(principal_usage(AnalysisContext(acct), principal(acct, ALICE), days=400).used_services) == [
        "dynamodb",
        "iam",
        "s3",
    ]


def test_no_source_is_unknown() -> None:
    acct = account(with_sla=False)
    usage = principal_usage(AnalysisContext(acct), principal(acct, ALICE), days=90)
    assert not usage.known and not usage.used_services


def test_cloudtrail_actions(tmp_path: Path) -> None:
    acct = account()
    calls = read_calls(trail(tmp_path))
    usage = principal_usage(AnalysisContext(acct), principal(acct, ALICE), days=90, calls=calls)
    assert [u.action for u in usage.used_actions] == ["iam:CreateUser", "s3:GetObject"]
    get = usage.used_actions[1]
    assert get.count == 2 and get.resources == ("arn:aws:s3:::data/a.csv", "arn:aws:s3:::data/b.csv")
    assert usage.unmapped == ("example.amazonaws.com:DoThing",)
    unused = usage.unused_actions()
    assert {"s3:PutObject", "s3:ListBucket", "iam:GetUser", "dynamodb:GetItem"} <= set(unused)
    assert "s3:GetObject" not in unused and "iam:CreateUser" not in unused
    assert "iam:DeleteUser" not in [u.action for u in usage.used_actions]  # refused: no use


def test_role_sessions_and_not_granted(tmp_path: Path) -> None:
    acct = account()
    usage = principal_usage(AnalysisContext(acct), principal(acct, APP), days=90, calls=read_calls(trail(tmp_path)))
    assert [u.action for u in usage.used_actions] == ["s3:ListBucket"]
    assert usage.not_granted == ("ec2:DescribeInstances",)
    assert list(usage.used_services) == ["s3"]


def lint_blocking(policy: dict[str, Any]) -> list[str]:
    text = json.dumps(policy, indent=2)
    found = lint_policy_text(text, policy_type="identity", source="suggested.json")
    return [f"{f.kind} {f.code} {f.message}" for f in found if f.severity >= KIND_ORDER.index("SECURITY_WARNING")]


def test_suggest_from_cloudtrail(tmp_path: Path) -> None:
    acct = account()
    usage = principal_usage(AnalysisContext(acct), principal(acct, ALICE), days=90, calls=read_calls(trail(tmp_path)))
    suggestion = suggest_policy(usage)
    policy = suggestion.policy()
    assert policy["Statement"] == [
        {"Sid": "IamUsed", "Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*"},
        {
            "Sid": "S3Used",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": ["arn:aws:s3:::data/a.csv", "arn:aws:s3:::data/b.csv"],
        },
    ]
    assert suggestion.removed_services == ("dynamodb",)
    assert {"s3:PutObject", "iam:PassRole", "iam:GetUser"} <= set(suggestion.removed_actions)
    assert lint_blocking(policy) == []


def test_suggest_from_service_data_leaves_out_passrole() -> None:
    acct = account()
    suggestion = suggest_policy(principal_usage(AnalysisContext(acct), principal(acct, ALICE), days=90))
    statements = suggestion.policy()["Statement"]
    assert isinstance(statements, list)
    actions = [a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert sorted(actions) == ["iam:CreateUser", "iam:GetUser", "s3:GetObject", "s3:ListBucket", "s3:PutObject"]
    assert any("iam:PassRole left out" in n for n in suggestion.notes)
    assert all(s.basis == "service-last-accessed" for s in suggestion.statements)
    assert lint_blocking(suggestion.policy()) == []


@pytest.mark.skipif(not DEMO.is_file(), reason="demo account missing")
def test_every_demo_suggestion_passes_the_linter() -> None:
    from iamwarden.collect.snapshot import read_snapshot
    from iamwarden.model import build_account

    acct = build_account(read_snapshot(DEMO))
    checked = 0
    everyone: list[User | Role] = [*acct.users, *acct.roles]
    for p in everyone:
        if p.service_last_accessed is None:
            continue
        suggestion = suggest_policy(
            principal_usage(AnalysisContext(acct), p, days=90, as_of=datetime(2026, 11, 20, 12, tzinfo=UTC))
        )
        if suggestion.statements:
            assert lint_blocking(suggestion.policy()) == [], p.arn
            checked += 1
    assert checked >= 20


BASE = {"@partition": "aws", "@account": "111122223333", "@region": "eu-west-1"}
BUILT = [
    ("iam:CreateUser", {"userName": "bob"}, f"{PREFIX}user/bob"),
    ("iam:CreateUser", {"userName": "bob", "path": "/ops/"}, f"{PREFIX}user/ops/bob"),
    ("iam:GetUser", {"userName": "alice"}, ALICE),
    ("iam:GetRole", {"roleName": "app"}, APP),  # the role's path comes from the account
    ("s3:ListBucket", {"bucketName": "data"}, "arn:aws:s3:::data"),
    ("dynamodb:GetItem", {"tableName": "orders"}, "arn:aws:dynamodb:eu-west-1:111122223333:table/orders"),
    (
        "secretsmanager:GetSecretValue",
        {"secretId": "db"},
        "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-??????",
    ),
    ("s3:GetObject", {"bucketName": "data", "key": "a.csv"}, None),  # key does not name ObjectName: not guessed
    ("kms:Decrypt", {"keyId": "alias/app"}, None),  # an alias is not a key id
    ("dynamodb:GetItem", {"tableName": "t*"}, None),  # no wildcard from the logs
    ("ec2:DescribeInstances", {}, None),  # takes only '*'
]


@pytest.mark.parametrize(("action", "parameters", "arn"), BUILT)
def test_arn_from_parameters(action: str, parameters: dict[str, str], arn: str | None) -> None:
    assert arn_from_parameters(action, BASE | parameters, account()) == arn


def test_suggest_builds_arns_from_parameters(tmp_path: Path) -> None:
    identity = {"type": "IAMUser", "arn": ALICE}
    records = [
        {
            "eventSource": "iam.amazonaws.com",
            "eventName": "CreateUser",
            "eventTime": "2026-11-20T00:00:00Z",
            "userIdentity": identity,
            "requestParameters": {"userName": "bob"},
        },
        {
            "eventSource": "iam.amazonaws.com",
            "eventName": "CreateUser",
            "eventTime": "2026-11-21T00:00:00Z",
            "userIdentity": identity,
            "requestParameters": {"userName": "carol", "path": "/ops/"},
        },
        {
            "eventSource": "iam.amazonaws.com",
            "eventName": "GetUser",
            "eventTime": "2026-11-21T00:00:00Z",
            "userIdentity": identity,
        },  # no parameters: any user
    ]
    path = tmp_path / "t.json"
    path.write_text(json.dumps(records))
    acct = account()
    suggestion = suggest_policy(
        principal_usage(AnalysisContext(acct), principal(acct, ALICE), days=90, calls=read_calls(path))
    )
    statements = suggestion.policy()["Statement"]
    assert isinstance(statements, list)
    # s3 stays at service level (service-last-accessed only); iam is narrowed by the logs
    assert [st for st in statements if st["Sid"].startswith("Iam")] == [
        {
            "Sid": "IamUsed",
            "Effect": "Allow",
            "Action": "iam:CreateUser",
            "Resource": [f"{PREFIX}user/bob", f"{PREFIX}user/ops/carol"],
        },
        {"Sid": "IamUsed2", "Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"},
    ]
    assert lint_blocking(suggestion.policy()) == []
