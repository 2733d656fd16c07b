"""The policy linter: IAM Access Analyzer's kinds of findings (ERROR, SECURITY_WARNING, WARNING, SUGGESTION), each
with an issue code, a message, the element's JSON path and its line and column in the text.

The linter reads the raw text itself (:mod:`.jsonpos`), so it reports on documents a strict parser would reject.
One module per family of checks: :mod:`.structure` (elements, principals, size), :mod:`.actions`,
:mod:`.service_roles`, :mod:`.principals`, :mod:`.resources`, :mod:`.conditions` and :mod:`.condition_values`,
:mod:`.tag_keys`, :mod:`.variables`. Codes and their help live in :mod:`.rules`; docs/lint.md lists them.

>>> [f.code for f in lint_policy_text('{"Statement": {"Effect": "Allow", "Action": "s3:GetObjekt", '
...                                   '"Resource": "*"}}', policy_type="identity", source="p.json")]
['MISSING_VERSION', 'INVALID_ACTION']
"""

from __future__ import annotations

import json
from dataclasses import replace

from iamwarden.policy.catalogue import Catalogue, catalogue
from iamwarden.policy.lint.actions import check_actions
from iamwarden.policy.lint.conditions import check_conditions
from iamwarden.policy.lint.findings import POLICY_TYPES, Collector, Finding
from iamwarden.policy.lint.jsonpos import JNode, JObject, JScalar, JsonSyntaxError, compact, parse
from iamwarden.policy.lint.principals import check_principals
from iamwarden.policy.lint.resources import check_resources
from iamwarden.policy.lint.rules import KIND_ORDER, REDIRECTS, RULES, FindingKind, Rule, canonical
from iamwarden.policy.lint.service_roles import check_service_roles
from iamwarden.policy.lint.structure import IdentityKind, check_document, check_redundant_statements, check_size
from iamwarden.policy.lint.tag_keys import check_tag_keys
from iamwarden.policy.lint.variables import check_variables
from iamwarden.policy.types import PolicyType

__all__ = [
    "KIND_ORDER",
    "POLICY_TYPES",
    "REDIRECTS",
    "RULES",
    "Finding",
    "FindingKind",
    "IdentityKind",
    "PolicyType",
    "Rule",
    "canonical",
    "lint_policy_text",
    "lint_policy_value",
]


_MEMO_SIZE = 8192
_memo: dict[tuple[str, PolicyType, IdentityKind], tuple[Finding, ...]] = {}


def lint_policy_text(
    text: str,
    *,
    policy_type: PolicyType,
    source: str,
    identity_kind: IdentityKind = "managed",
    cat: Catalogue | None = None,
) -> list[Finding]:
    """Every finding for one policy document, sorted by position. ``identity_kind`` picks the size quota of an
    identity policy (a managed policy, or the inline policies of a user, role or group).

    Without ``cat`` (the installed catalogue), the findings of each distinct text are remembered (many principals
    share a policy): a text seen again costs a look-up, and its findings are returned naming ``source``."""
    if policy_type not in POLICY_TYPES:
        raise ValueError(f"unknown policy type {policy_type!r}")
    if cat is not None:
        return _lint(text, policy_type, source, identity_kind, cat)
    return _remembered(text, policy_type, source, identity_kind, None)


def lint_policy_value(
    document: object, *, policy_type: PolicyType, source: str, identity_kind: IdentityKind = "managed"
) -> list[Finding]:
    """:func:`lint_policy_text` of an already parsed document, as its compact JSON text (no whitespace, as IAM
    counts size): the findings are the same, positions are offsets into that one line, and the text is not read
    back (:func:`~.jsonpos.compact`)."""
    if policy_type not in POLICY_TYPES:
        raise ValueError(f"unknown policy type {policy_type!r}")
    text = json.dumps(document, separators=(",", ":"))
    return _remembered(text, policy_type, source, identity_kind, document)


def _remembered(
    text: str, policy_type: PolicyType, source: str, identity_kind: IdentityKind, document: object
) -> list[Finding]:
    """The findings for ``text``, linted once per distinct text, type and quota, returned naming ``source``.
    ``document``: the parsed value of ``text`` when the caller has it (its nodes are built from it), else ``None``
    for ``lint_policy_text`` (the text is read)."""
    key = (text, policy_type, identity_kind)
    found = _memo.get(key)
    if found is None:
        root: JNode | None = None
        if document is not None:
            try:
                root = compact(document, text)
            except JsonSyntaxError:
                root = None  # _lint reads the text and reports where it stops
        found = tuple(_lint(text, policy_type, "", identity_kind, catalogue(), root))
        if len(_memo) >= _MEMO_SIZE:
            _memo.clear()
        _memo[key] = found
    return [replace(f, source=source) for f in found]


def _lint(
    text: str,
    policy_type: PolicyType,
    source: str,
    identity_kind: IdentityKind,
    cat: Catalogue,
    root: JNode | None = None,
) -> list[Finding]:
    """The findings; ``root``: the nodes of ``text`` when known already (else ``text`` is read)."""
    out = Collector(source, policy_type)
    if root is None:
        try:
            root = parse(text)
        except JsonSyntaxError as exc:
            out.add("JSON_SYNTAX_ERROR", f"invalid JSON: {exc.message}", (), exc.pos)
            return out.findings
    check_size(text, out, root, identity_kind)
    statements = check_document(root, out)
    check_redundant_statements(statements, out)
    check_variables(statements, _version(root), out)
    for st in statements:
        resolved = check_actions(st, cat, out) if st.action_node is not None else None
        if resolved is not None:
            check_service_roles(st, resolved, out)
        check_principals(st, resolved, out)
        check_resources(st, resolved, cat, out)
        check_conditions(st, resolved, cat, out)
        check_tag_keys(st, resolved, cat, out)
    return sorted(out.findings, key=lambda f: (f.line, f.column, -f.severity, f.code))


def _version(root: JNode) -> str | None:
    version = root.get("Version") if isinstance(root, JObject) else None
    return version.value if isinstance(version, JScalar) and isinstance(version.value, str) else None
