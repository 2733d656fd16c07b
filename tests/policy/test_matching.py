"""Matching Action / NotAction, Resource / NotResource and Principal: the tables in unit_cases/matching.yaml.

Every case goes through the public API (``parse_policy`` then ``evaluate``), so it holds whatever the engine's
compiled matchers look like inside.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iamwarden.policy import Request, evaluate, parse_policy

TABLE = yaml.safe_load((Path(__file__).parent / "unit_cases" / "matching.yaml").read_text(encoding="utf-8"))
ACCOUNT = "111122223333"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
OBJECT = "arn:aws:s3:::amzn-s3-demo-bucket/report.csv"


def _params(section: str) -> list[Any]:
    return [pytest.param(case, id=case["id"]) for case in TABLE[section]]


def _allow(**elements: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **elements}]}


@pytest.mark.parametrize("case", _params("actions"))
def test_action(case: dict[str, Any]) -> None:
    key = "NotAction" if case.get("not_action") else "Action"
    policy = parse_policy(_allow(**{key: case["pattern"], "Resource": "*"}))
    decision = evaluate(Request(USER, case["action"], "*"), identity_policies=[policy])
    assert decision.allowed == case["matched"], (case["rule"], decision.to_json())


@pytest.mark.parametrize("case", _params("resources"))
def test_resource(case: dict[str, Any]) -> None:
    key = "NotResource" if case.get("not_resource") else "Resource"
    policy = parse_policy(_allow(**{"Action": "*", key: case["pattern"]}))
    request = Request(USER, "s3:GetObject", case["resource"], resource_account=ACCOUNT)
    decision = evaluate(request, identity_policies=[policy])
    assert decision.allowed == case["matched"], (case["rule"], decision.to_json())


@pytest.mark.parametrize("case", _params("principals"))
def test_principal(case: dict[str, Any]) -> None:
    resource_policy = parse_policy(
        _allow(Principal=case["element"], Action="s3:GetObject", Resource="*"), name="BucketPolicy"
    )
    identity = [parse_policy(_allow(Action="s3:GetObject", Resource="*"), name="Reader")]
    request = Request(case["request"], "s3:GetObject", OBJECT, resource_account=ACCOUNT)
    decision = evaluate(
        request, identity_policies=identity if case.get("identity", True) else [], resource_policy=resource_policy
    )
    assert decision.decision == case["expect"], (case["rule"], decision.to_json())
    named = any(r.policy == "BucketPolicy" and r.effect == "Allow" for r in decision.reasons)
    if case["expect"] == "allowed" and "same-account-root" not in case["id"]:
        assert named, "the reasons name the resource policy statement that allowed"


def test_tables_cite_their_pages() -> None:
    for section in ("actions", "resources", "principals"):
        ids = [c["id"] for c in TABLE[section]]
        assert len(ids) == len(set(ids)), section
        for case in TABLE[section]:
            assert case["source"] in TABLE["sources"], case["id"]
            assert case["rule"], case["id"]
    assert all(url.startswith("https://docs.aws.amazon.com/IAM/") for url in TABLE["sources"].values())
