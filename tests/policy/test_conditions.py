"""Condition operators, every family with its modifiers: the table in unit_cases/conditions.yaml.

Each case's condition sits in an ``Allow`` statement; the engine must allow exactly when the case says the condition
matches, report the key as missing when the request lacks it, and the condition's own explanation
(:class:`~iamwarden.policy.ConditionResult`) must agree: same verdict, the key, the operator, the request value (or
"absent") named in its ``describe()`` text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iamwarden.policy import OPERATORS, ConditionResult, Request, evaluate, parse_policy

TABLE = yaml.safe_load((Path(__file__).parent / "unit_cases" / "conditions.yaml").read_text(encoding="utf-8"))
CASES = [pytest.param(case, id=case["id"]) for case in TABLE["cases"]]
USER = "arn:aws:iam::111122223333:user/alice"


def context_value(value: Any) -> str | tuple[str, ...]:
    """A request value as the engine holds it: text, or a tuple of texts for a multivalued key."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return tuple(str(context_value(v)) for v in value)
    return str(value)


def condition_of(case: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The case's Condition block and request context."""
    if "condition" in case:
        return case["condition"], case.get("context_map", {})
    block = {case["operator"]: {case["key"]: case["values"]}}
    context = {case.get("context_key", case["key"]): case["context"]} if "context" in case else {}
    return block, context


@pytest.mark.parametrize("case", CASES)
def test_condition(case: dict[str, Any]) -> None:
    block, context = condition_of(case)
    policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": block},
        },
        name="case",
    )
    decision = evaluate(Request(USER, "s3:GetObject", "arn:aws:s3:::bucket/key", context), identity_policies=[policy])
    assert decision.allowed == case["matched"], (case["rule"], decision.to_json())
    if not case["matched"]:
        assert decision.decision == "implicit_deny"

    # the explanation of every condition agrees with the decision and says what it compared
    engine_context = {k.lower(): context_value(v) for k, v in context.items()}
    results: list[ConditionResult] = [c.explain(engine_context) for c in policy.statements[0].conditions]
    assert all(r.matched for r in results) == case["matched"]
    if "operator" not in case:
        return
    (result,) = results
    absent = "context" not in case
    no_values = absent or case["context"] == []  # a multivalued key with no values counts as missing
    assert result.operator == case["operator"]
    assert result.key == case["key"]
    assert result.matched == case["matched"]
    assert result.missing_key == no_values
    text = result.describe()
    assert case["operator"] in text and case["key"] in text
    assert ("did not match" in text) != case["matched"], text
    if no_values:
        assert case["key"].lower() in {k.lower() for k in decision.missing_context_keys}
    if absent:
        assert "absent" in text
    else:
        assert result.context_values is not None
        for value in result.context_values:
            assert repr(value) in text


def test_every_operator_family_and_modifier_has_cases() -> None:
    names = {c["operator"] for c in TABLE["cases"] if "operator" in c}
    names |= {op for c in TABLE["cases"] if "condition" in c for op in c["condition"]}
    bases = {n.split(":")[-1].removesuffix("IfExists") for n in names}
    assert {op.name for op in OPERATORS} <= bases, {op.name for op in OPERATORS} - bases
    assert any(n.startswith("ForAllValues:") for n in names) and any(n.startswith("ForAnyValue:") for n in names)
    assert any(n.endswith("IfExists") for n in names)
    assert {c["source"] for c in TABLE["cases"]} <= set(TABLE["sources"])
    for url in TABLE["sources"].values():
        assert url.startswith("https://docs.aws.amazon.com/IAM/latest/UserGuide/")
    assert len({c["id"] for c in TABLE["cases"]}) == len(TABLE["cases"])
