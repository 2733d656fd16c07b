"""Policy variables (``${aws:username}``, ``${aws:PrincipalTag/team, 'none'}``): well formed, in an element that
takes them, under a Version that replaces them. Access Analyzer's variable checks ("IAM Access Analyzer policy check
reference": Missing brace in variable, Empty variable, Unsupported space in variable, Missing quote in variable,
Variable unsupported in element, Variable unsupported in version); the rules are the IAM User Guide's
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.policy.lint.findings import Collector, Statement, strings_of
from iamwarden.policy.lint.jsonpos import JObject, JScalar

#: ``${*}``, ``${?}`` and ``${$}`` stand for the characters themselves.
SPECIAL = frozenset({"*", "?", "$"})


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
            if comma:
                quoted = default.strip()
                if len(quoted) < 2 or not (quoted.startswith("'") and quoted.endswith("'")):
                    out.at(
                        "MISSING_QUOTE_IN_VARIABLE",
                        value,
                        f"the default value {default.strip()!r} of ${{{name}}} is written in single quotes",
                    )
        start = text.find("${", end + 1)
    return found


__all__ = ["SPECIAL", "check_variables"]
