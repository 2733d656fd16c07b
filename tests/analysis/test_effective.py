"""Effective permissions agree with the engine.

- Hand-written cases (``effective_cases.yaml``): policies in, decisions and the undecided conditions out.
- Differential: for the demo account and a generated account, thousands of (principal, action, resource, context)
  requests decided by the structure and by :func:`iamwarden.policy.evaluate` with the same policies.
- Property (hypothesis): random identity policies, boundaries and SCP levels (``Action`` / ``NotAction``,
  ``Resource`` / ``NotResource``, wildcards, variables, conditions, denies), same comparison.
- Offline answers are sound: "allowed" means allowed whatever the request context, "denied" means denied whatever it.
"""

from __future__ import annotations

import ipaddress
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.effective import (
    KNOWN_KEYS,
    EffectiveAccess,
    action_index,
    all_effective_access,
    build_shape,
    decide,
)
from iamwarden.analysis.effective_entries import access_entries
from iamwarden.collect.snapshot import read_snapshot
from iamwarden.model import Account, build_account
from iamwarden.policy import Policy, Request, evaluate, parse_policy

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "demo-account.json.gz"
CASES = yaml.safe_load((Path(__file__).parent / "effective_cases.yaml").read_text())
ALICE = "arn:aws:iam::111122223333:user/alice"


@cache
def demo_account() -> Account:
    return build_account(read_snapshot(DEMO))


@cache
def generated_account() -> Account:
    from benchmarks.generate_account import Counts, generate_snapshot

    return build_account(generate_snapshot(Counts.from_principals(120), seed=11))


def _engine(principal: str, policies: Any, action: str, resource: str, context: dict[str, Any]) -> str:
    identity, boundary, scps, management = policies
    request = Request(principal, action, resource, context)
    return evaluate(
        request,
        identity_policies=identity,
        permission_boundary=boundary,
        scps=scps,
        management_account=management,
    ).decision


# ----------------------------------------------------------------------------------------------------------------
# Hand-written cases


def _policies(case: dict[str, Any]) -> tuple[list[Policy], Policy | None, list[list[Policy]]]:
    identity = [parse_policy(d, name=f"identity{i}") for i, d in enumerate(case.get("identity", []))]
    boundary = parse_policy(case["boundary"], name="boundary") if "boundary" in case else None
    scps = [
        [parse_policy(d, name=f"scp{i}.{j}") for j, d in enumerate(level)]
        for i, level in enumerate(case.get("scps", []))
    ]
    return identity, boundary, scps


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    identity, boundary, scps = _policies(case)
    index = action_index()
    shape = build_shape(index, identity, boundary, scps)
    principal = case.get("principal", ALICE)
    for query in case["queries"]:
        context = query.get("context", {})
        answer = decide(
            shape,
            index,
            principal,
            query["action"],
            query.get("resource", "*"),
            context,
            complete=query.get("complete", False),
        )
        where = f"{query['action']} on {query.get('resource', '*')}"
        assert answer.decision == query["decision"], where
        if "conditions" in query:
            assert list(answer.conditions) == query["conditions"], where
        if "identity_decision" in query:
            assert answer.identity_decision == query["identity_decision"], where
        if query.get("complete"):
            assert answer.decision == _engine(
                principal, (identity, boundary, scps, False), query["action"], query.get("resource", "*"), context
            ), where


# ----------------------------------------------------------------------------------------------------------------
# Differential, over real accounts


def _instantiate(pattern: str, rng: random.Random, username: str) -> str:
    out = pattern.replace("${aws:username}", username)
    while "${" in out:
        start = out.index("${")
        end = out.find("}", start)
        if end < 0:
            break
        out = out[:start] + rng.choice(["v", username, "team-a"]) + out[end + 1 :]
    out = "".join(rng.choice(["", "x", "a/b", "x:y", "prod"]) if c == "*" else "q" if c == "?" else c for c in out)
    return out


def _value(raw: str, rng: random.Random) -> Any:
    """A context value near a condition value: equal, inside a CIDR, a wildcard filled, or different."""
    if rng.random() < 0.25:
        return rng.choice(["other", "false", "true", "203.0.113.9", "2020-01-01T00:00:00Z", "5"])
    if "/" in raw and raw[:1].isdigit():
        try:
            net = ipaddress.ip_network(raw, strict=False)
        except ValueError:
            return raw
        return str(net.network_address + min(1, net.num_addresses - 1))
    if "${" in raw:
        return rng.choice(["alice", "team-a", "v"])
    return raw.replace("*", rng.choice(["", "abc"])).replace("?", "q")


