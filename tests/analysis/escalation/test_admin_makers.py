"""Principals that can make other principals administrators without using that access themselves (issue 12: "a role
with iam:PutUserPolicy on every user; a user with iam:AttachRolePolicy on roles it cannot assume"), as table cases.

IAM User Guide, "Managing IAM policies" (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_manage.html)
and "Modifying a role trust policy" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html):
whoever may put or attach a policy to an identity, or change a role's trust policy, decides what that identity may do
or who may use it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.escalation import EscalationGraph, principal_escalation
from tests.analysis.escalation.accounts import ADMIN_POLICY, ROOT_TRUST, AccountSpec, allow, doc, trust
from tests.checks.harness import PREFIX

MAKER = f"{PREFIX}role/maker"
BOB = f"{PREFIX}user/bob"
READ_ONLY = {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}
NOBODY_TRUST = trust({"Service": "ec2.amazonaws.com"})
"""The maker's own trust: nobody in the account can assume it, so it has no path of its own."""


def _account(maker_policy: dict[str, object], extra: Callable[[AccountSpec], None] | None = None) -> AccountSpec:
    spec = AccountSpec()
    spec.role("maker", NOBODY_TRUST, inline={"p": doc(maker_policy)})
    spec.user("alice", inline={"read": doc(allow("s3:GetObject"))})
    spec.role("worker", NOBODY_TRUST, inline={"read": doc(allow("s3:GetObject"))})
    spec.role("admin", ROOT_TRUST, attached=[ADMIN_POLICY])
    if extra is not None:
        extra(spec)
    return spec


def _with_group(spec: AccountSpec) -> None:
    spec.group("team", inline={"read": doc(allow("s3:GetObject"))})
    spec.group("admins", attached=[ADMIN_POLICY])
    spec.user("bob", groups=["team"])


Extra = Callable[[AccountSpec], None] | None
CASES: list[tuple[str, dict[str, object], Extra, str, str | None]] = [
    # (name, the maker's one statement, account additions, technique expected, a target it names or None)
    ("put-user-policy", allow("iam:PutUserPolicy"), None, "iam-018", f"{PREFIX}user/alice"),
    (
        "attach-role-policy",
        allow("iam:AttachRolePolicy", f"{PREFIX}role/w*", Condition={"ArnEquals": {"iam:PolicyARN": ADMIN_POLICY}}),
        None,
        "iam-014",
        f"{PREFIX}role/worker",
    ),
    (
        "put-group-policy",
        allow("iam:PutGroupPolicy", f"{PREFIX}group/team"),
        _with_group,
        "iam-011",
        f"{PREFIX}user/bob",
    ),
    (
        "add-to-admin-group",
        allow("iam:AddUserToGroup", f"{PREFIX}group/admins"),
        _with_group,
        "iam-013",
        f"{PREFIX}user/alice",
    ),
    (
        # a condition on a key the caller sets is no protection (global condition keys, aws:UserAgent)
        "put-user-policy-from-the-right-client",
        allow("iam:PutUserPolicy", Condition={"StringEquals": {"aws:UserAgent": "ops-console"}}),
        None,
        "iam-018",
        f"{PREFIX}user/alice",
    ),
    (
        "put-user-policy-from-a-network-the-attacker-is-not-in",
        allow("iam:PutUserPolicy", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
        None,
        "",
        None,
    ),
    ("read-only", allow("iam:Get*"), None, "", None),
    (
        "attach-a-read-only-policy-only",
        allow(
            "iam:AttachRolePolicy", Condition={"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}
        ),
        None,
        "",
        None,
    ),
]


@pytest.mark.parametrize(("name", "statement", "extra", "technique", "target"), CASES, ids=[c[0] for c in CASES])
def test_making_another_principal_an_administrator(
    name: str,
    statement: dict[str, object],
    extra: Callable[[AccountSpec], None] | None,
    technique: str,
    target: str | None,
) -> None:
    graph = EscalationGraph(AnalysisContext(_account(statement, extra).build()))
    found = principal_escalation(graph, MAKER)
    assert not found.paths, "the maker itself has no path in these accounts"
    if not technique:
        assert not found.admin_makings
        return
    (making,) = [m for m in found.admin_makings if m.technique == technique]
    assert target in making.targets
    assert MAKER not in making.targets
    assert f"{PREFIX}role/admin" not in making.targets  # already an administrator
    evidence = found.to_json()["can_make_administrators"]
    assert any(e["technique"] == technique and e["targets"] == len(making.targets) for e in evidence)
    chosen = [s for e in evidence for s in e.get("satisfies", [])]
    assert chosen == (["aws:UserAgent 'ops-console': the attacker's client sends it"] if "client" in name else [])


SSO_READ_ONLY = f"{PREFIX}role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly_0123456789abcdef"


def _with_identity_center_role(spec: AccountSpec) -> None:
    spec.role(
        "AWSReservedSSO_ReadOnly_0123456789abcdef",
        doc(
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"{PREFIX}saml-provider/AWSSSO"},
                "Action": "sts:AssumeRoleWithSAML",
            }
        ),
        inline={"read": doc(allow("s3:GetObject"))},
        path="/aws-reserved/sso.amazonaws.com/",
    )


