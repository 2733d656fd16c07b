"""What a condition operator is: a name, a family, whether it is negated, and two functions.

``prepare`` turns one policy value (a :class:`~iamwarden.policy.variables.Template`, variables already substituted
when ``context`` is given) into a matcher-ready object, or ``None`` when the value is not valid for the operator (an
invalid value never matches). ``precompile`` / ``prepare_compiled``, when an operator has them, split ``prepare``
for values with variables into work done once (render the wildcard pattern) and work done per request (escape the
variable values in). ``test`` compares one request context value with one prepared policy value and answers the
*positive* question ("equal?", "like?", "in the CIDR?"); a negated operator (``StringNotEquals``) is the negation of
its positive twin over all the policy values, which the modifiers module applies once for every operator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from iamwarden.policy.variables import Context, Template, substitute

Prepare = Callable[[Template, Context | None, set[str] | None], Any]
Test = Callable[[str, Any], bool]


@dataclass(frozen=True, slots=True)
class Operator:
    """One condition operator (without the ``IfExists`` / ``ForAnyValue:`` / ``ForAllValues:`` modifiers)."""

    name: str
    family: str
    negated: bool
    variables: bool
    prepare: Prepare
    test: Test
    description: str
    precompile: Callable[[Template], Any] | None = None
    """For values with variables: work done once per value (``prepare_compiled`` finishes it per request)."""
    prepare_compiled: Callable[[Any, Context, set[str] | None], Any] | None = None


def plain_text(template: Template, context: Context | None, missing: set[str] | None) -> str | None:
    """The value's text with variables substituted (``None`` when one has no value, or no context was given)."""
    if template.has_variables and context is None:
        return None
    return substitute(template, context or {}, missing=missing)


def text_then(convert: Callable[[str], Any]) -> Prepare:
    """A ``prepare`` that substitutes variables and then converts the text (``None`` if it cannot)."""

    def prepare(template: Template, context: Context | None, missing: set[str] | None) -> Any:
        text = plain_text(template, context, missing)
        return None if text is None else convert(text)

    return prepare
