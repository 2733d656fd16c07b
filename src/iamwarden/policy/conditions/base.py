"""What a condition operator is: a name, a family, whether it is negated, a value parser and two functions.

``parse`` is the operator's value parser: one policy value's text -> the value ready to compare (a number, a point in
time, an address block...), or ``None`` when the text is not a valid value for the operator. The engine and the
linter both use it, so they agree on what is valid.

``prepare`` turns one policy value (a :class:`~iamwarden.policy.variables.Template`, variables already substituted
when ``context`` is given) into a matcher-ready object, or ``None`` when the value is not valid for the operator (an
invalid value never matches). ``precompile`` / ``prepare_compiled``, when an operator has them, split ``prepare``
for values with variables into work done once (render the wildcard pattern) and work done per request (escape the
variable values in).

``test`` compares one request context value with one prepared policy value and answers the *positive* question
("equal?", "like?", "in the CIDR?"); a negated operator (``StringNotEquals``) is the negation of its positive twin
over all the policy values, which the modifiers module applies once for every operator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from iamwarden.policy.variables import Context, Template, substitute

Prepare = Callable[[Template, Context | None, set[str] | None], Any]
Parse = Callable[[str], Any]
Test = Callable[[str, Any], bool]
Family = Literal["String", "Numeric", "Date", "Bool", "Binary", "IPAddress", "ARN", "Null"]
"""What an operator compares, named as the Service Authorization Reference names condition key types (``String``,
``ARN``, ``Numeric``, ``Date``, ``Bool``, ``IPAddress``, ``Binary``), so an operator's family and a key's type
compare directly; ``Null`` tests presence."""


@dataclass(frozen=True, slots=True)
class Operator:
    """One condition operator (without the ``IfExists`` / ``ForAnyValue:`` / ``ForAllValues:`` modifiers)."""

    name: str
    family: Family
    negated: bool
    variables: bool
    parse: Parse
    prepare: Prepare
    test: Test
    description: str
    ignores_case: bool
    """Whether values are compared without regard to case (``StringEqualsIgnoreCase``, ``Bool``)."""
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
