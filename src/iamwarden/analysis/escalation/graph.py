"""The escalation graph of an account and the paths from a principal to an administrator (or to a chosen principal).

Nodes are the account's users and roles (not service-linked roles); edges are :class:`~.edges.Edge` (a technique,
its actions on their resources and the statements that allow them). Paths are found breadth first, so they come out
shortest first; every simple path up to ``max_hops`` is reported, up to ``max_paths`` per starting principal (0: no
limit), through the edges kept: every edge to an administrator, and up to ``per_technique`` other targets per technique
(``None``: all; see :data:`~.edges.TARGETS_PER_TECHNIQUE`). These are limits on the report, stated in it; whether a
principal can reach an administrator does not depend on them. A path ends at its first administrator: an edge whose
target is an administrator without MFA, or a technique that makes its principal one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.escalation import group_join
from iamwarden.analysis.escalation.admin_makers import AdminMaking, admin_makings
from iamwarden.analysis.escalation.edge import Edge, node_principal
from iamwarden.analysis.escalation.edges import TARGETS_PER_TECHNIQUE, EdgeFinder
from iamwarden.model import User

ADMIN = "admin"
"""``--to admin``: any administrator."""
MAX_HOPS = 5
MAX_PATHS = 20


@dataclass(frozen=True, slots=True)
class EscalationPath:
    source: str
    hops: tuple[Edge, ...]

    @property
    def target(self) -> str:
        return self.hops[-1].target

    @property
    def techniques(self) -> list[str]:
        return [h.technique for h in self.hops]

    def to_json(self, names: dict[str, str] | None = None) -> dict[str, Any]:
        return {
            "target": self.target,
            "hops": [
                {
                    "from": h.source,
                    "to": h.target,
                    "technique": h.technique,
                    "actions": h.actions,
                    "reason": h.reason(names),
                    **({"via": h.via} if h.via else {}),
                    **({"assumed": list(h.assumed)} if h.assumed else {}),
                    **({"member_of": list(h.member_of)} if h.member_of else {}),
                    **({"joins": h.joins} if h.joins else {}),
                    **({"satisfies": list(h.conditions)} if h.conditions else {}),
                    **({"uses": list(h.uses)} if h.uses else {}),
                }
                for h in self.hops
            ],
        }


class EscalationGraph:
    """Every edge between the account's principals, computed once (use :func:`escalation_graph`). Entry points pause
    the cyclic collector around building it (:func:`iamwarden.runtime.gc_paused`, as ``paths`` and the check
    runner do): edges, grants and decisions form no cycles, and the collector's passes cost a fifth of the time."""

    def __init__(
        self,
        context: AnalysisContext,
        targets: Iterable[str] = (),
        per_technique: int | None = TARGETS_PER_TECHNIQUE,
    ) -> None:
        self.account = context.account
        self.finder = EdgeFinder(context, per_technique)
        self._build(targets)

    def _build(self, targets: Iterable[str]) -> None:
        facts = self.finder.facts
        self.sources = [a for a in facts.principals if not self.finder.gaps(a) and not self.finder.start_admin(a)]
        """Principals whose edges are computed: administrators need no path; with gaps, edges would be guesses."""
        self.edges: dict[str, list[Edge]] = {a: [] for a in facts.principals}
        self._reach: dict[str, set[str]] = {}
        self._member_nodes: list[str] = []
        """Member nodes (users that joined a group on a path) whose edges are computed, as :attr:`sources` are."""
        asked = frozenset({a for a in facts.principals if self.finder.target_admin(a)} | set(targets))
        for arn in self.sources:
            self.edges[arn] = self.finder.edges_from(arn, lateral=asked)
        self._members(asked)
        self.admin_joiners = frozenset(a for a in self.sources if group_join.may_join(self.finder, a, admin_only=True))
        """Principals that may add users to an administrator group: each path that reaches one holding a user's
        credentials ends there (the join edges are made as paths are walked: :meth:`_controlled_joins`)."""
        self._joins: dict[tuple[str, str], list[Edge]] = {}
        goals = set(targets)
        # Lateral takeovers matter only towards principals that lead somewhere: widen them round by round.
        for _ in range(MAX_HOPS):
            frontier = frozenset((self._can_reach(ADMIN) | self._reaching(goals)) - asked)
            if not frontier:
                break
            asked |= frontier
            for arn in [*self.sources, *self._member_nodes]:
                have = {(e.target, e.technique, e.via) for e in self.edges[arn]}
                more = self.finder.edges_from(arn, lateral=frontier, only_lateral=True)
                self.edges[arn] += [e for e in more if (e.target, e.technique, e.via) not in have]
            self._reach.clear()
        self.reverse = self._reverse()
        self._reach.clear()

    def _members(self, asked: frozenset[str]) -> None:
        """The edges out of the member nodes (users that joined a group: :mod:`.group_join`)."""
        for node in self.finder.members():
            if node not in self.edges:
                self.edges[node] = []
                if not self.finder.node_admin(node):  # an administrator is a goal: nothing to go on to
                    self.edges[node] = self.finder.edges_from(node, lateral=asked)
                    self._member_nodes.append(node)

    def _controlled_joins(self, node: str, visited: Iterable[str]) -> list[Edge]:
        """Edges from an :attr:`admin_joiners` node adding a user the path holds the credentials of (its source, or
        a user it went through) to an administrator group; decided once per (node, user)."""
        own = node_principal(node)
        principals = self.finder.facts.principals
        out: list[Edge] = []
        for user in sorted({node_principal(n) for n in visited} - {own}):
            if not isinstance(principals.get(user), User):
                continue
            found = self._joins.get((node, user))
            if found is None:
                pp = self.finder.decisions.policies(node)
                found = self._joins[(node, user)] = group_join.edges(self.finder, node, pp, [user], admin_only=True)
            out += found
        return out

    @property
    def principals(self) -> list[str]:
        return list(self.finder.facts.principals)

    def is_admin(self, arn: str) -> bool:
        return self.finder.start_admin(arn)

    def gaps(self, arn: str) -> tuple[str, ...]:
        return self.finder.gaps(arn)

    def mfa_only(self, arn: str) -> list[str]:
        """Technique actions the principal is allowed only with MFA (not counted in paths; said in evidence)."""
        return self.finder.mfa_only(arn)

    def _goal(self, edge: Edge, to: str) -> bool:
        return edge.admin if to == ADMIN else edge.target == to and edge.joins is None

    def _reverse(self) -> dict[str, list[Edge]]:
        reverse: dict[str, list[Edge]] = {}
        for edges in self.edges.values():
            for edge in edges:
                reverse.setdefault(edge.target_node, []).append(edge)
        return reverse

    def _reaching(self, targets: set[str]) -> set[str]:
        return set().union(*(self._can_reach(t) for t in targets)) if targets else set()

    def _can_reach(self, to: str) -> set[str]:
        """Nodes from which some goal edge can be reached (walking the edges backwards), once per goal."""
        if to not in self._reach:
            self._reach[to] = self._walk_back(to)
        return self._reach[to]

    def _walk_back(self, to: str) -> set[str]:
        start = {e.source_node for edges in self.edges.values() for e in edges if self._goal(e, to)}
        if to == ADMIN:
            start |= self.admin_joiners
        reverse = getattr(self, "reverse", None) or self._reverse()
        seen = set(start)
        queue = deque(start)
        while queue:
            node = queue.popleft()
            for edge in reverse.get(node, ()):
                if edge.source_node not in seen:
                    seen.add(edge.source_node)
                    queue.append(edge.source_node)
        return seen

    def lateral_from(self, source: str) -> list[tuple[Edge, tuple[str, str]]]:
        """One-hop takeovers of a principal that is not an administrator but may do something the source may not
        (with that request as proof)."""
        out = []
        seen: set[tuple[str, str]] = set()
        for edge in self.edges.get(source, ()):
            if edge.admin or edge.target == source or edge.joins or (edge.technique, edge.target) in seen:
                continue
            gain = self.finder.gains(source, edge.target)
            if gain is not None:
                seen.add((edge.technique, edge.target))
                out.append((edge, gain))
        return out

    def paths_from(
        self, source: str, to: str = ADMIN, max_hops: int = MAX_HOPS, max_paths: int = MAX_PATHS
    ) -> list[EscalationPath]:
        """Every simple path from ``source`` to an administrator (or to principal ``to``), shortest first."""
        return next(iter(self.paths(sources=[source], to=to, max_hops=max_hops, max_paths=max_paths).values()), [])

    def paths(
        self,
        sources: list[str] | None = None,
        to: str = ADMIN,
        max_hops: int = MAX_HOPS,
        max_paths: int = MAX_PATHS,
    ) -> dict[str, list[EscalationPath]]:
        reach = self._can_reach(to)
        out: dict[str, list[EscalationPath]] = {}
        for source in sources if sources is not None else self.principals:
            if source not in reach:
                out[source] = []
                continue
            out[source] = list(self._walk(source, to, reach, max_hops, max_paths))
        return out

    def _walk(self, source: str, to: str, reach: set[str], max_hops: int, max_paths: int) -> Iterator[EscalationPath]:
        queue: deque[tuple[Edge, ...]] = deque([()])
        found = 0
        while queue and (not max_paths or found < max_paths):
            hops = queue.popleft()
            node = hops[-1].target_node if hops else source
            visited = {source, *(h.target_node for h in hops)}
            edges = self.edges.get(node, ())
            if to == ADMIN and node in self.admin_joiners:
                edges = [*edges, *self._controlled_joins(node, visited)]
            for edge in edges:
                if edge.joins is not None and edge.target not in {node_principal(n) for n in visited}:
                    continue  # adds a user the attacker holds no credentials of on this path
                if self._goal(edge, to):
                    yield EscalationPath(source, (*hops, edge))
                    found += 1
                    if max_paths and found >= max_paths:
                        return
                elif (
                    len(hops) + 1 < max_hops
                    and edge.target_node not in visited
                    and edge.target_node in reach
                    and not (to != ADMIN and edge.admin)
                ):
                    queue.append((*hops, edge))


