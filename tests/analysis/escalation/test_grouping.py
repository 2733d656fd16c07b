"""The escalation edges decide targets in groups (targets the principal's policies cannot tell apart, roles with the
same trust document, passable roles of one service): on random small accounts, the edges found must be exactly those
the policy engine allows when asked about every target one by one, and the effective permissions must say the same
as the engine for the same requests (engine vs effective permissions vs escalation edges)."""

from __future__ import annotations

import random

import pytest

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.effective import effective_access
from iamwarden.analysis.escalation.edges import EdgeFinder
from iamwarden.analysis.permissions import WITHOUT_MFA
from iamwarden.analysis.principals import principal_policies
from iamwarden.model import Account
from iamwarden.policy import Policy, Request, evaluate, parse_policy
from tests.analysis.escalation.accounts import ADMIN_POLICY, ROOT_TRUST, AccountSpec, Json, allow, doc, trust
from tests.checks.harness import PREFIX

ROLES = 8
ALLOW_ROLE = parse_policy(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"{PREFIX}root"}, "Action": "sts:AssumeRole"}],
    },
    name="a trust policy that defers to the account",
)
USERS = 4
LAMBDA = "lambda.amazonaws.com"


def _role(i: int) -> str:
    return f"{PREFIX}role/r{i}"


def _trusts(rng: random.Random) -> list[Json]:
    user = f"{PREFIX}user/u{rng.randrange(USERS)}"
    return [
        ROOT_TRUST,
        trust({"AWS": user}),
        trust({"Service": LAMBDA}),
        trust({"Service": "ec2.amazonaws.com"}),
        doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"{PREFIX}root"},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        ),
        doc(
            {"Effect": "Allow", "Principal": {"AWS": f"{PREFIX}root"}, "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "Principal": {"AWS": user}, "Action": "sts:AssumeRole"},
        ),
        doc({"Effect": "Allow", "Principal": {"AWS": f"{PREFIX}root", "Service": LAMBDA}, "Action": "sts:AssumeRole"}),
    ]


def _statements(rng: random.Random) -> list[Json]:
    some = _role(rng.randrange(ROLES))
    return [
        allow("sts:AssumeRole"),
        allow("sts:AssumeRole", some),
        allow("sts:AssumeRole", f"{PREFIX}role/r{rng.randrange(ROLES)}*"),
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": some},
        allow("iam:PassRole"),
        allow("iam:PassRole", some),
        allow("iam:PassRole", Condition={"StringEquals": {"iam:PassedToService": LAMBDA}}),
        allow("iam:PassRole", Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}),
        {"Effect": "Deny", "Action": "iam:PassRole", "Resource": _role(rng.randrange(ROLES))},
        allow(["lambda:CreateFunction", "lambda:InvokeFunction"]),
        allow("iam:UpdateAssumeRolePolicy", some),
        allow("iam:UpdateAssumeRolePolicy", [_role(rng.randrange(ROLES)), _role(rng.randrange(ROLES))]),
        allow("iam:UpdateAssumeRolePolicy", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
        # ARNs match case-sensitively (the engine's rule): R1 never names r1
        allow("iam:UpdateAssumeRolePolicy", f"{PREFIX}role/R{rng.randrange(ROLES)}"),
        allow("iam:PassRole", f"{PREFIX}role/R*"),
        # policy variables: the pre-filters take them as wildcards, the engine substitutes them
        allow("iam:UpdateAssumeRolePolicy", f"{PREFIX}role/${{aws:username}}"),
        allow("iam:PassRole", f"{PREFIX}role/${{aws:username}}*"),
        allow("sts:AssumeRole", f"{PREFIX}role/${{aws:username}}"),
    ]


