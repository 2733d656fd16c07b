"""What one run of analysis knows about one account: the account and the answers several checks and commands share.

An :class:`AnalysisContext` is built once per run (``run_checks``, each CLI command that analyses an account, a
benchmark) and passed to whatever asks the engine about the account. It holds the account, which is immutable, and
one named cache per kind of answer, each filled by one module only (named beside it), so that a principal's policies
are compiled once, its administrator verdict decided once, its effective permissions built once, whichever check asks
first. Nothing here is global: a second run builds a second context, and everything it computed goes with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from iamwarden.model import Account
from iamwarden.policy import Policy

if TYPE_CHECKING:
    from iamwarden.analysis.effective import EffectiveAccess, Shape
    from iamwarden.analysis.escalation.graph import EscalationGraph
    from iamwarden.analysis.permissions import AdminAnalysis
    from iamwarden.analysis.principals import PrincipalPolicies
    from iamwarden.policy.lint import Finding

ScpLevels = tuple[tuple[tuple[Policy, ...], ...], bool, tuple[str, ...]]
"""SCPs of the account's organization: (levels root first, whether this is the management account, gaps)."""

PolicySetKey = tuple[tuple[str, ...], str, tuple[tuple[str, ...], ...]]
"""The names of a principal's identity policies, its boundary (``""`` for none) and its SCPs level by level: the
compiled policies are unique per name within a context, so principals with the same key have the same policies."""


@dataclass(eq=False, slots=True)
class AnalysisContext:
    """The account under analysis and the answers computed about it so far (see the module docstring)."""

    account: Account
    compiled: dict[tuple[str, str], Policy | str] = field(default_factory=dict)
    """By (kind, name) of the document: the compiled policy, or why it does not compile
    (:func:`iamwarden.analysis.principals.compile_document`)."""
    compiled_by_text: dict[bytes, Policy] = field(default_factory=dict)
    """By the document's JSON text: many principals share a document, which compiles to the same statements
    (:func:`iamwarden.analysis.principals.compile_document`)."""
    scp_levels: ScpLevels | None = None
    """:func:`iamwarden.analysis.principals.scp_levels`, once known."""
    principal_policies: dict[str, PrincipalPolicies] = field(default_factory=dict)
    """By principal ARN (:func:`iamwarden.analysis.principals.principal_policies`)."""
    admin: dict[str, AdminAnalysis] = field(default_factory=dict)
    """By principal ARN: is it effectively an administrator (:func:`iamwarden.analysis.permissions.admin_of`)."""
    policy_admin: dict[str, tuple[Policy, AdminAnalysis]] = field(default_factory=dict)
    """By policy name: does this policy alone make an administrator
    (:func:`iamwarden.analysis.permissions.policy_admin_of`)."""
    lint: dict[str, list[Finding]] = field(default_factory=dict)
    """By the examined policy's resource name: the linter's findings (:func:`iamwarden.analysis.lint.lint_examined`)."""
    effective: dict[str, EffectiveAccess] = field(default_factory=dict)
    """By principal ARN (:func:`iamwarden.analysis.effective.effective_access`)."""
    effective_shapes: dict[PolicySetKey, Shape] = field(default_factory=dict)
    """Effective permissions' structure by the set of policies it comes from, shared by the principals that have the
    same policies (:func:`iamwarden.analysis.effective.effective_access`)."""
    escalation_graphs: dict[int | None, EscalationGraph] = field(default_factory=dict)
    """By per-technique target limit (:func:`iamwarden.analysis.escalation.escalation_graph`)."""
