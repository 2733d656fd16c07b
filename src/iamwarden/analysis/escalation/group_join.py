"""Joining a group as a hop (pathfinding.cloud iam-013, ``iam:AddUserToGroup``).

A user added to a group holds the group's permissions from then on (IAM User Guide, "IAM user groups",
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html: "Any user in that user group automatically has the
permissions that are assigned to the user group"). So a principal the engine lets apply ``iam:AddUserToGroup`` to a
group can add a user it controls and continue from that user *as a member of the group*: a node of its own in the
graph (:func:`~.edge.node_key`), whose edges the engine decides with the user's policies plus the group's (its
permissions boundary and SCPs unchanged).

- A user adding itself: the edge is kept when the group's policies complete a technique the user's own do not name
  every action of (the next hop: ``iam:PutGroupPolicy`` on that very group, ``sts:AssumeRole`` on an administrator
  role, ``iam:PassRole`` with ``lambda:CreateFunction``...). A user adding itself to an administrator group is
  iam-013's own one-step technique (:mod:`.self_escalation`), not repeated here. (A group that only widens the
  resources of a technique the user already has is not joined: a limit of the analysis.)
- A principal reached on a path (a role the user assumed, say) adding *that user* (or another user the path went
  through) to a group: which users a path holds depends on the path, so these edges are made as paths are walked
  (:meth:`~.graph.EscalationGraph._walk`), and only towards administrator groups, where the path ends. (Adding the
  user to a group that is not an administrator group and going on from there is not followed: one node per user and
  group would be needed.)

One group is joined per user on a path: a member node adds itself to no further group, except an administrator group
(iam-013's technique), so the nodes stay one per (user, group).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from iamwarden.analysis.escalation.edge import Edge
from iamwarden.analysis.principals import PrincipalPolicies
from iamwarden.model import User

if TYPE_CHECKING:
    from iamwarden.analysis.escalation.edges import EdgeFinder

ACTION = "iam:AddUserToGroup"
TECHNIQUE = "iam-013"


def may_join(finder: EdgeFinder, node: str, admin_only: bool = False) -> bool:
    """The node may add users to some group worth joining (an administrator group; unless ``admin_only``, also one
    whose policies name a technique action), as far as its own policies go."""
    if ACTION not in finder.decisions.candidates(node):
        return False
    groups = finder.allowed(finder.decisions.policies(node), ACTION, "group")
    return any(finder.group_admin(g) or (not admin_only and finder.group_candidates(g)) for g in groups)


def edges(
    finder: EdgeFinder, node: str, pp: PrincipalPolicies, users: Iterable[str] | None = None, admin_only: bool = False
) -> list[Edge]:
    """Edges from ``node`` adding each of ``users`` (user ARNs the attacker controls; default: the node's own user)
    to the groups it may add them to (see the module docstring); ``admin_only``: to administrator groups only."""
    decisions = finder.decisions
    if ACTION not in decisions.candidates(node):
        return []
    source = pp.principal.arn
    joined = finder.member_groups(node)
    if users is None:
        users = [source] if isinstance(pp.principal, User) else []
    groups = finder.allowed(pp, ACTION, "group")
    if not groups:
        return []
    principals = finder.facts.principals
    out: list[Edge] = []
    for user_arn in users:
        user = principals.get(user_arn)
        if not isinstance(user, User) or finder.gaps(user_arn):
            continue
        itself = user_arn == source
        if itself and joined:
            continue  # one group joined per user on a path: the graph stays linear in the groups
        for group_arn in sorted(groups):
            group = finder.group(group_arn)
            if group is None or group.name in user.group_names or (admin_only and not finder.group_admin(group_arn)):
                continue
            admin = finder.member_admin(user_arn, (group_arn,))
            if admin_only and not admin:
                continue
            if admin and itself:
                continue  # iam-013's one-step technique (self_escalation) reports it
            if not admin and not finder.adds_technique(user_arn, group_arn):
                continue  # completes no technique the user's own policies do not: leads nowhere new
            grant = decisions.grant(pp, ACTION, group_arn)
            if grant is not None:
                finder.member(user, (group_arn,))
                out.append(
                    Edge(source, user_arn, TECHNIQUE, (grant,), admin, group_arn, member_of=joined, joins=group_arn)
                )
    return out
