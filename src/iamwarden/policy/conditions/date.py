"""Date condition operators (IAM User Guide, "Condition operators: Date"). Policy variables are not supported.

Values are ISO 8601 date-times (``2026-01-01T00:00:00Z``, ``2026-01-01``; a time without zone is UTC) or epoch
seconds (``1767225600``); both sides are turned into a point in time and compared.

| operator               | positive test         |
| DateEquals             | request == policy     |
| DateNotEquals          | negation of Equals    |
| DateLessThan           | request <  policy     |
| DateLessThanEquals     | request <= policy     |
| DateGreaterThan        | request >  policy     |
| DateGreaterThanEquals  | request >= policy     |

Example: ``{"DateLessThan": {"aws:CurrentTime": "2026-06-30T00:00:00Z"}}`` matches ``aws:CurrentTime`` =
``2026-01-01T00:00:00Z`` and ``aws:EpochTime``-style ``1767225600``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from iamwarden.policy.conditions.base import Operator, text_then

_EPOCH = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")


def parse_date(text: str) -> float | None:
    """Seconds since the epoch, from ISO 8601 or epoch text; ``None`` if it is neither."""
    if _EPOCH.match(text):
        return float(text)
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _compare(op: Callable[[float, float], bool]) -> Callable[[str, Any], bool]:
    def test(context_value: str, policy_value: Any) -> bool:
        moment = parse_date(context_value)
        return moment is not None and op(moment, policy_value)

    return test


_prepare = text_then(parse_date)


def _date(name: str, negated: bool, op: Callable[[float, float], bool], description: str) -> Operator:
    return Operator(name, "Date", negated, False, parse_date, _prepare, _compare(op), description, False)


OPERATORS = (
    _date("DateEquals", False, operator.eq, "same point in time"),
    _date("DateNotEquals", True, operator.eq, "equal to none of the policy dates"),
    _date("DateLessThan", False, operator.lt, "request date before the policy date"),
    _date("DateLessThanEquals", False, operator.le, "request date at or before the policy date"),
    _date("DateGreaterThan", False, operator.gt, "request date after the policy date"),
    _date("DateGreaterThanEquals", False, operator.ge, "request date at or after the policy date"),
)
