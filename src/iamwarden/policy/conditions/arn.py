"""ARN condition operators (IAM User Guide, "Condition operators: Amazon Resource Name (ARN)").

Case-sensitive; each of the six colon-separated parts of the ARN is matched on its own and may hold ``*`` and ``?``
wildcards (in the last part a wildcard also spans ``/`` and ``:``). ``ArnEquals`` and ``ArnLike`` behave the same.
Policy variables are supported.

| operator      | positive test                      |
| ArnEquals     | the ARN matches a policy ARN       |
| ArnLike       | the ARN matches a policy ARN       |
| ArnNotEquals  | negation: matches none             |
| ArnNotLike    | negation: matches none             |

Example: ``{"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:topic-*"}}`` matches
``arn:aws:sns:us-east-1:111122223333:topic-alerts``.
"""

from __future__ import annotations

from typing import Any

from iamwarden.policy.conditions.base import Operator
from iamwarden.policy.matching import arn_regex, cached_regex
from iamwarden.policy.variables import Context, Template


def _prepare(template: Template, context: Context | None, missing: set[str] | None) -> Any:
    if template.has_variables and context is None:
        return None
    source = arn_regex(template, context, missing)
    return None if source is None else cached_regex(source)


def _test(context_value: str, policy_value: Any) -> bool:
    return policy_value.fullmatch(context_value) is not None


OPERATORS = (
    Operator("ArnEquals", "Arn", False, True, _prepare, _test, "the ARN matches (wildcards per ARN part)"),
    Operator("ArnLike", "Arn", False, True, _prepare, _test, "the ARN matches (wildcards per ARN part)"),
    Operator("ArnNotEquals", "Arn", True, True, _prepare, _test, "the ARN matches none of the values"),
    Operator("ArnNotLike", "Arn", True, True, _prepare, _test, "the ARN matches none of the values"),
)
