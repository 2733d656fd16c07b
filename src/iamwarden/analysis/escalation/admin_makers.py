"""Principals that can make *other* principals administrators, even when they cannot use that access themselves.

A role allowed ``iam:PutUserPolicy`` on every user, or a user allowed ``iam:AttachRolePolicy`` on roles it cannot
assume, holds administrator power over IAM: it can give anyone it likes full access. The escalation graph only counts
techniques whose every step the attacker completes (write the policy, then use the target's credentials); this module
reports the first step alone, decided by the engine like every edge (:class:`~.edges.EdgeFinder`). (Rewriting an
administrator role's trust policy is a path of its own, pathfinding.cloud iam-012.)

- write or attach an administrator policy to another user or role (``iam:Put*Policy``, ``iam:Attach*Policy`` with an
  administrator policy as ``iam:PolicyARN``), to a group with members, or as a new default version of a
  customer-managed policy attached to others (``iam:CreatePolicyVersion``);
- add other users to a group whose policies make its members administrators (``iam:AddUserToGroup``).

Targets count only when their permissions boundary and SCPs would let them become administrators. The technique ids
are pathfinding.cloud's for the path this is the first step of.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from iamwarden.analysis.escalation.edge import ActionGrant
from iamwarden.analysis.escalation.targets import attaches

if TYPE_CHECKING:
    from iamwarden.analysis.escalation.edges import EdgeFinder

MAKERS: tuple[tuple[str, str, str], ...] = (
    # (action, what it is applied to, pathfinding.cloud id of the path it starts)
    ("iam:PutUserPolicy", "user", "iam-018"),
    ("iam:AttachUserPolicy", "user", "iam-015"),
    ("iam:PutRolePolicy", "role", "iam-017"),
    ("iam:AttachRolePolicy", "role", "iam-014"),
    ("iam:PutGroupPolicy", "group", "iam-011"),
    ("iam:AttachGroupPolicy", "group", "iam-010"),
    ("iam:CreatePolicyVersion", "policy", "iam-016"),
    ("iam:AddUserToGroup", "admin-group", "iam-013"),
)
SAMPLE = 3


@dataclass(frozen=True, slots=True)
class AdminMaking:
    """``action`` lets the principal make each of ``targets`` an administrator (``via``: the groups, policies or
    roles it edits, when they are not the targets themselves)."""

    technique: str
    action: str
    targets: tuple[str, ...]
    via: tuple[str, ...]
    grant: ActionGrant

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "technique": self.technique,
            "action": self.action,
            "targets": len(self.targets),
            "sample": list(self.targets[:SAMPLE]),
            "reason": self.grant.describe(),
        }
        if self.via:
            out["via"] = list(self.via[:SAMPLE])
        if self.grant.chosen:
            out["satisfies"] = list(self.grant.chosen)
        return out


def admin_makings(finder: EdgeFinder, arn: str) -> list[AdminMaking]:
    """What ``arn`` may do to make other principals administrators (see the module docstring)."""
    facts, decisions, targets = finder.facts, finder.decisions, finder.targets
    pp = facts.policies[arn]
    account = finder.account

    makeable = targets.makeable()

    def could_become_admin(target: str) -> bool:
        return target != arn and target in makeable

    out: list[AdminMaking] = []
    for action, kind, technique in MAKERS:
        if action not in facts.candidates[arn]:
            continue
        made: list[str] = []
        via: list[str] = []
        if kind in ("user", "role"):
            edited = finder.allowed(pp, action, kind)
            made = sorted(a for a in edited if could_become_admin(a))
            first = made[0] if made else None
        elif kind == "group":
            edited = finder.allowed(pp, action, "group")
            group_members = targets.group_members()
            for group in account.groups:
                if group.arn not in edited:
                    continue
                members = [u for u in group_members.get(group.name, ()) if could_become_admin(u)]
                if members:
                    via.append(group.arn)
                    made += members
            first = via[0] if via else None
        elif kind == "policy":
            owners = targets.policy_owners()
            for policy_arn in sorted(finder.allowed(pp, action, "policy")):
                users = sorted(a for a in owners.get(policy_arn, ()) if could_become_admin(a))
                if users:
                    via.append(policy_arn)
                    made += users
            first = via[0] if via else None
        else:  # admin-group
            groups = [g for g in account.groups if g.arn in finder.allowed(pp, action, "group")]
            admin_groups = [g.arn for g in groups if finder.group_admin(g.arn)]
            if admin_groups:
                via = admin_groups
                made = sorted(u.arn for u in account.users if could_become_admin(u.arn))
            first = via[0] if via and made else None
        if first is None or not made:
            continue
        context = finder.attach_context(pp, action, first) if attaches(action) else None
        grant = decisions.grant(pp, action, first, context)
        if grant is not None:
            out.append(AdminMaking(technique, action, tuple(dict.fromkeys(made)), tuple(via), grant))
    return out
