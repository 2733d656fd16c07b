"""What an escalation edge is: a technique, the actions it needs allowed on their resources, and the statements that
allow them (PMapper's edges carry a human reason the same way)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from iamwarden.analysis.escalation.caller_context import tagging_ids
from iamwarden.analysis.permissions import GrantingStatement
from iamwarden.policy import Decision


@dataclass(frozen=True, slots=True)
class ActionGrant:
    """One required action, allowed on one resource, and the statements that allow it."""

    action: str
    resource: str
    decision: Decision = field(repr=False, compare=False)
    chosen: tuple[str, ...] = ()
    """Conditions of the allowing statements the attacker satisfies by how it calls, and how
    (:mod:`.caller_context`); none when the default context of long-term credentials is allowed."""

    @property
    def statements(self) -> list[GrantingStatement]:
        return granting(self.decision)

    def describe(self) -> str:
        why = "; ".join(s.detail for s in self.statements) or "allowed"
        return f"{self.action} on {self.resource} ({why})"


@dataclass(frozen=True, slots=True)
class Edge:
    """``source`` can act as ``target`` through ``technique`` (``target == source``: it changes its own permissions)."""

    source: str
    target: str
    technique: str
    grants: tuple[ActionGrant, ...]
    admin: bool
    """After this edge the attacker is an administrator (the target is one, or the technique makes it one)."""
    via: str | None = None
    """The resource used (policy, group, function, instance, passed role ...)."""
    assumed: tuple[str, ...] = ()
    member_of: tuple[str, ...] = ()
    """Groups the source (a user) has joined on the path before this edge (:func:`node_key`)."""
    joins: str | None = None
    """The group this edge adds the target (a user the attacker controls) to: after it the attacker holds the user's
    permissions plus the group's (pathfinding.cloud iam-013, as a hop)."""
    source_node: str = field(init=False, repr=False, compare=False)
    """The graph node the edge leaves (:func:`node_key`: the source, as a member of :attr:`member_of`)."""
    target_node: str = field(init=False, repr=False, compare=False)
    """The node the attacker is at after this edge: the target, or the target as a member of the group joined."""

    def __post_init__(self) -> None:
        setter = object.__setattr__
        setter(self, "source_node", node_key(self.source, self.member_of))
        if self.joins is not None:
            setter(self, "target_node", node_key(self.target, (self.joins,)))
        elif self.target == self.source:
            setter(self, "target_node", node_key(self.target, self.member_of))
        else:
            setter(self, "target_node", self.target)

    @property
    def conditions(self) -> tuple[str, ...]:
        """Conditions the attacker satisfies by how it calls, and how (:attr:`ActionGrant.chosen`)."""
        return tuple(dict.fromkeys(note for g in self.grants for note in g.chosen))

    @property
    def uses(self) -> tuple[str, ...]:
        """Our ids of the tagging steps the conditions need first (:data:`.caller_context.SELF_TAGGING` ...)."""
        return tagging_ids(self.conditions)

    @property
    def actions(self) -> list[str]:
        return list(dict.fromkeys(g.action for g in self.grants))

    def reason(self, names: Mapping[str, str] | None = None) -> str:
        """PMapper-style: who can do what to whom, and the statements that allow it."""
        label = names or {}
        src = label.get(self.source, self.source)
        dst = label.get(self.target, self.target)
        if self.member_of:
            src += f" (as a member of {', '.join(label.get(g, g) for g in self.member_of)})"
        what = ", ".join(g.describe() for g in self.grants)
        if self.joins is not None:
            who = "itself" if self.source == self.target else dst
            how = f"to add {who} to {label.get(self.joins, self.joins)} and gain the group's permissions"
            if self.admin:
                how += " (an administrator)"
        else:
            how = "to make itself an administrator" if self.source == self.target else f"to act as {dst}"
            if self.admin and self.source != self.target:
                how += " (an administrator)"
        via = f" via {self.via}" if self.via and self.via != self.joins else ""
        assumed = f"; assumed: {'; '.join(self.assumed)}" if self.assumed else ""
        chosen = f"; the attacker satisfies: {'; '.join(self.conditions)}" if self.conditions else ""
        return f"{src} can use {self.technique}{via} {how}: {what}{assumed}{chosen}"


def node_key(principal: str, groups: tuple[str, ...] = ()) -> str:
    """The graph node of a principal that has joined ``groups`` on the path (the principal's ARN when none): the
    space cannot occur in an ARN, so the key never names a principal of the account."""
    return principal if not groups else " ".join((principal, *(f"+{g}" for g in groups)))


def node_principal(node: str) -> str:
    """The principal's ARN of a node (:func:`node_key`)."""
    return node.partition(" ")[0]


def granting(decision: Decision) -> list[GrantingStatement]:
    """The identity and resource-policy statements that allowed ``decision``, each once."""
    out: dict[tuple[str, str | None], GrantingStatement] = {}
    for reason in decision.reasons:
        if reason.effect == "Allow" and reason.policy_type in ("identity", "resource"):
            out.setdefault(
                (reason.policy, reason.statement), GrantingStatement(reason.policy, reason.statement, reason.detail)
            )
    return list(out.values())
