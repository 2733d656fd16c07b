"""The cross-account graph's results: its edges (:class:`Hop`), the paths they make to another account's
administrators (:class:`CrossAccountPath`, :func:`shortest_paths`) and the trusts of accounts outside the organization
(:class:`ExternalTrust`). Nodes are principal ARNs and ``admin:<account id>``, any administrator of an account."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

MAX_HOPS = 6
ADMIN_NODE = "admin:"

EdgeKind = Literal["assume", "as_admin", "admin", "escalate"]


def admin_node(account_id: str) -> str:
    """The node standing for any administrator of ``account_id``."""
    return f"{ADMIN_NODE}{account_id}"


def account_of_node(node: str) -> str:
    """The account of a node: an ``admin:`` node or a principal ARN."""
    if node.startswith(ADMIN_NODE):
        return node[len(ADMIN_NODE) :]
    return node.split(":")[4]


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a path: ``source`` may act as ``target``."""

    source: str
    target: str
    kind: EdgeKind
    source_account: str
    target_account: str
    conditions: tuple[str, ...] = ()
    """Context keys the request needs (``sts:externalid``, ``aws:multifactorauthpresent`` ...): ``conditional``."""
    statements: tuple[str, ...] = ()
    """The statements that allowed it (``policy statement Sid``), or the escalation techniques of an ``escalate``."""

    @property
    def cross_account(self) -> bool:
        return self.source_account != self.target_account

    def describe(self) -> str:
        what = {
            "assume": "can assume",
            "as_admin": "(any administrator) can assume",
            "admin": "is an administrator:",
            "escalate": f"can become an administrator ({', '.join(self.statements)}):",
        }[self.kind]
        source = "administrators" if self.source.startswith(ADMIN_NODE) else self.source
        target = f"administrator of {self.target_account}" if self.target.startswith(ADMIN_NODE) else self.target
        cond = f" if {', '.join(self.conditions)} hold" if self.conditions else ""
        return f"[{self.source_account}] {source} {what} [{self.target_account}] {target}{cond}"

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "from_account": self.source_account,
            "to": self.target,
            "to_account": self.target_account,
            "kind": self.kind,
            "conditions": list(self.conditions),
            "because": list(self.statements),
        }


@dataclass(frozen=True, slots=True)
class CrossAccountPath:
    """A path from ``source`` to an administrator of another account, hop by hop."""

    source: str
    hops: tuple[Hop, ...]

    @property
    def source_account(self) -> str:
        return account_of_node(self.source)

    @property
    def target_account(self) -> str:
        return self.hops[-1].target_account

    @property
    def conditional(self) -> bool:
        return any(h.conditions for h in self.hops)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "source_account": self.source_account,
            "target_account": self.target_account,
            "conditional": self.conditional,
            "hops": [h.to_json() for h in self.hops],
        }


@dataclass(frozen=True, slots=True)
class ExternalTrust:
    """A role trusting a principal of an account outside the organization."""

    role: str
    account_id: str
    principal: str
    """As the trust policy names it."""
    external_account: str | None
    """``None`` for ``*`` (everyone)."""
    decision: Literal["open", "conditional", "denied"]
    gated_by: tuple[str, ...]
    """Context keys the trust needs (``sts:externalid`` ...), for a ``conditional`` one."""

    @property
    def external_id(self) -> bool:
        return any(key.lower() == "sts:externalid" for key in self.gated_by)

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "account_id": self.account_id,
            "principal": self.principal,
            "external_account": self.external_account,
            "decision": self.decision,
            "gated_by": list(self.gated_by),
            "external_id": self.external_id,
        }


def shortest_paths(
    out_edges: Mapping[str, Sequence[Hop]], source: str, max_hops: int = MAX_HOPS
) -> list[CrossAccountPath]:
    """The shortest path from ``source`` to the administrators of each other account it reaches first (breadth
    first over ``out_edges``, the hops by node): a path ends at the first administrators of another account it meets
    (what those can reach is their own path)."""
    start = account_of_node(source)
    found: dict[str, CrossAccountPath] = {}
    queue: deque[tuple[str, tuple[Hop, ...]]] = deque([(source, ())])
    seen = {source}
    while queue:
        node, hops = queue.popleft()
        if len(hops) >= max_hops:
            continue
        for hop in out_edges.get(node, ()):
            if hop.target in seen:
                continue
            seen.add(hop.target)
            path = (*hops, hop)
            if hop.target.startswith(ADMIN_NODE) and hop.target_account != start:
                found.setdefault(hop.target_account, CrossAccountPath(source, path))
                continue
            queue.append((hop.target, path))
    return sorted(found.values(), key=lambda p: (len(p.hops), p.target_account))
