"""Privilege escalation, proven with the policy engine: the pathfinding.cloud techniques, the principal graph and the
paths from each principal to an administrator (see docs/escalation.md)."""

from iamwarden.analysis.escalation.catalogue import RequiredAction, Technique, catalogue_actions, techniques
from iamwarden.analysis.escalation.edges import Edge, EdgeFinder, Grant
from iamwarden.analysis.escalation.graph import ADMIN, EscalationGraph, EscalationPath, escalation_graph

__all__ = [
    "ADMIN",
    "Edge",
    "EdgeFinder",
    "EscalationGraph",
    "EscalationPath",
    "Grant",
    "RequiredAction",
    "Technique",
    "catalogue_actions",
    "escalation_graph",
    "techniques",
]
