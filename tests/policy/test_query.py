"""The query API answers as the engine decides: resource matching (case and all), statement state, how policy types
combine, and which requests need a resource policy."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from iamwarden.policy import Policy, Request, evaluate, parse_policy
from iamwarden.policy.matching import ResourcePattern
from iamwarden.policy.query import (
    UndecidedResource,
    all_of,
    allow_resource_patterns,
    any_of,
    combine,
    context_keys,
    loose_pattern,
    matching_arns,
    needs_resource_policy,
    statement_state,
)

ACCOUNT = "111122223333"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
RESOURCE_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"
OPERATORS_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
ACTION_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allowed(action: str, resource: str, identity: list[dict[str, Any]]) -> bool:
    return evaluate(Request(USER, action, resource), identity_policies=[parse_policy(_doc(*identity))]).allowed


# (documentation page, Resource pattern, request action, request resource, matches)
CASE_TABLE: list[tuple[str, str, str, str, bool]] = [
    (RESOURCE_PAGE, f"arn:aws:iam::{ACCOUNT}:user/Bob", "iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/Bob", True),
    (RESOURCE_PAGE, f"arn:aws:iam::{ACCOUNT}:user/Bob", "iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/bob", False),
    (RESOURCE_PAGE, f"arn:aws:iam::{ACCOUNT}:user/B*", "iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/bob", False),
    (OPERATORS_PAGE, "arn:aws:s3:::Bucket/*", "s3:GetObject", "arn:aws:s3:::bucket/key", False),
    (OPERATORS_PAGE, "arn:AWS:s3:::bucket/*", "s3:GetObject", "arn:aws:s3:::bucket/key", False),
    (OPERATORS_PAGE, "arn:aws:S3:::bucket/*", "s3:GetObject", "arn:aws:s3:::bucket/key", False),
    (ACTION_PAGE, f"arn:aws:iam::{ACCOUNT}:user/Bob", "IAM:getuser", f"arn:aws:iam::{ACCOUNT}:user/Bob", True),
]


@pytest.mark.parametrize(("page", "pattern", "action", "resource", "matches"), CASE_TABLE)
def test_resources_match_case_sensitively_and_actions_do_not(
    page: str, pattern: str, action: str, resource: str, matches: bool
) -> None:
    """IAM User Guide (``page``): "In the Resource element, the IAM user name is case sensitive"; ARN operators are a
    "case-sensitive match of the ARN"; action names are not case sensitive."""
    statement = {"Effect": "Allow", "Action": "iam:GetUser" if "iam" in action.lower() else action, "Resource": pattern}
    assert _allowed(action, resource, [statement]) is matches
    compiled = ResourcePattern.compile(pattern)
    assert (resource in matching_arns((compiled,), [resource], {resource})) is matches
    assert loose_pattern(compiled).fullmatch(resource) is matches


PATTERNS = [
    "*",
    f"arn:aws:iam::{ACCOUNT}:role/*",
    f"arn:aws:iam::{ACCOUNT}:role/app-*",
    f"arn:aws:iam::{ACCOUNT}:role/app-?",
    "arn:aws:iam::*:role/App*",
    f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
    f"arn:aws:iam::{ACCOUNT}:role/${{aws:PrincipalTag/team}}-*",
    f"arn:aws:iam::{ACCOUNT}:role/ops/*",
    f"arn:aws:iam::{ACCOUNT}:user/alice",
    "arn:aws:iam::*:*",
]
ARNS = sorted(
    {
        *(f"arn:aws:iam::{ACCOUNT}:role/{n}" for n in ("app-1", "app-12", "App-2", "ops/x", "red-a", "blue-a")),
        *(f"arn:aws:iam::{ACCOUNT}:user/{n}" for n in ("alice", "Alice", "bob")),
        "arn:aws:iam::444455556666:role/App9",
    }
)
CONTEXTS: list[dict[str, str]] = [
    {"aws:username": "alice", "aws:principaltag/team": "red"},
    {"aws:username": "bob", "aws:principaltag/team": "blue"},
    {},
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_matching_arns_is_the_engine_or_a_superset_for_variables(pattern: str) -> None:
    compiled = ResourcePattern.compile(pattern)
    found = matching_arns((compiled,), ARNS, set(ARNS))
    for ctx in CONTEXTS:
        engine = {a for a in ARNS if compiled.matches(a, ctx, set())}
        assert engine <= found
        if compiled.kind != "template":
            assert engine == found
    assert {a for a in ARNS if loose_pattern(compiled).fullmatch(a)} == found


def test_allow_resource_patterns_are_the_compiled_statements() -> None:
    policy = parse_policy(
        _doc(
            {"Effect": "Allow", "Action": "iam:Pass*", "Resource": ["arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"]},
            {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        )
    )
    patterns = allow_resource_patterns(policy, "iam:passrole")
    assert patterns is not None and [p.raw for p in patterns] == ["arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"]
    assert allow_resource_patterns(policy, "ec2:runinstances") == ()
    wide = parse_policy(_doc({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:iam::1:role/a"}))
    assert allow_resource_patterns(wide, "iam:passrole") is None


def test_context_keys_are_condition_keys_and_variables() -> None:
    policy = parse_policy(
        _doc(
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/${aws:username}/*",
                "Condition": {
                    "Bool": {"aws:MultiFactorAuthPresent": "true"},
                    "StringEquals": {"s3:prefix": "${aws:PrincipalTag/team}"},
                },
            }
        )
    )
    assert context_keys(policy) == {
        "aws:username",
        "aws:multifactorauthpresent",
        "s3:prefix",
        "aws:principaltag/team",
    }


STATEMENTS: list[dict[str, Any]] = [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"},
    {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "true"}},
    },
    {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    },
    {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/alice/*"},
]
REQUESTS: list[tuple[str, dict[str, str]]] = [
    ("arn:aws:s3:::b/alice/k", {}),
    ("arn:aws:s3:::b/alice/k", {"aws:SecureTransport": "true", "aws:PrincipalTag/team": "red"}),
    ("arn:aws:s3:::b/bob/k", {"aws:SecureTransport": "false"}),
]


@pytest.mark.parametrize("statement", STATEMENTS)
def test_statement_state_with_the_whole_context_is_the_engine(statement: dict[str, Any]) -> None:
    policy = parse_policy(_doc(statement))
    (st,) = policy.statements
    for resource, context in REQUESTS:
        request = Request(USER, "s3:GetObject", resource, context)
        state, undecided = statement_state(st, resource, request.full_context, None)
        assert state is evaluate(request, identity_policies=[policy]).allowed and not undecided


def test_statement_state_leaves_unknown_keys_undecided() -> None:
    policy = parse_policy(_doc(STATEMENTS[1], STATEMENTS[3]))
    by_resource, by_tag = policy.statements
    ctx = Request(f"arn:aws:iam::{ACCOUNT}:role/r", "s3:GetObject", "arn:aws:s3:::b/x/k").full_context
    known = frozenset(ctx)
    state, undecided = statement_state(by_resource, "arn:aws:s3:::b/x/k", ctx, known)
    assert state is None and undecided == [UndecidedResource(("aws:username",))]
    state, undecided = statement_state(by_tag, "arn:aws:s3:::b/x/k", ctx, known)
    assert state is None and [c.key for c in undecided] == ["aws:PrincipalTag/team"]  # type: ignore[union-attr]


ALLOW = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
OTHER = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}
DENY = {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}


def _policy(*statements: dict[str, Any]) -> Policy:
    return parse_policy(_doc(*statements))


@pytest.mark.parametrize(
    ("identity", "deny", "boundary", "scps"),
    list(itertools.product((True, False), (True, False), (None, True, False), ((), (True,), (True, False), (False,)))),
)
def test_combine_combines_policy_types_as_evaluate(
    identity: bool, deny: bool, boundary: bool | None, scps: tuple[bool, ...]
) -> None:
    """Booleans in, the engine's own decision out: every combination of identity allow, deny, boundary and SCP
    levels, with real policies."""
    identity_policies = [_policy(ALLOW if identity else OTHER, *([DENY] if deny else []))]
    permission_boundary = None if boundary is None else _policy(ALLOW if boundary else OTHER)
    levels = [[_policy(ALLOW if allows else OTHER)] for allows in scps]
    decision = evaluate(
        Request(USER, "s3:GetObject", "arn:aws:s3:::b/k"),
        identity_policies=identity_policies,
        permission_boundary=permission_boundary,
        scps=levels,
    )
    limits = True if boundary is None else boundary
    assert combine(deny, all_of(scps), identity, limits, None, "same") is decision.allowed


def test_combine_is_three_valued() -> None:
    assert combine(None, True, True, True, None, "same") is None
    assert combine(False, True, None, True, None, "same") is None
    assert combine(None, True, True, False, None, "same") is False
    assert combine(None, False, True, True, None, "same") is False
    assert combine(True, None, None, None, None, "same") is False
    assert combine(False, None, True, True, None, "same") is None
    assert combine(False, True, None, None, "direct", "same") is True
    assert combine(False, True, False, None, "role", "same") is None
    assert combine(False, True, True, True, None, "strict") is False
    assert combine(False, True, None, True, "account", "strict") is None
    assert combine(False, True, True, True, None, "cross") is False
    assert combine(False, True, True, None, "account", "cross") is None
    assert any_of([False, None]) is None and any_of([None, True]) is True


@pytest.mark.parametrize(
    "resource",
    [
        f"arn:aws:iam::{ACCOUNT}:role/r",
        "arn:aws:iam::444455556666:role/r",
        f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k",
        "arn:aws:s3:::bucket/k",
        "arn:aws:sqs:us-east-1:444455556666:q",
        "*",
    ],
)
@pytest.mark.parametrize("action", ["sts:AssumeRole", "kms:Decrypt", "s3:GetObject", "sqs:SendMessage"])
def test_needs_resource_policy_is_what_the_identity_side_alone_cannot_allow(action: str, resource: str) -> None:
    request = Request(USER, action, resource)
    alone = evaluate(request, identity_policies=[_policy({"Effect": "Allow", "Action": "*", "Resource": "*"})])
    assert needs_resource_policy(request) is not alone.allowed


def _applies(policy: Policy, effect: str, request: Request) -> bool:
    return any(
        statement_state(st, request.resource, request.full_context, None)[0] is True
        for st in policy.statements_for(request.action_lower)
        if st.effect == effect
    )


def test_random_identity_sides_agree_with_evaluate() -> None:
    rng = random.Random(7)
    choices: list[dict[str, Any]] = [*STATEMENTS, DENY, OTHER]
    for _ in range(200):
        policies = [_policy(*rng.sample(choices, rng.randint(1, 3)))]
        boundary = _policy(*rng.sample(choices, rng.randint(1, 2))) if rng.random() < 0.5 else None
        resource, context = rng.choice(REQUESTS)
        request = Request(USER, "s3:GetObject", resource, context)
        deny = any(_applies(p, "Deny", request) for p in [*policies, *([boundary] if boundary else [])])
        identity = any(_applies(p, "Allow", request) for p in policies)
        limits = True if boundary is None else _applies(boundary, "Allow", request)
        decision = evaluate(request, identity_policies=policies, permission_boundary=boundary)
        assert combine(deny, True, identity, limits, None, "same") is decision.allowed
