"""Numeric condition operators (IAM User Guide, "Condition operators: Numeric"). Policy variables are not supported.

| operator                  | positive test          |
| NumericEquals             | context == policy      |
| NumericNotEquals          | negation of Equals     |
| NumericLessThan           | context <  policy      |
| NumericLessThanEquals     | context <= policy      |
| NumericGreaterThan        | context >  policy      |
| NumericGreaterThanEquals  | context >= policy      |

A value that is not a number (in the policy or in the request) never matches. Example:
``{"NumericLessThanEquals": {"s3:max-keys": "10"}}`` matches ``"10"`` and ``"9.5"``, not ``"11"`` or ``"ten"``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from iamwarden.policy.conditions.base import Operator, text_then

_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def parse_number(text: str) -> Decimal | None:
    if not _NUMBER.match(text):
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


def _compare(op: Callable[[Decimal, Decimal], bool]) -> Callable[[str, Any], bool]:
    def test(context_value: str, policy_value: Any) -> bool:
        number = parse_number(context_value)
        return number is not None and op(number, policy_value)

    return test


_prepare = text_then(parse_number)


def _numeric(name: str, negated: bool, op: Callable[[Decimal, Decimal], bool], description: str) -> Operator:
    return Operator(name, "Numeric", negated, False, parse_number, _prepare, _compare(op), description, False)


OPERATORS = (
    _numeric("NumericEquals", False, operator.eq, "request number equals a policy number"),
    _numeric("NumericNotEquals", True, operator.eq, "request number equals none of the policy numbers"),
    _numeric("NumericLessThan", False, operator.lt, "request number < policy number"),
    _numeric("NumericLessThanEquals", False, operator.le, "request number <= policy number"),
    _numeric("NumericGreaterThan", False, operator.gt, "request number > policy number"),
    _numeric("NumericGreaterThanEquals", False, operator.ge, "request number >= policy number"),
)
