"""Trust analysis: foreign principals and OIDC subjects, decided by the engine."""

from __future__ import annotations

from iamwarden.analysis.trust import external_trust, foreign_principals, web_identity_trust
from iamwarden.policy import parse_policy

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
    assert [(p.value, p.kind) for p in foreign_principals(doc, "111122223333")] == [
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
    (verdict,) = external_trust(parse_policy(doc), doc, ROLE, "111122223333", "aws")
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
    (verdict,) = web_identity_trust(parse_policy(doc), doc, ROLE, {})
    assert verdict.open and verdict.allowed_without_sub and verdict.allowed_with_unrelated_sub
