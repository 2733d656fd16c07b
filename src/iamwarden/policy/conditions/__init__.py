"""Condition operators and their modifiers, evaluated the way the IAM User Guide describes.

The operators live one family per module (:mod:`.string`, :mod:`.numeric`, :mod:`.date`, :mod:`.bool`,
:mod:`.binary`, :mod:`.ip`, :mod:`.arn`, :mod:`.null`) and are listed, with how an operator name is read (qualifiers,
``IfExists``, the case rule), in the registry :mod:`.registry`, which the linter reads too. This module applies,
once for all of them:

- several values for one key: OR (any value matches); for a negated operator (``StringNotEquals``) the result is the
  negation of that OR (the request value equals *none* of them);
- a multivalued request value without a set modifier: the positive test holds if any request value matches;
- ``ForAnyValue:``: true if at least one request value passes; false when the key is absent or has no values;
- ``ForAllValues:``: true if every request value passes; **true** when the key is absent or has no values;
  with a negated operator "passes" means "matches none of the policy values";
- ``...IfExists``: true when the key is absent; otherwise the operator's own result;
- a key absent from the request (no modifier): false, except for negated operators, where it is true
  ("If the key that you specify in a policy condition is not present in the request context, the values do not match
  and the condition is false. If the policy condition requires that the key is not matched, such as StringNotLike or
  ArnNotLike, and the right key is not present, the condition is true.");
- ``Null``: tests presence only;
- a policy value the operator cannot read (``"abc"`` for ``NumericLessThan``, ``"yes"`` for ``Bool``): AWS compares
  a request value with a policy value of the operator's type (IAM User Guide, "Condition operators"), so such a value
  matches no request value; for a negated operator (``NumericNotEquals``) the request value cannot be shown to differ
  from it either, so the condition does not hold while the key is present. The values are kept in
  :attr:`Condition.invalid`, and a decision that tested the condition carries the error
  (:attr:`iamwarden.policy.Decision.errors`).

Condition keys are matched case-insensitively (they are lower-cased here and in the request context); values follow
each operator's own case rule. Several keys in one operator block, and several operator blocks, are ANDed by the
statement (:mod:`iamwarden.policy.language`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from iamwarden.policy.conditions import null, string
from iamwarden.policy.conditions.base import Operator
from iamwarden.policy.conditions.registry import BY_NAME, OPERATORS, OperatorName, parse_operator_name
from iamwarden.policy.variables import Context, Template, parse_template

Matcher = Callable[[str], bool]
"""Whether one request value matches any of a condition's policy values (the operator's positive test)."""


def _never(value: str) -> bool:
    return False


def _always(value: str) -> bool:
    """The matcher of a negated operator with an unreadable policy value: no request value can be shown to differ
    from it, so the negated condition does not hold."""
    return True


_WHAT: dict[str, str] = {
    "Numeric": "a number",
    "Date": "a date (ISO 8601) or epoch seconds",
    "Bool": "true or false",
    "Null": "true or false",
    "Binary": "base64",
    "IPAddress": "an IP address or CIDR block",
}


def _matcher(op: Operator, prepared: tuple[Any, ...]) -> Matcher:
    """One function for "does this request value match any policy value?", built once for values without variables:
    a set look-up for the string equality operators, one regular expression (the alternation of the values) for the
    like and ARN operators, else the operator's own test over the values."""
    if not prepared:
        return _never
    test = op.test
    if test is string.STRING_EQUALS.test:
        return frozenset(prepared).__contains__
    if test is string.STRING_EQUALS_IGNORE_CASE.test:
        lowered = frozenset(prepared)
        return lambda value: value.lower() in lowered
    if test is string.STRING_LIKE.test or op.family == "ARN":
        exact = frozenset(p for p in prepared if isinstance(p, str))
        patterns = [p.pattern for p in prepared if not isinstance(p, str)]
        if not patterns:
            return exact.__contains__
        alternation = re.compile("|".join(f"(?:{p})" for p in patterns), re.DOTALL).fullmatch
        if not exact:
            return lambda value: alternation(value) is not None
        return lambda value: value in exact or alternation(value) is not None
    if len(prepared) == 1:
        only = prepared[0]
        return lambda value: test(value, only)
    return lambda value: any(test(value, p) for p in prepared)


