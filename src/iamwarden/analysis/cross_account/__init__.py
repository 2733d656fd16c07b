"""Cross-account analysis over an organization: a compact summary of each account (:mod:`.summary`), joined into
the graph of who may assume which role of another account and the paths that reach another account's administrators
(:mod:`.graph`, its parts :mod:`.hops`, :mod:`.places`, :mod:`.reads`). See docs/organizations.md."""

from iamwarden.analysis.cross_account.graph import CrossAccountGraph
from iamwarden.analysis.cross_account.hops import (
    ADMIN_NODE,
    MAX_HOPS,
    CrossAccountPath,
    ExternalTrust,
    Hop,
    account_of_node,
    admin_node,
)
from iamwarden.analysis.cross_account.summary import AccountSummary, AdminReach, Caller, TrustingRole, summarize_account

__all__ = [
    "ADMIN_NODE",
    "MAX_HOPS",
    "AccountSummary",
    "AdminReach",
    "Caller",
    "CrossAccountGraph",
    "CrossAccountPath",
    "ExternalTrust",
    "Hop",
    "TrustingRole",
    "account_of_node",
    "admin_node",
    "summarize_account",
]
