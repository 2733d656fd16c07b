"""Policy variables (``${aws:username}``, ``${aws:PrincipalTag/team, 'none'}``): well formed, in an element that
takes them, under a Version that replaces them. Access Analyzer's variable checks ("IAM Access Analyzer policy check
reference": Missing brace in variable, Empty variable, Unsupported space in variable, Unsupported symbol in variable,
Missing quote in variable, Variable unsupported in element, Variable unsupported in version); the rules are the IAM
User Guide's (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).

A variable's name is a request context key: letters and digits, the ``:`` and ``/`` that join a service prefix and a
tag key, and the other characters a tag key may hold (``_ . : / = + - @``, IAM User Guide "Tag naming rules"); any
other symbol in it is Access Analyzer's UNSUPPORTED_SYMBOL_IN_VARIABLE ("Remove the symbol"), as is a default value
in double or typographic quotes (its second message: "Use ' instead").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from iamwarden.policy.lint.findings import Collector, Statement, strings_of
from iamwarden.policy.lint.jsonpos import JObject, JScalar

#: ``${*}``, ``${?}`` and ``${$}`` stand for the characters themselves.
SPECIAL = frozenset({"*", "?", "$"})
_NAME_SYMBOL = re.compile(r"[^A-Za-z0-9_.:/=+@\- ]")
"""A character a context key (hence a variable's name) cannot hold; spaces are UNSUPPORTED_SPACE_IN_VARIABLE."""
_WRONG_QUOTES = ('"', "\u201c", "\u201d", "\u2018", "\u2019", "`")


def check_variables(statements: list[Statement], version: str | None, out: Collector) -> None:
    used: JScalar | None = None
    for st in statements:
        for value in _replaced_values(st):
            if _check_syntax(value, out):
                used = used or value
        for element in ("Action", "NotAction", "Principal", "NotPrincipal"):
            node = st.node.get(element)
            values = _principal_strings(node) if isinstance(node, JObject) else strings_of(node)
            for value in values:
                if "${" in str(value.value):
                    out.at(
                        "VARIABLE_UNSUPPORTED_IN_ELEMENT",
                        value,
                        f"{element} takes no policy variable: {value.value!r} is matched as written",
                    )
    if used is not None and version != "2012-10-17":
        out.at(
            "VARIABLE_UNSUPPORTED_IN_VERSION",
            used,
            f'{used.value!r} holds a policy variable, which is replaced only under "Version": "2012-10-17"',
        )


def _replaced_values(st: Statement) -> Iterator[JScalar]:
    """The strings where AWS replaces variables: Resource/NotResource entries and condition values."""
    yield from st.resources
    if st.condition is None:
        return
    for op in st.condition.members:
        if isinstance(op.value, JObject):
            for key in op.value.members:
                yield from strings_of(key.value)


def _principal_strings(node: JObject) -> list[JScalar]:
    return [v for m in node.members for v in strings_of(m.value)]


def _check_syntax(value: JScalar, out: Collector) -> bool:
    """Report the malformed variables of one string; whether it holds a variable."""
    text = str(value.value)
    start = text.find("${")
    found = False
    while start != -1:
        found = True
        end = text.find("}", start + 2)
        if end == -1:
            out.at("MISSING_BRACE_IN_VARIABLE", value, f"the variable at {text[start:]!r} has no closing }}")
            return True
        body = text[start + 2 : end]
        if not body.strip():
            out.at("EMPTY_VARIABLE", value, f"{text!r} holds an empty variable ${{}}")
        elif body not in SPECIAL:
            name, comma, default = body.partition(",")
            if " " in name.strip() or name != name.strip():
                out.at("UNSUPPORTED_SPACE_IN_VARIABLE", value, f"the variable name {name!r} holds a space")
            symbol = _NAME_SYMBOL.search(name)
            if symbol is not None:
                out.at(
                    "UNSUPPORTED_SYMBOL_IN_VARIABLE",
                    value,
                    f"the symbol {symbol.group()!r} is not supported in the variable name {name.strip()!r}: remove it",
                )
            if comma:
                quoted = default.strip()
                if quoted[:1] in _WRONG_QUOTES and quoted[-1:] in _WRONG_QUOTES and len(quoted) >= 2:
                    out.at(
                        "UNSUPPORTED_SYMBOL_IN_VARIABLE",
                        value,
                        f"the symbol {quoted[0]!r} is not supported around the default value of ${{{name}}}: "
                        "use ' instead",
                    )
                elif len(quoted) < 2 or not (quoted.startswith("'") and quoted.endswith("'")):
                    out.at(
                        "MISSING_QUOTE_IN_VARIABLE",
                        value,
                        f"the default value {default.strip()!r} of ${{{name}}} is written in single quotes",
                    )
        start = text.find("${", end + 1)
    return found


__all__ = ["SPECIAL", "check_variables"]