@dataclass(frozen=True, slots=True)
class Condition:
    """One (operator, key, values) triple of a ``Condition`` block, compiled.

    ``prepared`` holds the policy values made ready for testing when none has variables (and ``matcher`` tests a
    request value against all of them at once); otherwise each evaluation substitutes them from the request context
    first.
    """

    operator_name: OperatorName
    key: str  # as written
    key_lower: str
    values: tuple[str, ...]
    templates: tuple[Template, ...]
    prepared: tuple[Any, ...] | None
    path: str
    precompiled: tuple[Any, ...] | None = None
    matcher: Matcher | None = field(default=None, compare=False, repr=False)
    invalid: tuple[str, ...] = ()
    """The policy values the operator cannot read (see the module docstring: they never match)."""

    @classmethod
    def compile(
        cls, operator_name: OperatorName, key: str, values: tuple[str, ...], *, variables: bool, path: str
    ) -> Condition:
        op = operator_name.operator
        templates = tuple(parse_template(v, enabled=variables and op.variables) for v in values)
        prepared: tuple[Any, ...] | None = None
        precompiled: tuple[Any, ...] | None = None
        matcher: Matcher | None = None
        invalid: tuple[str, ...] = ()
        if not any(t.has_variables for t in templates):
            prepared = tuple(op.prepare(t, None, None) for t in templates)
            invalid = tuple(v for v, p in zip(values, prepared, strict=True) if p is None)
            if op is not null.NULL:
                valid = tuple(p for p in prepared if p is not None)
                matcher = _always if invalid and op.negated else _matcher(op, valid)
        elif op.precompile is not None:
            precompiled = tuple(op.precompile(t) for t in templates)
        return cls(operator_name, key, key.lower(), values, templates, prepared, path, precompiled, matcher, invalid)

    def problems(self) -> list[str]:
        """One sentence per unreadable policy value (empty when every value is valid for the operator)."""
        op = self.operator_name.operator
        what = _WHAT.get(op.family, f"a valid {op.family} value")
        effect = (
            "the condition does not hold while the key is present"
            if op.negated and op is not null.NULL
            else "it matches no request value"
        )
        return [f"{self.operator_name.text} {self.key}: {v!r} is not {what}; {effect}" for v in self.invalid]

    def _prepared(self, context: Context, missing: set[str] | None) -> tuple[Any, ...]:
        if self.prepared is not None:
            return self.prepared
        op = self.operator_name.operator
        if self.precompiled is not None and op.prepare_compiled is not None:
            finish = op.prepare_compiled
            return tuple(finish(c, context, missing) for c in self.precompiled)
        prepare = op.prepare
        return tuple(prepare(t, context, missing) for t in self.templates)

    def test(self, context: Context, missing: set[str] | None = None) -> bool:
        """Whether the condition holds for ``context``; absent keys (and variables) are added to ``missing``."""
        name = self.operator_name
        op = name.operator
        raw = context.get(self.key_lower)
        if op is null.NULL:
            absent = raw is None or (not isinstance(raw, str) and not raw)
            if absent and missing is not None:
                missing.add(self.key)
            wanted = [p for p in self._prepared(context, missing) if p is not None]
            return any(p is absent for p in wanted)
        if raw is None or (not isinstance(raw, str) and not raw):
            if missing is not None:
                missing.add(self.key)
            if name.set_modifier == "ForAllValues":
                return True
            if name.set_modifier == "ForAnyValue":
                return False
            return name.if_exists or op.negated
        match = self.matcher
        if match is None:
            prepared = [p for p in self._prepared(context, missing) if p is not None]
            test = op.test

            def match(value: str) -> bool:
                return any(test(value, p) for p in prepared)

        negated = op.negated
        if isinstance(raw, str):  # one request value: every modifier comes to the same test
            return match(raw) != negated
        if name.set_modifier is None:
            return any(match(v) for v in raw) != negated
        if name.set_modifier == "ForAllValues":
            return all(match(v) != negated for v in raw)
        return any(match(v) != negated for v in raw)

    def explain(self, context: Context) -> ConditionResult:
        """The same evaluation as :meth:`test`, as an object that says what was compared."""
        missing: set[str] = set()
        matched = self.test(context, missing)
        raw = context.get(self.key_lower)
        context_values: tuple[str, ...] | None
        if raw is None:
            context_values = None
        elif isinstance(raw, str):
            context_values = (raw,)
        else:
            context_values = raw
        return ConditionResult(
            operator=self.operator_name.text,
            key=self.key,
            policy_values=self.values,
            context_values=context_values,
            matched=matched,
            missing_key=self.key in missing,
            missing_variables=frozenset(missing - {self.key}),
            path=self.path,
        )


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """The outcome of one condition, explaining itself."""

    operator: str
    key: str
    policy_values: tuple[str, ...]
    context_values: tuple[str, ...] | None
    matched: bool
    missing_key: bool
    missing_variables: frozenset[str]
    path: str

    def describe(self) -> str:
        got = "absent" if self.context_values is None else ", ".join(repr(v) for v in self.context_values)
        want = ", ".join(repr(v) for v in self.policy_values)
        verdict = "matched" if self.matched else "did not match"
        return f"{self.operator} {self.key} [{want}] {verdict} (request value: {got})"


__all__ = [
    "BY_NAME",
    "OPERATORS",
    "Condition",
    "ConditionResult",
    "Operator",
    "OperatorName",
    "parse_operator_name",
]