@dataclass(frozen=True, slots=True)
class PrincipalEscalation:
    """What one principal can reach: paths to the goal, shortest first, and one-hop lateral takeovers."""

    principal: str
    paths: tuple[EscalationPath, ...]
    lateral: tuple[tuple[Edge, tuple[str, str]], ...]
    allowed_only_with_mfa: tuple[str, ...]
    goal: str = ADMIN
    """What the paths reach: ``admin`` (an administrator), or the ARN of the principal asked for (``paths --to``)."""
    admin_makings: tuple[AdminMaking, ...] = ()
    """What the principal may do to make other principals administrators (:mod:`.admin_makers`), for a principal
    with no path to administrator itself."""

    @property
    def pathfinding_ids(self) -> list[str]:
        """The techniques the principal itself uses (first hops), in path order."""
        return list(dict.fromkeys([p.hops[0].technique for p in self.paths] + [e.technique for e, _ in self.lateral]))

    def to_json(self) -> dict[str, Any]:
        outcome = "admin" if self.goal == ADMIN else "reaches"  # a --to target is no administrator for being reached
        out: list[dict[str, Any]] = [{"outcome": outcome, **p.to_json()} for p in self.paths]
        for edge, (action, resource) in self.lateral:
            path = EscalationPath(self.principal, (edge,)).to_json()
            out.append({"outcome": "lateral", "gains": f"{action} on {resource}", **path})
        result: dict[str, Any] = {"pathfinding_ids": self.pathfinding_ids, "paths": out}
        if self.allowed_only_with_mfa:
            result["allowed_only_with_mfa"] = list(self.allowed_only_with_mfa)
        if self.admin_makings:
            result["can_make_administrators"] = [m.to_json() for m in self.admin_makings]
        return result


