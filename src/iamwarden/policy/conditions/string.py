"""String condition operators (IAM User Guide, "Condition operators: String").

| operator                   | positive test                                   | case      | wildcards | variables |
| StringEquals               | exact match                                     | sensitive | no        | yes       |
| StringNotEquals            | negation of StringEquals                        | sensitive | no        | yes       |
| StringEqualsIgnoreCase     | exact match                                     | ignored   | no        | yes       |
| StringNotEqualsIgnoreCase  | negation of StringEqualsIgnoreCase              | ignored   | no        | yes       |
| StringLike                 | ``*`` any run, ``?`` any one character          | sensitive | yes       | yes       |
| StringNotLike              | negation of StringLike                          | sensitive | yes       | yes       |

Example: ``{"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}`` matches ``home/alice/notes`` for alice; a
``*`` that comes from the variable's value (a user named ``a*``) matches only a literal ``*``.
"""

from __future__ import annotations

from typing import Any

from iamwarden.policy.conditions.base import Operator, text_then
from iamwarden.policy.matching import WildcardTemplate, has_wildcards
from iamwarden.policy.variables import Context, Literal, Template, substitute


def _equals(context_value: str, policy_value: Any) -> bool:
    return bool(context_value == policy_value)


def _equals_ignore_case(context_value: str, policy_value: Any) -> bool:
    return bool(context_value.lower() == policy_value)


def _prepare_like(template: Template, context: Context | None, missing: set[str] | None) -> Any:
    """An exact string when the value has no wildcard, else a compiled regular expression."""
    if not template.has_variables and all(
        not (isinstance(p, Literal) and p.wildcards and has_wildcards(p.text)) for p in template.parts
    ):
        return substitute(template, {})
    if template.has_variables and context is None:
        return None
    return WildcardTemplate.compile(template, "glob").regex(context or {}, missing)


def _precompile_like(template: Template) -> WildcardTemplate:
    return WildcardTemplate.compile(template, "glob")


def _prepare_like_compiled(compiled: Any, context: Context, missing: set[str] | None) -> Any:
    return compiled.regex(context, missing)


def _like(context_value: str, policy_value: Any) -> bool:
    if isinstance(policy_value, str):
        return context_value == policy_value
    return policy_value.fullmatch(context_value) is not None


def _text(text: str) -> str:
    """Every text is a valid string value."""
    return text


_same = text_then(_text)
_lower = text_then(str.lower)

STRING_EQUALS = Operator(
    "StringEquals", "String", False, True, _text, _same, _equals, "exact match, case-sensitive", False
)
STRING_NOT_EQUALS = Operator(
    "StringNotEquals", "String", True, True, _text, _same, _equals, "true when no value equals (case-sensitive)", False
)
STRING_EQUALS_IGNORE_CASE = Operator(
    "StringEqualsIgnoreCase",
    "String",
    False,
    True,
    str.lower,
    _lower,
    _equals_ignore_case,
    "exact match, ignoring case",
    True,
)
STRING_NOT_EQUALS_IGNORE_CASE = Operator(
    "StringNotEqualsIgnoreCase",
    "String",
    True,
    True,
    str.lower,
    _lower,
    _equals_ignore_case,
    "true when no value equals, ignoring case",
    True,
)
STRING_LIKE = Operator(
    "StringLike",
    "String",
    False,
    True,
    _text,
    _prepare_like,
    _like,
    "case-sensitive match with * and ? wildcards",
    False,
    _precompile_like,
    _prepare_like_compiled,
)
STRING_NOT_LIKE = Operator(
    "StringNotLike",
    "String",
    True,
    True,
    _text,
    _prepare_like,
    _like,
    "true when no value matches (with * and ?)",
    False,
    _precompile_like,
    _prepare_like_compiled,
)

OPERATORS = (
    STRING_EQUALS,
    STRING_NOT_EQUALS,
    STRING_EQUALS_IGNORE_CASE,
    STRING_NOT_EQUALS_IGNORE_CASE,
    STRING_LIKE,
    STRING_NOT_LIKE,
)
