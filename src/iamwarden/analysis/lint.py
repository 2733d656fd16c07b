"""Lint the account's own policies with :func:`iamwarden.policy.lint.lint_policy_value`.

Documents are linted as compact JSON (no whitespace, as IAM counts size), so findings are reported by JSON path.
"""

from __future__ import annotations

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.principals import ExaminedPolicy
from iamwarden.policy.lint import Finding, lint_policy_value
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
        found = context.lint[examined.resource] = lint_policy_value(
            examined.document.document,
            policy_type="identity",
            source=examined.resource,
            identity_kind=identity_kind(examined),
        )
    return found


def lint_trust(document: object, source: str) -> list[Finding]:
    """The linter's findings for a role trust policy. Many roles share a trust policy (the same service or identity
    provider), so each distinct text is linted once."""
    return lint_policy_value(document, policy_type="trust", source=source)
