"""Lint the account's own policies with :func:`iamwarden.policy.lint.lint_policy_text`.

Documents are linted as compact JSON (no whitespace, as IAM counts size), so findings are reported by JSON path.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.principals import ExaminedPolicy
from iamwarden.policy.lint import Finding, lint_policy_text
from iamwarden.policy.lint.structure import IdentityKind


def identity_kind(examined: ExaminedPolicy) -> IdentityKind:
    if examined.resource_type != "AwsIamInlinePolicy":
        return "managed"
    owner = examined.resource.split(":", 5)[-1]
    if owner.startswith("user/"):
        return "user"
    if owner.startswith("group/"):
        return "group"
    return "role"


def lint_examined(context: AnalysisContext, examined: ExaminedPolicy) -> list[Finding]:
    """The linter's findings for one of the account's policies (linted once per run)."""
    found = context.lint.get(examined.resource)
    if found is None:
        text = json.dumps(examined.document.document, separators=(",", ":"))
        found = context.lint[examined.resource] = lint_policy_text(
            text, policy_type="identity", source=examined.resource, identity_kind=identity_kind(examined)
        )
    return found


def lint_trust(document: object, source: str) -> list[Finding]:
    """The linter's findings for a role trust policy. Many roles share a trust policy (the same service or identity
    provider), so each distinct text is linted once."""
    found = _lint_trust_text(json.dumps(document, separators=(",", ":")))
    return [replace(f, source=source) for f in found]


@lru_cache(maxsize=4096)
def _lint_trust_text(text: str) -> tuple[Finding, ...]:
    return tuple(lint_policy_text(text, policy_type="trust", source=""))