def _statements(policies: Any) -> Iterator[Any]:
    identity, boundary, scps, _ = policies
    for p in [*identity, *([boundary] if boundary else []), *(p for level in scps for p in level)]:
        yield from p.statements


def _samples(access: EffectiveAccess, rng: random.Random, n: int) -> Iterator[tuple[str, str, dict[str, Any]]]:
    index = access.index
    pp = access.policies
    policies = (pp.identity, pp.boundary, pp.scps, pp.management_account)
    username = access.principal.name
    actions: list[int] = []
    resources = ["*", "arn:aws:s3:::elsewhere/key", "arn:aws:sqs:us-east-1:999999999999:q"]
    keys: dict[str, list[str]] = {}
    for statement in _statements(policies):
        for pattern in statement.actions:
            ids = list(index.iter_ids(index.pattern_bits(pattern.raw)))
            actions += rng.sample(ids, min(2, len(ids)))
        for pattern in statement.resources or ():
            resources.append(_instantiate(pattern.raw, rng, username))
        for cond in statement.conditions:
            if cond.key_lower not in KNOWN_KEYS:
                keys.setdefault(cond.key, []).extend(cond.values)
    for atom in access.atoms:
        ids = list(index.iter_ids(atom.actions))
        actions += rng.sample(ids, min(2, len(ids)))
    actions += [rng.randrange(index.size) for _ in range(5)]
    for name in ("iam:PassRole", "sts:AssumeRole", "kms:Decrypt", "s3:GetObject", "iam:CreateAccessKey"):
        found = index.id(name)
        assert found is not None
        actions.append(found)
    for _ in range(n):
        context: dict[str, Any] = {}
        for key, values in keys.items():
            if rng.random() < 0.6:
                context[key] = _value(rng.choice(values), rng)
        yield index.names[rng.choice(actions)], rng.choice(resources), context


def _differential(account: Account, per_principal: int, seed: int) -> Counter[str]:
    rng = random.Random(seed)
    seen: Counter[str] = Counter()
    wrong: list[str] = []
    for access in all_effective_access(AnalysisContext(account)):
        pp = access.policies
        policies = (pp.identity, pp.boundary, pp.scps, pp.management_account)
        for action, resource, context in _samples(access, rng, per_principal):
            mine = access.decide(action, resource, context, complete=True).decision
            theirs = _engine(access.arn, policies, action, resource, context)
            seen[theirs] += 1
            seen["boundary" if pp.boundary else "no boundary"] += 1
            seen["scps" if pp.scps else "no scps"] += 1
            if mine != theirs:
                wrong.append(f"{access.arn} {action} {resource} {context}: structure {mine}, engine {theirs}")
    assert not wrong, f"{len(wrong)} disagreements, first: " + "\n".join(wrong[:5])
    return seen


def test_demo_account_agrees_with_the_engine() -> None:
    seen = _differential(demo_account(), 150, seed=1)
    assert sum(seen[d] for d in ("allowed", "explicit_deny", "implicit_deny")) >= 6000
    for what in ("allowed", "explicit_deny", "implicit_deny", "boundary", "scps"):
        assert seen[what] >= 50, (what, seen)


def test_generated_account_agrees_with_the_engine() -> None:
    seen = _differential(generated_account(), 60, seed=2)
    assert sum(seen[d] for d in ("allowed", "explicit_deny", "implicit_deny")) >= 7000
    for what in ("allowed", "explicit_deny", "implicit_deny", "boundary", "scps"):
        assert seen[what] >= 50, (what, seen)


def _offline_soundness(account: Account, seed: int) -> Counter[str]:
    """An offline "allowed" stays allowed under every sampled context; an offline denial stays denied."""
    rng = random.Random(seed)
    seen: Counter[str] = Counter()
    wrong: list[str] = []
    for access in all_effective_access(AnalysisContext(account)):
        pp = access.policies
        policies = (pp.identity, pp.boundary, pp.scps, pp.management_account)
        samples = list(_samples(access, rng, 40))
        for action, resource, _ in samples[:20]:
            offline = access.decide(action, resource).decision
            seen[offline] += 1
            for _, _, context in samples[20:]:
                theirs = _engine(access.arn, policies, action, resource, context)
                if (offline == "allowed" and theirs != "allowed") or (offline.endswith("deny") and theirs == "allowed"):
                    wrong.append(f"{access.arn} {action} {resource} {context}: offline {offline}, engine {theirs}")
    assert not wrong, f"{len(wrong)} unsound, first: " + "\n".join(wrong[:5])
    return seen


