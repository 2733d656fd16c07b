"""Conditions and resources of compiled statements in words, for the effective-permissions answers and entries:
``aws:SourceIp in 10.0.0.0/8``, ``aws:MultiFactorAuthPresent is true``, ``anything but arn:aws:s3:::b/*``."""

from __future__ import annotations

from collections.abc import Mapping

from iamwarden.policy import Statement
from iamwarden.policy.conditions import Condition

_VERBS: Mapping[str, tuple[str, str]] = {
    # operator (lower) -> (verb for one value, verb for several)
    "stringequals": ("is", "in"),
    "stringequalsignorecase": ("is (any case)", "in (any case)"),
    "stringnotequals": ("is not", "not in"),
    "stringnotequalsignorecase": ("is not (any case)", "not in (any case)"),
    "stringlike": ("like", "like one of"),
    "stringnotlike": ("not like", "not like any of"),
    "numericequals": ("=", "in"),
    "numericnotequals": ("!=", "not in"),
    "numericlessthan": ("<", "< one of"),
    "numericlessthanequals": ("<=", "<= one of"),
    "numericgreaterthan": (">", "> one of"),
    "numericgreaterthanequals": (">=", ">= one of"),
    "dateequals": ("is", "in"),
    "datenotequals": ("is not", "not in"),
    "datelessthan": ("before", "before one of"),
    "datelessthanequals": ("at or before", "at or before one of"),
    "dategreaterthan": ("after", "after one of"),
    "dategreaterthanequals": ("at or after", "at or after one of"),
    "bool": ("is", "in"),
    "binaryequals": ("is", "in"),
    "ipaddress": ("in", "in"),
    "notipaddress": ("not in", "not in"),
    "arnequals": ("is", "in"),
    "arnlike": ("like", "like one of"),
    "arnnotequals": ("is not", "not in"),
    "arnnotlike": ("not like", "not like any of"),
}


def describe_condition(cond: Condition) -> str:
    """One condition in words: ``aws:SourceIp in 10.0.0.0/8``, ``aws:MultiFactorAuthPresent is true``."""
    name = cond.operator_name
    base = name.operator.name.lower()
    values = list(cond.values)
    if base == "null":
        wanted = {v.lower() for v in values}
        text = (
            f"{cond.key} is absent"
            if wanted == {"true"}
            else f"{cond.key} is present"
            if wanted == {"false"}
            else f"{cond.key} Null {values}"
        )
        return text
    verbs = _VERBS.get(base)
    shown = values[0] if len(values) == 1 else "[" + ", ".join(values) + "]"
    if verbs is None:
        text = f"{name.operator.name} {cond.key} {shown}"
    else:
        text = f"{cond.key} {verbs[0] if len(values) == 1 else verbs[1]} {shown}"
    if name.set_modifier == "ForAnyValue":
        text = "any value of " + text
    elif name.set_modifier == "ForAllValues":
        text = "every value of " + text
    if name.if_exists:
        text += " (or absent)"
    return text


def resources_text(st: Statement) -> str:
    if st.resources is None:
        return "*"
    raw = [p.raw for p in st.resources]
    text = raw[0] if len(raw) == 1 else "[" + ", ".join(raw) + "]"
    return f"anything but {text}" if st.not_resource else text


def resource_patterns(st: Statement) -> tuple[str, ...]:
    """The statement's ``Resource`` values (``("*",)`` when it has none)."""
    return ("*",) if st.resources is None else tuple(p.raw for p in st.resources)
