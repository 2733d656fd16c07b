"""Privilege escalation, proven with the policy engine: the pathfinding.cloud techniques, the principal graph and the
paths from each principal to an administrator (see docs/escalation.md)."""

from iamwarden.analysis.escalation.catalogue import RequiredAction, Technique, catalogue_actions, techniques
from iamwarden.analysis.escalation.edge import ActionGrant, Edge
from iamwarden.analysis.escalation.edges import EdgeFinder
from iamwarden.analysis.escalation.graph import (
    ADMIN,
    MAX_HOPS,
    MAX_PATHS,
    EscalationGraph,
    EscalationPath,
    PrincipalEscalation,
    escalation_graph,
    principal_escalation,
)

__all__ = [
    "ADMIN",
    "MAX_HOPS",
    "MAX_PATHS",
    "ActionGrant",
    "Edge",
    "EdgeFinder",
    "EscalationGraph",
    "EscalationPath",
    "PrincipalEscalation",
    "RequiredAction",
    "Technique",
    "catalogue_actions",
    "escalation_graph",
    "principal_escalation",
    "techniques",
]
