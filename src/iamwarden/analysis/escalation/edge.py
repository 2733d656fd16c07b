"""What an escalation edge is: a technique, the actions it needs allowed on their resources, and the statements that
allow them (PMapper's edges carry a human reason the same way)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from iamwarden.analysis.permissions import GrantingStatement
from iamwarden.policy import Decision


@dataclass(frozen=True, slots=True)
class ActionGrant:
    """One required action, allowed on one resource, and the statements that allow it."""

    action: str
    resource: str
    decision: Decision = field(repr=False, compare=False)

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

    @property
    def actions(self) -> list[str]:
        return list(dict.fromkeys(g.action for g in self.grants))

    def reason(self, names: Mapping[str, str] | None = None) -> str:
        """PMapper-style: who can do what to whom, and the statements that allow it."""
        label = names or {}
        src = label.get(self.source, self.source)
        dst = label.get(self.target, self.target)
        what = ", ".join(g.describe() for g in self.grants)
        how = "to make itself an administrator" if self.source == self.target else f"to act as {dst}"
        if self.admin and self.source != self.target:
            how += " (an administrator)"
        via = f" via {self.via}" if self.via else ""
        assumed = f"; assumed: {'; '.join(self.assumed)}" if self.assumed else ""
        return f"{src} can use {self.technique}{via} {how}: {what}{assumed}"


def granting(decision: Decision) -> list[GrantingStatement]:
    """The identity and resource-policy statements that allowed ``decision``, each once."""
    out: dict[tuple[str, str | None], GrantingStatement] = {}
    for reason in decision.reasons:
        if reason.effect == "Allow" and reason.policy_type in ("identity", "resource"):
            out.setdefault(
                (reason.policy, reason.statement), GrantingStatement(reason.policy, reason.statement, reason.detail)
            )
    return list(out.values())