def _account(seed: int) -> Account:
    rng = random.Random(seed)
    spec = AccountSpec()
    for i in range(ROLES):
        admin = rng.random() < 0.4
        spec.role(
            f"r{i}",
            rng.choice(_trusts(rng)),
            inline=None if admin else {"read": doc(allow("s3:GetObject"))},
            attached=[ADMIN_POLICY] if admin else [],
        )
    for i in range(USERS // 2):  # roles named after users, for the statements with ${aws:username}
        spec.role(f"u{i}", rng.choice(_trusts(rng)), inline={"read": doc(allow("s3:GetObject"))})
    # roles AWS manages, and grants its rules overrule (policy/aws_rules.py), from a stream of their own so that the
    # rest of the account is what it was before they were added
    extra = random.Random(seed + 10_000)
    spec.role(
        "AWSServiceRoleForSupport",
        trust({"Service": "support.amazonaws.com"}),
        attached=[ADMIN_POLICY] if extra.random() < 0.5 else [],
        path="/aws-service-role/support.amazonaws.com/",
    )
    spec.role(
        "AWSReservedSSO_Admin_0123456789abcdef",
        doc(
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"{PREFIX}saml-provider/AWSSSO"},
                "Action": "sts:AssumeRoleWithSAML",
            }
        ),
        attached=[ADMIN_POLICY],
        path="/aws-reserved/sso.amazonaws.com/",
    )
    for i in range(USERS):
        chosen = rng.sample(_statements(rng), rng.randint(1, 5))
        inline = {"p": doc(*chosen)}
        if extra.random() < 0.6:
            inline["managed"] = doc(*extra.sample(AWS_RULED, extra.randint(1, len(AWS_RULED))))
        spec.user(f"u{i}", inline=inline)
    return spec.build()


AWS_RULED: list[Json] = [
    allow(["iam:DeleteRole", "iam:AttachRolePolicy", "iam:TagRole"]),
    allow(["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:SetDefaultPolicyVersion"]),
    allow(["kms:ListKeys", "kms:CreateKey", "kms:Decrypt"]),
    {"Effect": "Deny", "Action": "sts:*", "Resource": "*"},
]
"""Grants AWS's own rules overrule: changes to roles and policies AWS manages, KMS actions that name no key, and a
deny that sts:GetCallerIdentity ignores."""


def _allowed(
    account: Account,
    user: str,
    action: str,
    resource: str,
    context: dict[str, str] | None = None,
    trust_policy: Policy | None = None,
) -> bool:
    pp = principal_policies(AnalysisContext(account), next(u for u in account.users if u.arn == user))
    return evaluate(
        Request(user, action, resource, {"aws:RequestedRegion": pp.region, **WITHOUT_MFA, **(context or {})}),
        identity_policies=pp.identity,
        resource_policy=trust_policy,
        permission_boundary=pp.boundary,
        scps=pp.scps,
        management_account=pp.management_account,
    ).allowed


def _expected(account: Account, finder: EdgeFinder, user: str) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    region = account.first_region
    function = f"arn:aws:lambda:{region}:{account.account_id}:function:iamwarden-escalation"
    can_lambda = all(_allowed(account, user, a, function) for a in ("lambda:CreateFunction", "lambda:InvokeFunction"))
    passed = {"iam:PassedToService": LAMBDA}
    for role in account.roles:
        trust_policy = finder.facts.trusts.get(role.arn)
        if trust_policy is not None and _allowed(account, user, "sts:AssumeRole", role.arn, None, trust_policy):
            out.add(("sts-001", role.arn))
        if _allowed(account, user, "iam:UpdateAssumeRolePolicy", role.arn):
            out.add(("iam-012", role.arn))
        if (
            can_lambda
            and finder.service_may_assume(LAMBDA, role)
            and _allowed(account, user, "iam:PassRole", role.arn, passed)
        ):
            out.add(("lambda-001", role.arn))
    return out


SEEDS = range(40)
TECHNIQUES = ("sts-001", "iam-012", "lambda-001")


def _found(finder: EdgeFinder, user: str) -> set[tuple[str, str]]:
    return {(e.technique, e.target) for e in finder.edges_from(user) if e.technique in TECHNIQUES}


@pytest.mark.parametrize("seed", SEEDS)
def test_grouped_decisions_match_one_decision_per_target(seed: int) -> None:
    account = _account(seed)
    finder = EdgeFinder(AnalysisContext(account), per_technique=None)
    for user in (u.arn for u in account.users):
        assert _found(finder, user) == _expected(account, finder, user), f"seed {seed}, {user}"


