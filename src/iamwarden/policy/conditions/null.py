"""The ``Null`` condition operator (IAM User Guide, "Condition operators: Condition operator to check existence of
condition keys").

``{"Null": {"aws:TokenIssueTime": "true"}}`` is true when the key is *absent* from the request (the caller used
long-term credentials); ``"false"`` is true when it is present. A multivalued key with no values counts as absent.
``Null`` takes no ``IfExists`` suffix; the modifiers module tests presence itself and uses :data:`NULL` only for its
name and prepared value.
"""

from __future__ import annotations

from typing import Any

from iamwarden.policy.conditions.base import Operator, text_then


def _boolean(text: str) -> bool | None:
    low = text.strip().lower()
    return {"true": True, "false": False}.get(low)


def _never(context_value: str, policy_value: Any) -> bool:
    raise AssertionError("Null is evaluated on presence, not on values")


NULL = Operator(
    "Null", "Null", False, False, _boolean, text_then(_boolean), _never, "true: the key is absent; false: present", True
)

OPERATORS = (NULL,)
