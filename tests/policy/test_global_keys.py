"""The global condition keys table."""

from __future__ import annotations

import pytest

from iamwarden.policy.global_keys import CROSS_SERVICE_KEYS, GLOBAL_CONDITION_KEYS, global_key, needs_tag_key

TYPES = {"String", "ARN", "Bool", "Date", "Numeric", "IPAddress"}


def test_table_is_well_formed() -> None:
    names = [k.name.lower() for k in GLOBAL_CONDITION_KEYS + CROSS_SERVICE_KEYS]
    assert len(names) == len(set(names))
    for key in GLOBAL_CONDITION_KEYS:
        assert key.name.startswith("aws:")
        assert key.base_type in TYPES and key.description
    for key in CROSS_SERVICE_KEYS:
        assert not key.name.startswith("aws:")


@pytest.mark.parametrize(
    ("name", "canonical", "type_", "multivalued"),
    [
        ("aws:MultiFactorAuthPresent", "aws:MultiFactorAuthPresent", "Bool", False),
        ("AWS:SOURCEIP", "aws:SourceIp", "IPAddress", False),
        ("aws:PrincipalArn", "aws:PrincipalArn", "ARN", False),
        ("aws:TagKeys", "aws:TagKeys", "ArrayOfString", True),
        ("aws:PrincipalOrgPaths", "aws:PrincipalOrgPaths", "ArrayOfString", True),
        ("aws:CalledVia", "aws:CalledVia", "ArrayOfString", True),
        ("aws:ResourceTag/cost-center", "aws:ResourceTag/${TagKey}", "String", False),
        ("aws:CurrentTime", "aws:CurrentTime", "Date", False),
        ("aws:MultiFactorAuthAge", "aws:MultiFactorAuthAge", "Numeric", False),
        ("ec2:SourceInstanceArn", "ec2:SourceInstanceArn", "ARN", False),
    ],
)
def test_lookup(name: str, canonical: str, type_: str, multivalued: bool) -> None:
    key = global_key(name)
    assert key is not None
    assert (key.name, key.type, key.multivalued) == (canonical, type_, multivalued)


def test_unknown_and_tag_keys() -> None:
    assert global_key("aws:NoSuchKey") is None
    assert global_key("aws:ResourceTag/") is None
    assert needs_tag_key("aws:ResourceTag/") and needs_tag_key("aws:principaltag")
    assert not needs_tag_key("aws:ResourceTag/team")