def test_a_role_aws_manages_does_not_hide_the_roles_matched_with_it() -> None:
    """``iam:PutRolePolicy`` on ``role/*`` matches an IAM Identity Center role and the customer's roles alike, but AWS
    refuses the request on the Identity Center role whatever the policy says (IAM Identity Center User Guide,
    https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-and-iam-roles.html). The engine's
    answer for one must not stand for the others: before, the analysis asked about one member of the group of roles
    the statement matches, picked in hash order, and shared its answer, so the same account was reported differently
    from run to run."""
    refuse_self = {"Effect": "Deny", "Action": "iam:PutRolePolicy", "Resource": MAKER}
    spec = AccountSpec()
    spec.role("maker", NOBODY_TRUST, inline={"p": doc(allow("iam:PutRolePolicy", f"{PREFIX}role/*"), refuse_self)})
    spec.role("worker", NOBODY_TRUST, inline={"read": doc(allow("s3:GetObject"))})
    spec.role("admin", ROOT_TRUST, attached=[ADMIN_POLICY])
    _with_identity_center_role(spec)
    graph = EscalationGraph(AnalysisContext(spec.build()))
    decisions = graph.finder.decisions
    pp = graph.finder.facts.policies[MAKER]
    assert not decisions.decide(pp, "iam:PutRolePolicy", SSO_READ_ONLY).allowed  # AWS manages this role
    assert decisions.decide(pp, "iam:PutRolePolicy", f"{PREFIX}role/worker").allowed
    (making,) = principal_escalation(graph, MAKER).admin_makings
    assert making.technique == "iam-017"
    assert f"{PREFIX}role/worker" in making.targets
    assert SSO_READ_ONLY not in making.targets


def test_roles_matched_alike_are_told_apart_by_the_tags_a_condition_reads() -> None:
    """A condition on the target's tags (``aws:ResourceTag/app``; IAM User Guide, "Controlling access to AWS
    resources using tags": https://docs.aws.amazon.com/IAM/latest/UserGuide/access_tags.html) holds for the role that
    carries the tag and not for the one that does not, though the statement's ``Resource`` matches both. Before, the
    two shared the answer for whichever was asked first."""
    tagged = allow(
        "iam:PutRolePolicy", f"{PREFIX}role/etl-*", Condition={"StringEquals": {"aws:ResourceTag/app": "etl"}}
    )
    spec = AccountSpec()
    spec.role("maker", NOBODY_TRUST, inline={"p": doc(tagged)})
    spec.role("etl-tagged", NOBODY_TRUST, inline={"read": doc(allow("s3:GetObject"))}, tags={"app": "etl"})
    spec.role("etl-untagged", NOBODY_TRUST, inline={"read": doc(allow("s3:GetObject"))})
    graph = EscalationGraph(AnalysisContext(spec.build()))
    (making,) = principal_escalation(graph, MAKER).admin_makings
    assert making.targets == (f"{PREFIX}role/etl-tagged",)
    pp = graph.finder.facts.policies[MAKER]
    parts = graph.finder.targets.partition(pp, "iam:PutRolePolicy", "role", graph.finder.targets.pool("role"))
    assert {f"{PREFIX}role/etl-tagged"} in parts and {f"{PREFIX}role/etl-untagged"} in parts
