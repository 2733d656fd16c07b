"""The ``Bool`` condition operator (IAM User Guide, "Condition operators: Boolean").

``true`` / ``false`` compared without regard to case; JSON ``true`` in a policy is the text ``"true"``. Any other
value never matches. Example: ``{"Bool": {"aws:SecureTransport": "false"}}`` matches a request sent over plain HTTP
(``aws:SecureTransport`` = ``"false"``) and does not match when the key is absent (use ``BoolIfExists`` for that).
"""

from __future__ import annotations

from typing import Any

from iamwarden.policy.conditions.base import Operator, text_then


def _boolean(text: str) -> str | None:
    low = text.strip().lower()
    return low if low in ("true", "false") else None


def _test(context_value: str, policy_value: Any) -> bool:
    return bool(context_value.strip().lower() == policy_value)


BOOL = Operator("Bool", "Bool", False, True, _boolean, text_then(_boolean), _test, "true/false match, any case", True)

OPERATORS = (BOOL,)
