"""The ``BinaryEquals`` condition operator (IAM User Guide, "Condition operators: Binary").

Policy and request values are base64; the decoded bytes are compared. A value that is not valid base64 never
matches. Example: ``{"BinaryEquals": {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from iamwarden.policy.conditions.base import Operator, text_then


def decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def _test(context_value: str, policy_value: Any) -> bool:
    data = decode(context_value)
    return data is not None and data == policy_value


BINARY_EQUALS = Operator(
    "BinaryEquals", "Binary", False, False, decode, text_then(decode), _test, "decoded base64 bytes are equal", False
)

OPERATORS = (BINARY_EQUALS,)
