"""Trust analysis: foreign principals and OIDC subjects, decided by the engine."""

from __future__ import annotations

import pytest

from iamwarden.analysis.trust import ALLOW_ALL, external_trust, foreign_principals, local_callers, web_identity_trust
from iamwarden.policy import Request, evaluate, parse_policy

ROLE = "arn:aws:iam::111122223333:role/r"
PROVIDER = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"


def test_foreign_principals_skip_the_own_account() -> None:
    doc = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": ["111122223333", "444455556666", "arn:aws:iam::777788889999:role/x"]},
                "Action": "sts:AssumeRole",
            },
            {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"},
        ]
    }
    assert [(p.value, p.kind) for p in foreign_principals(parse_policy(doc), "111122223333")] == [
        ("444455556666", "account"),
        ("arn:aws:iam::777788889999:role/x", "principal"),
    ]


def test_external_id_gates_the_trust() -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "444455556666"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "x"}},
            }
        ],
    }
    (verdict,) = external_trust(parse_policy(doc), ROLE, "111122223333", "aws")
    assert not verdict.open and "sts:externalid" in {k.lower() for k in verdict.decision.missing_context_keys}


def test_github_trust_without_sub_is_open() -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}},
            }
        ],
    }
    (verdict,) = web_identity_trust(parse_policy(doc), ROLE, {})
    assert verdict.open and verdict.allowed_without_sub and verdict.allowed_with_unrelated_sub


ACCOUNT = "111122223333"
USERS = [f"arn:aws:iam::{ACCOUNT}:user/alice", f"arn:aws:iam::{ACCOUNT}:user/ops/Bob"]
TRUST_PRINCIPALS: list[tuple[object, frozenset[str] | None]] = [
    ({"Service": "ec2.amazonaws.com"}, frozenset()),
    ({"Federated": PROVIDER}, frozenset()),
    ({"AWS": "444455556666"}, frozenset()),
    ({"AWS": "arn:aws:iam::444455556666:root"}, frozenset()),
    ({"AWS": USERS[1]}, frozenset({USERS[1].lower()})),
    (
        {"AWS": [USERS[0], f"arn:aws:iam::{ACCOUNT}:role/other"]},
        frozenset({USERS[0], f"arn:aws:iam::{ACCOUNT}:role/other"}),
    ),
    ({"AWS": ACCOUNT}, None),
    ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, None),
    ("*", None),
    ({"AWS": "*"}, None),
    ({"AWS": "AIDAEXAMPLEUNIQUEID1"}, None),
]


@pytest.mark.parametrize(("principal", "expected"), TRUST_PRINCIPALS, ids=[str(p) for p, _ in TRUST_PRINCIPALS])
def test_local_callers_agree_with_the_engine(principal: object, expected: frozenset[str] | None) -> None:
    """Whom the trust names, and the engine never admits a user of the account the answer leaves out."""
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}],
    }
    callers = local_callers(parse_policy(doc), ACCOUNT)
    assert callers == expected
    trust = parse_policy(doc)
    for user in USERS:
        decision = evaluate(
            Request(user, "sts:AssumeRole", ROLE, {}), identity_policies=(ALLOW_ALL,), resource_policy=trust
        )
        if callers is not None and user.lower() not in callers:
            assert not decision.allowed, user
        elif callers is not None:
            assert decision.allowed, user


def test_not_principal_admits_anyone() -> None:
    doc = {"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": USERS[0]}, "Action": "sts:AssumeRole"}]}
    assert local_callers(parse_policy(doc), ACCOUNT) is None