def principal_escalation(
    graph: EscalationGraph, arn: str, to: str = ADMIN, max_hops: int = MAX_HOPS, max_paths: int = MAX_PATHS
) -> PrincipalEscalation:
    """Paths from ``arn`` to an administrator (lateral takeovers too) or to principal ``to``."""
    paths = graph.paths_from(arn, to, max_hops, max_paths)
    lateral: list[tuple[Edge, tuple[str, str]]] = []
    makings: list[AdminMaking] = []
    if to == ADMIN:
        leads = {(p.hops[0].technique, p.hops[0].target) for p in paths}
        lateral = [(e, g) for e, g in graph.lateral_from(arn) if (e.technique, e.target) not in leads]
        if not paths:  # a principal that can become an administrator can do this anyway
            makings = admin_makings(graph.finder, arn)
    return PrincipalEscalation(arn, tuple(paths), tuple(lateral), tuple(graph.mfa_only(arn)), to, tuple(makings))


def escalation_graph(context: AnalysisContext, per_technique: int | None = TARGETS_PER_TECHNIQUE) -> EscalationGraph:
    """The account's escalation graph, computed once per run (and ``per_technique`` limit)."""
    graph = context.escalation_graphs.get(per_technique)
    if graph is None:
        graph = context.escalation_graphs[per_technique] = EscalationGraph(context, per_technique=per_technique)
    return graph
