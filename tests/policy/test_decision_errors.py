"""Errors are part of a decision (Cedar's ``diagnostics.errors``): unreadable condition values a request meets, and
policies that could not be compiled, travel with the :class:`~iamwarden.policy.Decision`. The decisions themselves
are table cases in conformance/condition_invalid_values.json."""

from __future__ import annotations

import pickle
from typing import Any

from iamwarden.policy import (
    Decision,
    PolicyError,
    Request,
    compile_policy,
    evaluate,
    parse_policy,
    policy_problems,
)
from iamwarden.policy.decision import StatedReasons

USER = "arn:aws:iam::111122223333:user/alice"
REQUEST = Request(USER, "s3:ListBucket", "arn:aws:s3:::bucket", {"s3:max-keys": "5"})


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW_ALL = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
BAD_DENY = {
    "Sid": "Guard",
    "Effect": "Deny",
    "Action": "s3:ListBucket",
    "Resource": "*",
    "Condition": {"NumericLessThan": {"s3:max-keys": "abc"}},
}


def test_a_deny_on_an_unreadable_value_does_not_vanish_silently() -> None:
    policy = parse_policy(_doc(ALLOW_ALL, BAD_DENY), name="guard")
    decision = evaluate(REQUEST, identity_policies=[policy])
    assert decision.decision == "allowed"
    (error,) = decision.errors
    assert error == PolicyError(
        "identity",
        "guard",
        "Guard",
        '$.Statement[1].Condition.NumericLessThan["s3:max-keys"]',
        "NumericLessThan s3:max-keys: 'abc' is not a number; it matches no request value",
    )
    assert error.describe().startswith("identity guard statement Guard at $.Statement[1]")
    data = decision.to_json()
    assert data["errors"] == [error.to_json()]
    assert pickle.loads(pickle.dumps(decision)) == decision


def test_a_sound_decision_has_no_errors_and_no_errors_key() -> None:
    decision = evaluate(REQUEST, identity_policies=[parse_policy(_doc(ALLOW_ALL), name="p")])
    assert decision.errors == ()
    assert "errors" not in decision.to_json()
    assert decision == Decision("allowed", explanation=StatedReasons(decision.reasons))


def test_a_policy_that_cannot_be_compiled_is_an_error_of_every_decision_it_is_in() -> None:
    broken = compile_policy({"Statement": [{"Effect": "Maybe", "Action": "s3:*"}]}, name="broken", source="snap")
    assert broken.statements == ()
    assert broken.problems and policy_problems(broken) == broken.problems
    sound = parse_policy(_doc(ALLOW_ALL), name="sound")
    decision = evaluate(REQUEST, identity_policies=[sound, broken], permission_boundary=broken)
    assert decision.decision == "implicit_deny"  # the boundary could not be read: it allows nothing
    assert {(e.policy_type, e.policy, e.statement) for e in decision.errors} == {
        ("identity", "broken", None),
        ("permission_boundary", "broken", None),
    }
    assert all("Effect" in e.place or "Effect" in e.message for e in decision.errors)


def test_compile_policy_of_a_sound_document_is_parse_policy() -> None:
    assert compile_policy(_doc(ALLOW_ALL), name="p") == parse_policy(_doc(ALLOW_ALL), name="p")
    assert compile_policy("not a policy", name="x").problems


def test_policy_problems_lists_unreadable_values_whatever_the_request() -> None:
    policy = parse_policy(_doc(ALLOW_ALL, BAD_DENY), name="guard")
    (problem,) = policy_problems(policy)
    assert "'abc' is not a number" in problem.message
    assert policy_problems(parse_policy(_doc(ALLOW_ALL), name="p")) == ()
