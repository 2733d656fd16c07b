"""Effective permissions from the engine: admin however written, bounded by boundaries, denies and SCPs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.permissions import (
    ADMIN_PROBES,
    PRIVILEGED_ACTIONS,
    SENSITIVE_SERVICES,
    WITH_MFA,
    _decide,
    admin_for,
    granted_somewhere,
    policy_admin,
    principal_admin,
    service_wide_grants,
)
from iamwarden.analysis.principals import principal_policies
from iamwarden.policy import parse_policy
from tests.checks.harness import build_case_account

ACCOUNT = "111122223333"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.mark.parametrize(
    ("document", "admin"),
    [
        (_doc({"Effect": "Allow", "Action": "*", "Resource": "*"}), True),
        (_doc({"Effect": "Allow", "Action": "*:*", "Resource": "*"}), True),
        (
            _doc(
                {"Effect": "Allow", "NotAction": "iam:CreateUser", "Resource": "*"},
                {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            ),
            True,
        ),
        (_doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}), False),
        (_doc({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::secret/*"}), True),
        (_doc({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket/*"}), False),
        (_doc({"Effect": "Allow", "Action": ["iam:*", "sts:*", "s3:*", "ec2:*"], "Resource": "*"}), False),
    ],
)
def test_policy_admin_is_decided_by_the_engine(document: dict[str, Any], admin: bool) -> None:
    assert policy_admin(parse_policy(document), ACCOUNT).admin is admin


def test_mfa_conditioned_admin_is_admin_with_mfa_only() -> None:
    doc = _doc(
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    )
    verdict = policy_admin(parse_policy(doc), ACCOUNT)
    assert verdict.with_mfa and not verdict.without_mfa


def test_kms_wildcard_is_seen_through_the_default_key_policy() -> None:
    grants, errors = service_wide_grants(
        parse_policy(_doc({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})), ACCOUNT
    )
    assert [g.service for g in grants] == ["kms"] and errors == ()


def _org_account(scp: dict[str, Any], management: str = "999988887777") -> Any:
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    return build_case_account(
        {
            "users": [{"name": "alice", "attached": [admin]}],
            "policies": [{"arn": admin, "document": _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})}],
            "records": [
                {
                    "api": "organizations:DescribeOrganization",
                    "response": {"Organization": {"Id": "o-1", "MasterAccountId": management}},
                },
                {
                    "api": "organizations:ListParents",
                    "target": ACCOUNT,
                    "response": {"Parents": [{"Id": "r-1", "Type": "ROOT"}]},
                },
                {
                    "api": "organizations:ListPolicies",
                    "target": "SERVICE_CONTROL_POLICY",
                    "response": {"Policies": [{"Id": "p-1", "Name": "guard"}]},
                },
                {
                    "api": "organizations:DescribePolicy",
                    "target": "p-1",
                    "response": {
                        "Policy": {"PolicySummary": {"Id": "p-1", "Name": "guard"}, "Content": json.dumps(scp)}
                    },
                },
                {
                    "api": "organizations:ListTargetsForPolicy",
                    "target": "p-1",
                    "response": {
                        "Targets": [{"TargetId": "r-1", "Type": "ROOT"}, {"TargetId": ACCOUNT, "Type": "ACCOUNT"}]
                    },
                },
            ],
        }
    )


def test_scps_are_applied() -> None:
    allow_all = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    guardrails = _doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["organizations:LeaveOrganization", "cloudtrail:StopLogging"], "Resource": "*"},
    )
    no_iam_writes = _doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["iam:Put*", "iam:Attach*"], "Resource": "*"},
    )
    # Usual guardrails do not hide an administrator; an SCP that takes IAM writes away does.
    for scp, admin in ((allow_all, True), (guardrails, True), (no_iam_writes, False)):
        account = _org_account(scp)
        policies = principal_policies(AnalysisContext(account), account.users_by_name["alice"])
        assert policies.caveats == () and len(policies.scps) == 2
        assert principal_admin(policies).admin is admin


def test_the_decisive_statements_are_named() -> None:
    admin = _doc({"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"})
    reader = _doc({"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    verdict = policy_admin(parse_policy(admin, name="admin"), ACCOUNT)
    assert [(s.policy, s.statement) for s in verdict.statements] == [("admin", "All")]
    both = admin_for(
        "arn:aws:iam::111122223333:user/u", (parse_policy(admin, name="admin"), parse_policy(reader, name="r"))
    )
    assert [(s.policy, s.statement) for s in both.statements] == [("admin", "All")]
    # the evidence says what the statement allows, not the name of the probe action
    assert [s.detail for s in verdict.statements] == [
        'statement All of admin allows the actions of every service ("*" or a NotAction)'
    ]


def test_scps_do_not_apply_in_the_management_account() -> None:
    deny_all = _doc({"Effect": "Deny", "Action": "*", "Resource": "*"})
    account = _org_account(deny_all, management=ACCOUNT)
    policies = principal_policies(AnalysisContext(account), account.users_by_name["alice"])
    assert policies.management_account and policies.scps == ()
    assert principal_admin(policies).admin


PREFILTER_STATEMENTS: list[dict[str, Any]] = [
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
    {"Effect": "Allow", "Action": ["iam:Get*", "s3:GetObject"], "Resource": "*"},
    {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
    {"Effect": "Allow", "NotAction": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"},
    {
        "Effect": "Allow",
        "Action": "kms:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    },
    {"Effect": "Deny", "Action": "*", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:Put*", "Resource": "*"},
    {"Effect": "Allow", "Action": "*:Get*", "Resource": "*"},
]
PROBES = sorted({*ADMIN_PROBES, *PRIVILEGED_ACTIONS, *(p for ps in SENSITIVE_SERVICES.values() for p in ps)})


@pytest.mark.parametrize("statement", PREFILTER_STATEMENTS, ids=[json.dumps(s) for s in PREFILTER_STATEMENTS])
def test_the_engine_allows_nothing_no_allow_statement_covers(statement: dict[str, Any]) -> None:
    """granted_somewhere is a sound shortcut: where it says no, the engine's answer is no as well."""
    policy = parse_policy({"Version": "2012-10-17", "Statement": [statement]})
    user = "arn:aws:iam::111122223333:user/u"
    decisions = _decide(user, PROBES, WITH_MFA, (policy,))
    for probe, decision in zip(PROBES, decisions, strict=True):
        if decision.allowed:
            assert granted_somewhere((policy,), probe), probe
    assert any(granted_somewhere((policy,), p) for p in PROBES) or statement["Effect"] == "Deny"
