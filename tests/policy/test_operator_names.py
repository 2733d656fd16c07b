"""Operator names, one table (unit_cases/operator_names.yaml) for the registry, the engine and the linter.

The registry (:mod:`iamwarden.policy.conditions.registry`) is the one place that reads an operator name; this test
holds the engine (which compiles the policy or names the problem) and the linter (``INVALID_CONDITION_OPERATOR`` /
``NULL_WITH_IF_EXISTS``) to it, so they cannot disagree again on a name such as ``stringequals``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamwarden.errors import InputError
from iamwarden.policy import parse_policy
from iamwarden.policy.conditions.registry import FAMILIES, OPERATORS, case_hint, parse_operator_name
from iamwarden.policy.lint import lint_policy_text

TABLE = yaml.safe_load((Path(__file__).parent / "unit_cases" / "operator_names.yaml").read_text(encoding="utf-8"))
CASES = [pytest.param(case, id=case["name"]) for case in TABLE["cases"]]


def _policy(name: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {name: {"aws:TagKeys": "a"}}}
        ],
    }


@pytest.mark.parametrize("case", CASES)
def test_operator_name(case: dict[str, Any]) -> None:
    assert case["source"] in TABLE["sources"]
    name = case["name"]
    parsed = parse_operator_name(name)
    lint_codes = {f.code for f in lint_policy_text(json.dumps(_policy(name)), policy_type="identity", source="p.json")}
    if "valid" in case:
        base, family, modifier, if_exists = case["valid"]
        assert parsed is not None and parsed.problem is None
        assert (parsed.operator.name, parsed.operator.family, parsed.set_modifier, parsed.if_exists) == (
            base,
            family,
            modifier,
            if_exists,
        )
        assert case_hint(name) is None
        policy = parse_policy(_policy(name), name="p")  # the engine compiles it
        assert policy.statements[0].conditions[0].operator_name.operator.name == base
        assert not lint_codes & {"INVALID_CONDITION_OPERATOR", "NULL_WITH_IF_EXISTS"}
        return
    assert parsed is None or parsed.problem == case.get("problem")
    assert case_hint(name) == case["hint"]
    with pytest.raises(InputError) as raised:
        parse_policy(_policy(name), name="p")
    message = raised.value.one_line()
    assert f"unknown condition operator {name!r}" in message
    if case["hint"]:
        assert repr(case["hint"]) in message
    if case.get("problem"):
        assert case["problem"] in message
        assert "NULL_WITH_IF_EXISTS" in lint_codes
    else:
        assert "INVALID_CONDITION_OPERATOR" in lint_codes


def test_every_operator_has_a_known_family_and_parser() -> None:
    assert {op.family for op in OPERATORS} == set(FAMILIES)
    assert len({op.name for op in OPERATORS}) == len(OPERATORS) == 27
    for op in OPERATORS:
        assert parse_operator_name(op.name) is not None
