"""Parsing policy documents: the tables in unit_cases/language.yaml.

Valid documents are checked for what the parsed :class:`~iamwarden.policy.Policy` says about each statement (Sid,
Effect, Not* elements, JSON path, condition paths) and, through ``evaluate``, for what their elements mean. Invalid
documents must raise one :class:`~iamwarden.errors.InputError` listing every problem at its JSON path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iamwarden.errors import InputError
from iamwarden.policy import Request, Statement, evaluate, parse_policy

TABLE = yaml.safe_load((Path(__file__).parent / "unit_cases" / "language.yaml").read_text(encoding="utf-8"))
ACCOUNT = "111122223333"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
OBJECT = "arn:aws:s3:::amzn-s3-demo-bucket/key"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def project(statement: Statement) -> dict[str, Any]:
    """What a parsed statement says, in the table's terms."""
    return {
        "sid": statement.sid,
        "label": statement.label,
        "effect": statement.effect,
        "not_action": statement.not_action,
        "not_resource": statement.not_resource,
        "not_principal": statement.not_principal,
        "has_resource": statement.resources is not None,
        "path": statement.path,
        "conditions": [c.path for c in statement.conditions],
    }


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in TABLE["valid"]])
def test_valid_document(case: dict[str, Any]) -> None:
    policy = parse_policy(case["doc"], name="case", source="case.json")
    expect = case.get("expect", {})
    if "version" in expect:
        assert policy.version == expect["version"]
    if "id" in expect:
        assert policy.id == expect["id"]
    if "statements" in expect:
        assert len(policy.statements) == len(expect["statements"])
        for statement, wanted in zip(policy.statements, expect["statements"], strict=True):
            got = project(statement)
            assert {k: got[k] for k in wanted} == wanted, case["rule"]
    for probe in case.get("probes", []):
        request = Request(
            probe.get("principal", USER),
            probe["action"],
            probe.get("resource", OBJECT),
            probe.get("context", {}),
            resource_account=ACCOUNT,
        )
        if case.get("as") == "resource":
            decision = evaluate(request, identity_policies=[parse_policy(ALLOW_ALL)], resource_policy=policy)
        else:
            decision = evaluate(request, identity_policies=[policy])
        assert decision.decision == probe["expect"], (case["rule"], probe, decision.to_json())


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in TABLE["invalid"]])
def test_invalid_document(case: dict[str, Any]) -> None:
    with pytest.raises(InputError) as raised:
        parse_policy(case["doc"], name="case", source="case.json")
    error = raised.value
    assert error.source == "case.json"
    assert str(error).startswith("case.json: ") and "\n" not in str(error)
    found = [(p.place, p.message) for p in error.problems]
    for path, words in case["errors"]:
        assert any(place == path and words.lower() in message.lower() for place, message in found), (
            case["rule"],
            path,
            words,
            found,
        )
    assert len(found) >= len(case["errors"])


def test_base_path_prefixes_problem_paths() -> None:
    statement = {"Effect": "Allow", "Action": "GetObject", "Resource": "*"}
    doc = {"Version": "2012-10-17", "Statement": [statement]}
    with pytest.raises(InputError) as raised:
        parse_policy(doc, source="request", base_path=("identity_policies", 2))
    assert [p.place for p in raised.value.problems] == ["$.identity_policies[2].Statement[0].Action"]
    policy = parse_policy(
        {**doc, "Statement": [{**statement, "Action": "s3:GetObject"}]}, base_path=("resource_policy",)
    )
    assert policy.statements[0].path == "$.resource_policy.Statement[0]"


def test_tables_cite_their_pages() -> None:
    cases = TABLE["valid"] + TABLE["invalid"]
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids))
    for case in cases:
        assert case["source"] in TABLE["sources"] and case["rule"], case["id"]
    assert all(url.startswith("https://docs.aws.amazon.com/IAM/") for url in TABLE["sources"].values())


def test_may_name_says_which_services_a_policy_could_cover() -> None:
    from iamwarden.policy import parse_policy

    named = parse_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["IAM:Get*", "s3:*"], "Resource": "*"}]}
    )
    assert named.may_name("iam") and named.may_name("s3") and not named.may_name("ec2")
    assert all(named.may_name(a.split(":")[0]) for a in ("iam:getrole", "s3:getobject"))
    not_action = parse_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": "s3:*"}]})
    assert not_action.may_name("ec2")
    wildcard_service = parse_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "i*:Get*", "Resource": "*"}]}
    )
    assert wildcard_service.may_name("iam")