@pytest.mark.parametrize("seed", SEEDS)
def test_effective_permissions_agree_with_the_engine_and_the_edges(seed: int) -> None:
    """The same requests the edges are made of, decided by the effective-permissions index with the whole context,
    on roles and policies AWS manages too (service-linked and Identity Center roles, AWS managed policies)."""
    account = _account(seed)
    context = AnalysisContext(account)
    finder = EdgeFinder(context, per_technique=None)
    region = account.regions[0] if account.regions else "us-east-1"
    for user in account.users:
        access = effective_access(context, user)
        found = _found(finder, user.arn)
        for role in account.roles:
            for action, extra, technique in (
                ("iam:UpdateAssumeRolePolicy", {}, "iam-012"),
                ("iam:PassRole", {"iam:PassedToService": LAMBDA}, None),
                ("sts:AssumeRole", {}, None),
                ("iam:DeleteRole", {}, None),
                ("iam:AttachRolePolicy", {}, None),
                ("iam:TagRole", {}, None),
            ):
                ctx = {"aws:RequestedRegion": region, **WITHOUT_MFA, **extra}
                answer = access.decide(action, role.arn, ctx, complete=True)
                engine = _allowed(account, user.arn, action, role.arn, extra)
                assert (answer.decision == "allowed") is engine, (seed, user.arn, action, role.arn)
                if action == "sts:AssumeRole":  # a trust policy must allow too: never allowed by the identity side
                    assert answer.decision != "allowed"
                    assert answer.needs_resource_policy is (answer.identity_decision == "allowed")
                    assert (answer.identity_decision == "allowed") is _allowed(
                        account, user.arn, action, role.arn, extra, ALLOW_ROLE
                    )
                if technique is not None:
                    assert ((technique, role.arn) in found) is engine, (seed, user.arn, role.arn)
        key = f"arn:aws:kms:{region}:{account.account_id}:key/k1"
        for action, resource in (
            ("iam:CreatePolicyVersion", ADMIN_POLICY),
            ("iam:DeletePolicy", ADMIN_POLICY),
            ("iam:CreatePolicyVersion", f"{PREFIX}policy/mine"),
            ("sts:GetCallerIdentity", "*"),
            ("kms:ListKeys", "*"),
            ("kms:CreateKey", "*"),
            ("kms:Decrypt", key),
        ):
            ctx = {"aws:RequestedRegion": region, **WITHOUT_MFA}
            answer = access.decide(action, resource, ctx, complete=True)
            engine = _allowed(account, user.arn, action, resource)
            assert (answer.decision == "allowed") is engine, (seed, user.arn, action, resource)


def test_the_random_accounts_have_edges_of_each_kind_and_principals_without() -> None:
    """The comparison above means something: across the seeds every technique has edges, and some users have none."""
    edges: dict[str, int] = dict.fromkeys(TECHNIQUES, 0)
    without = 0
    for seed in SEEDS:
        account = _account(seed)
        finder = EdgeFinder(AnalysisContext(account), per_technique=None)
        for user in account.users:
            found = _found(finder, user.arn)
            without += not found
            for technique, _ in found:
                edges[technique] += 1
    assert all(n >= 5 for n in edges.values()), edges
    assert without >= 5


def test_the_random_accounts_hold_requests_aws_decides_itself() -> None:
    """The comparison covers AWS's own rules: across the seeds, AWS refuses changes to the roles and policies it
    manages that the policies allow, and allows sts:GetCallerIdentity under a deny."""
    decided: dict[str, int] = {}
    for seed in SEEDS[:10]:
        account = _account(seed)
        for user in account.users:
            pp = principal_policies(AnalysisContext(account), user)
            requests = [("iam:DeleteRole", r.arn) for r in account.roles]
            requests += [("iam:CreatePolicyVersion", ADMIN_POLICY), ("sts:GetCallerIdentity", "*")]
            for action, resource in requests:
                decision = evaluate(Request(user.arn, action, resource), identity_policies=pp.identity)
                if any(r.policy == "AWS" for r in decision.reasons):
                    decided[action] = decided.get(action, 0) + 1
    assert all(decided.get(a, 0) >= 5 for a in ("iam:DeleteRole", "iam:CreatePolicyVersion", "sts:GetCallerIdentity"))
