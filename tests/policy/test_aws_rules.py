"""Requests AWS decides itself (policy/aws_rules.py). The decisions are table cases in conformance/aws_*.json and
conformance/kms_aliases_and_keyless_actions.json, each table citing its page; here: the reason says why, every rule
cites a page, and the escalation analysis, which asks the engine, finds no path through a role AWS manages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.escalation import EscalationGraph, principal_escalation
from iamwarden.policy import Request, evaluate, parse_policy
from iamwarden.policy.aws_rules import RULES
from tests.analysis.escalation.accounts import ADMIN_POLICY, AccountSpec, allow, doc, trust
from tests.checks.harness import PREFIX

ADMIN = parse_policy({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})
ALICE = f"{PREFIX}user/alice"
CONFORMANCE = Path(__file__).parent / "conformance"


def test_every_rule_cites_its_page_and_has_table_cases() -> None:
    tables = {json.loads(p.read_text())["source"] for p in CONFORMANCE.glob("*.json")}
    for rule in RULES:
        assert rule.source.startswith("https://docs.aws.amazon.com/")
    # each page is cited by a table of cases (the GetSessionToken page by the STS table's title)
    assert {r.source for r in RULES} - tables == {r.source for r in RULES if r.id == "get-session-token"}


def test_the_reason_says_aws_manages_the_role() -> None:
    role = f"{PREFIX}role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"
    decision = evaluate(Request(ALICE, "iam:PutRolePolicy", role), identity_policies=[ADMIN])
    assert decision.decision == "implicit_deny"
    assert decision.not_allowing == ("resource",)
    allow_reason, aws_reason = decision.reasons
    assert allow_reason.effect == "Allow" and allow_reason.policy_type == "identity"
    assert (aws_reason.effect, aws_reason.policy_type, aws_reason.policy) == ("NotAllowed", "resource", "AWS")
    assert aws_reason.detail.startswith("AWS manages this role (IAM Identity Center)")
    assert "identity-center-and-iam-roles.html" in aws_reason.detail
    assert decision.to_json()["reasons"][1]["detail"] == aws_reason.detail


def test_get_caller_identity_says_it_needs_no_permission() -> None:
    deny = parse_policy({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}})
    decision = evaluate(Request(ALICE, "sts:GetCallerIdentity"), identity_policies=[deny])
    assert decision.allowed
    (reason,) = decision.reasons
    assert (reason.effect, reason.policy) == ("Allow", "AWS")
    assert "needs no permission" in reason.detail


def _escalation_targets(role_path: str) -> set[str]:
    """Every role an attacker that may edit any role's policies and trust reaches, in an account whose only
    administrator is a role under ``role_path``."""
    spec = AccountSpec()
    edit = ["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "sts:AssumeRole"]
    attacker = spec.user("attacker", inline={"edit": doc(allow(edit))})
    saml = trust({"Federated": f"{PREFIX}saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"})
    name = "AWSReservedSSO_AdministratorAccess_0123456789abcdef"
    spec.role(name, saml, attached=[ADMIN_POLICY])
    entry = spec.roles[-1]
    entry["Path"] = role_path
    entry["Arn"] = f"{PREFIX}role{role_path}{name}"
    found = principal_escalation(EscalationGraph(AnalysisContext(spec.build())), attacker)
    return {hop.target for path in found.paths for hop in path.hops}


@pytest.mark.parametrize(
    ("path", "reachable"),
    [
        ("/", True),  # the control: an ordinary administrator role is taken over by editing it
        ("/aws-reserved/sso.amazonaws.com/", False),  # IAM Identity Center's role cannot be edited
        ("/aws-reserved/sso.amazonaws.com/eu-west-1/", False),
    ],
)
def test_escalation_finds_no_path_through_an_identity_center_role(path: str, reachable: bool) -> None:
    role = f"{PREFIX}role{path}AWSReservedSSO_AdministratorAccess_0123456789abcdef"
    assert (role in _escalation_targets(path)) is reachable


def test_the_keyless_kms_actions_are_those_of_the_catalogue_without_a_resource_type() -> None:
    from iamwarden.policy.catalogue import catalogue
    from iamwarden.policy.combination import KMS_KEYLESS_ACTIONS

    cat = catalogue()
    assert {a.full_name.lower() for a in cat.actions("kms") if not cat.arn_formats(a)} == KMS_KEYLESS_ACTIONS