def test_offline_answers_are_sound() -> None:
    seen = _offline_soundness(demo_account(), seed=3)
    seen += _offline_soundness(generated_account(), seed=4)
    assert seen["allowed"] >= 20 and seen["conditional"] >= 20, seen


# ----------------------------------------------------------------------------------------------------------------
# Property: random policies

ACTIONS = [
    "*",
    "s3:*",
    "s3:Get*",
    "s3:GetObject",
    "s3:PutObject",
    "s3:?etObject",
    "iam:PassRole",
    "iam:*",
    "ec2:Describe*",
    "*:Get*",
    "sqs:SendMessage",
    "kms:Decrypt",
    "sts:AssumeRole",
]
RESOURCES = [
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/${aws:username}/*",
    "arn:aws:s3:::bucket/secret*",
    "arn:aws:iam::111122223333:role/app-*",
    "arn:aws:*:*:111122223333:*",
    "arn:aws:sqs:*:*:q?",
]
REQUEST_RESOURCES = [
    "*",
    "arn:aws:s3:::bucket/alice/k",
    "arn:aws:s3:::bucket/secret.txt",
    "arn:aws:s3:::bucket/x",
    "arn:aws:iam::111122223333:role/app-1",
    "arn:aws:sqs:us-east-1:111122223333:q1",
    "arn:aws:s3:::other/k",
    "arn:aws:sqs:us-east-1:999999999999:q1",
]
CONDITIONS: list[dict[str, Any]] = [
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"StringEquals": {"aws:username": "alice"}},
    {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
    {"Null": {"aws:SourceVpc": "true"}},
    {"StringLike": {"aws:PrincipalTag/team": "data-*"}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}},
]
CONTEXT_VALUES: dict[str, list[Any]] = {
    "aws:SourceIp": ["10.1.2.3", "192.0.2.1"],
    "aws:MultiFactorAuthPresent": [True, False],
    "aws:RequestedRegion": ["us-east-1", "ap-south-1"],
    "aws:SourceVpc": ["vpc-1"],
    "aws:PrincipalTag/team": ["data-eng", "web"],
    "aws:TagKeys": [["env"], ["owner"]],
}


@st.composite
def statements(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    out["NotAction" if draw(st.integers(0, 4)) == 0 else "Action"] = draw(
        st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3)
    )
    out["NotResource" if draw(st.integers(0, 4)) == 0 else "Resource"] = draw(
        st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=2)
    )
    conditions = draw(st.lists(st.sampled_from(CONDITIONS), max_size=2))
    if conditions:
        block: dict[str, Any] = {}
        for c in conditions:
            for op, kv in c.items():
                block.setdefault(op, {}).update(kv)
        out["Condition"] = block
    return out


def documents(min_size: int = 1) -> st.SearchStrategy[dict[str, Any]]:
    return st.lists(statements(), min_size=min_size, max_size=3).map(
        lambda s: {"Version": "2012-10-17", "Statement": s}
    )


contexts = st.dictionaries(
    st.sampled_from(sorted(CONTEXT_VALUES)), st.integers(0, 1), max_size=len(CONTEXT_VALUES)
).map(lambda picks: {k: CONTEXT_VALUES[k][i % len(CONTEXT_VALUES[k])] for k, i in picks.items()})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    identity=st.lists(documents(), min_size=1, max_size=2),
    boundary=st.one_of(st.none(), documents()),
    scps=st.lists(st.lists(documents(), min_size=1, max_size=2), max_size=2),
    requests=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:ListBucket",
                    "iam:PassRole",
                    "ec2:DescribeVpcs",
                    "sqs:SendMessage",
                    "kms:Decrypt",
                    "sts:AssumeRole",
                    "dynamodb:GetItem",
                ]
            ),
            st.sampled_from(REQUEST_RESOURCES),
            contexts,
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_random_policies_agree_with_the_engine(
    identity: list[dict[str, Any]],
    boundary: dict[str, Any] | None,
    scps: list[list[dict[str, Any]]],
    requests: Sequence[tuple[str, str, dict[str, Any]]],
) -> None:
    ids = [parse_policy(d, name=f"i{n}") for n, d in enumerate(identity)]
    bnd = parse_policy(boundary, name="boundary") if boundary else None
    levels = [[parse_policy(d, name=f"scp{n}") for n, d in enumerate(level)] for level in scps]
    index = action_index()
    shape = build_shape(index, ids, bnd, levels)
    for action, resource, context in requests:
        mine = decide(shape, index, ALICE, action, resource, context, complete=True)
        theirs = _engine(ALICE, (ids, bnd, levels, False), action, resource, context)
        assert mine.decision == theirs, (action, resource, context)
        offline = decide(shape, index, ALICE, action, resource).decision
        if offline == "allowed":
            assert theirs == "allowed", (action, resource, context)
        elif offline.endswith("deny"):
            assert theirs != "allowed", (action, resource, context)


# ----------------------------------------------------------------------------------------------------------------
# Listing


def test_listing_collapses_a_whole_service_and_reports_conditions() -> None:
    identity = [
        parse_policy(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                    {
                        "Effect": "Allow",
                        "Action": "ec2:Describe*",
                        "Resource": "*",
                        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
                    },
                    {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
                ],
            },
            name="p",
        )
    ]
    account = demo_account()
    user = account.users[0]
    from iamwarden.analysis.effective import EffectiveAccess
    from iamwarden.analysis.principals import PrincipalPolicies

    index = action_index()
    access = EffectiveAccess(
        user, PrincipalPolicies(user, tuple(identity), None, (), False), build_shape(index, identity, None, ()), index
    )
    entries = {(e.service, e.status): e for e in access_entries(access)}
    s3 = entries[("s3", "allowed")]
    assert "s3:DeleteBucket" not in s3.actions and "s3:GetObject" in s3.actions and "s3:*" not in s3.actions
    ec2 = entries[("ec2", "conditional")]
    assert ec2.conditions == ("aws:SourceIp in 10.0.0.0/8",)
    assert all(a.startswith("ec2:Describe") for a in ec2.actions)


def _listing(*statements: dict[str, Any]) -> list[Any]:
    from iamwarden.analysis.effective import EffectiveAccess
    from iamwarden.analysis.principals import PrincipalPolicies

    identity = [parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, name="p")]
    user = demo_account().users[0]
    index = action_index()
    shape = build_shape(index, identity, None, ())
    access = EffectiveAccess(user, PrincipalPolicies(user, tuple(identity), None, (), False), shape, index)
    return access_entries(access, service="s3")


def test_a_deny_covering_the_grant_removes_it_a_narrower_one_is_a_limit() -> None:
    covered = _listing(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/x/*"},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
    )
    assert covered == []
    narrower = _listing(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/x/*"},
    )
    assert len(narrower) == 1 and narrower[0].status == "conditional"
    assert narrower[0].limits == ("denied by p statement #1 on arn:aws:s3:::b/x/*",)
    # a deny pattern with ? is not trusted to cover (b/? does not include b/xy)
    single = _listing(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/?"},
    )
    assert len(single) == 1 and single[0].limits


def test_listing_knows_the_aws_rules() -> None:
    """AWS's own rules (policy/aws_rules.py) in the listing: sts:GetCallerIdentity without any grant, and a limit
    where a grant reaches roles AWS manages; a grant that cannot reach them has none."""
    nothing = _listing_all()
    sts = [e for e in nothing if e.service == "sts"]
    assert [(e.actions, e.aws_rules, e.granted_by) for e in sts] == [
        (("sts:GetCallerIdentity", "sts:GetSessionToken"), ("get-caller-identity", "get-session-token"), ())
    ]
    wide = _listing_all({"Effect": "Allow", "Action": "iam:DeleteRole", "Resource": "*"})
    (iam,) = [e for e in wide if e.service == "iam"]
    assert iam.status == "allowed" and iam.limits == ()  # like `excluded`, AWS's limits leave the status
    account = user_account()
    assert iam.aws_limits == (
        f"AWS manages arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/*: iam:DeleteRole refused there "
        "(identity-center-role)",
        f"AWS manages arn:aws:iam::{account}:role/aws-service-role/*: iam:DeleteRole refused there "
        "(service-linked-role)",
    )
    narrow = _listing_all({"Effect": "Allow", "Action": "iam:DeleteRole", "Resource": "arn:aws:iam::*:role/app-*"})
    (iam,) = [e for e in narrow if e.service == "iam"]
    assert iam.status == "allowed" and iam.aws_limits == ()


def user_account() -> str:
    return demo_account().users[0].arn.split(":")[4]


def _listing_all(*statements: dict[str, Any]) -> list[Any]:
    from iamwarden.analysis.effective import EffectiveAccess
    from iamwarden.analysis.principals import PrincipalPolicies

    doc = {"Version": "2012-10-17", "Statement": list(statements)}
    identity = [parse_policy(doc, name="p")] if statements else []
    user = demo_account().users[0]
    index = action_index()
    shape = build_shape(index, identity, None, ())
    access = EffectiveAccess(user, PrincipalPolicies(user, tuple(identity), None, (), False), shape, index)
    return access_entries(access)
