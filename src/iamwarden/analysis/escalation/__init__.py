"""Privilege escalation, proven with the policy engine: the pathfinding.cloud techniques, the principal graph and the
paths from each principal to an administrator (see docs/escalation.md)."""

from iamwarden.analysis.escalation.catalogue import RequiredAction, Technique, catalogue_actions, techniques

__all__ = ["RequiredAction", "Technique", "catalogue_actions", "techniques"]
