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
from iamwarden.policy.matching import WildcardTemplate
from iamwarden.policy.variables import Context, Template


def _precompile(template: Template) -> WildcardTemplate:
    return WildcardTemplate.compile(template, "arn")


def _prepare_compiled(compiled: Any, context: Context, missing: set[str] | None) -> Any:
    return compiled.regex(context, missing)


def _prepare(template: Template, context: Context | None, missing: set[str] | None) -> Any:
    if template.has_variables and context is None:
        return None
    return WildcardTemplate.compile(template, "arn").regex(context or {}, missing)


def _test(context_value: str, policy_value: Any) -> bool:
    return policy_value.fullmatch(context_value) is not None


def _text(text: str) -> str:
    """Any text is a valid ARN pattern value (a value that is no ARN simply matches no ARN)."""
    return text


def _arn(name: str, negated: bool, description: str) -> Operator:
    return Operator(
        name, "ARN", negated, True, _text, _prepare, _test, description, False, _precompile, _prepare_compiled
    )


OPERATORS = (
    _arn("ArnEquals", False, "the ARN matches (wildcards per ARN part)"),
    _arn("ArnLike", False, "the ARN matches (wildcards per ARN part)"),
    _arn("ArnNotEquals", True, "the ARN matches none of the values"),
    _arn("ArnNotLike", True, "the ARN matches none of the values"),
)
