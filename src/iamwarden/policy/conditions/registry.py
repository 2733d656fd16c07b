"""The condition-operator registry: every operator AWS documents, its family, its value parser, and how an operator
name is read (qualifiers ``ForAnyValue:`` / ``ForAllValues:``, the ``IfExists`` suffix, the case rule). The engine
(:mod:`iamwarden.policy.language`) and the linter (:mod:`iamwarden.policy.lint.conditions`) both read operator names
here, so they accept the same names and parse values the same way.

**Case rule for operator names: case-sensitive.** The IAM User Guide gives each operator one spelling
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html) and names
the parts of a policy that are *not* case-sensitive one by one: context key names ("Context key names are not
case-sensitive", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html),
action names ("The prefix and the action name are case insensitive",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html); operator names are not
among them, and IAM rejects a policy that spells one otherwise (``MalformedPolicyDocument: Invalid Condition type :
stringEquals``). So ``StringEquals``, ``ForAnyValue:StringLikeIfExists`` are operators; ``stringequals``,
``foranyvalue:StringLike`` and ``StringLikeifexists`` are not (:func:`case_hint` names the intended spelling).

>>> name = parse_operator_name("ForAllValues:StringLikeIfExists")
>>> (name.operator.name, name.operator.family, name.set_modifier, name.if_exists)
('StringLike', 'String', 'ForAllValues', True)
>>> parse_operator_name("stringequals") is None
True
>>> case_hint("stringequals")
'StringEquals'
>>> BY_NAME["NumericLessThan"].parse("abc") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from iamwarden.policy.conditions import arn, binary, date, ip, null, numeric, string
from iamwarden.policy.conditions import bool as bool_ops
from iamwarden.policy.conditions.base import Family, Operator

OPERATORS: tuple[Operator, ...] = (
    *string.OPERATORS,
    *numeric.OPERATORS,
    *date.OPERATORS,
    *bool_ops.OPERATORS,
    *binary.OPERATORS,
    *ip.OPERATORS,
    *arn.OPERATORS,
    *null.OPERATORS,
)
"""Every base operator AWS documents, in the order of the IAM User Guide."""

BY_NAME: dict[str, Operator] = {op.name: op for op in OPERATORS}
"""The base operators by their exact name (names are case-sensitive)."""

SetModifier = Literal["ForAnyValue", "ForAllValues"]
SET_MODIFIERS: Final[tuple[SetModifier, ...]] = ("ForAnyValue", "ForAllValues")
IF_EXISTS: Final = "IfExists"
FAMILIES: Final[tuple[Family, ...]] = ("String", "Numeric", "Date", "Bool", "Binary", "IPAddress", "ARN", "Null")


@dataclass(frozen=True, slots=True)
class OperatorName:
    """A parsed operator name such as ``ForAllValues:StringLikeIfExists``."""

    text: str
    operator: Operator
    set_modifier: SetModifier | None
    if_exists: bool

    @property
    def problem(self) -> str | None:
        """Why a well-spelled name is still no operator: ``NullIfExists`` (``Null`` takes no ``IfExists``)."""
        if self.if_exists and self.operator is null.NULL:
            return "the Null operator takes no IfExists suffix"
        return None


def parse_operator_name(text: str) -> OperatorName | None:
    """Split the qualifier and ``IfExists`` off an operator name, spelled exactly as AWS does; ``None`` if it is not
    one. ``NullIfExists`` parses (so a linter can say what is wrong with it): see :attr:`OperatorName.problem`."""
    rest = text
    modifier: SetModifier | None = None
    prefix, sep, tail = text.partition(":")
    if sep:
        if prefix == "ForAnyValue":
            modifier = "ForAnyValue"
        elif prefix == "ForAllValues":
            modifier = "ForAllValues"
        else:
            return None
        rest = tail
    if_exists = rest.endswith(IF_EXISTS) and rest != IF_EXISTS
    if if_exists:
        rest = rest[: -len(IF_EXISTS)]
    op = BY_NAME.get(rest)
    if op is None:
        return None
    return OperatorName(text, op, modifier, if_exists)


_ALL_SPELLINGS: dict[str, str] = {
    f"{q + ':' if q else ''}{op.name}{suffix}".lower(): f"{q + ':' if q else ''}{op.name}{suffix}"
    for q in (None, *SET_MODIFIERS)
    for op in OPERATORS
    for suffix in ("", IF_EXISTS)
}


def case_hint(text: str) -> str | None:
    """The operator name ``text`` would be if spelled in AWS's case (``stringequals`` -> ``StringEquals``), or
    ``None`` when no operator is spelled so in any case."""
    right = _ALL_SPELLINGS.get(text.lower())
    return right if right is not None and right != text else None


__all__ = [
    "BY_NAME",
    "FAMILIES",
    "IF_EXISTS",
    "OPERATORS",
    "SET_MODIFIERS",
    "Family",
    "Operator",
    "OperatorName",
    "SetModifier",
    "case_hint",
    "parse_operator_name",
]
