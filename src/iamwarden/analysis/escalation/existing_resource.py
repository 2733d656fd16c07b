"""Techniques by which a principal uses an existing resource that runs with a role: update a Lambda function's code,
change an EC2 instance's user data, start a session on it... (``shape: existing``)."""

from __future__ import annotations

from collections.abc import Container, Set
from typing import TYPE_CHECKING

from iamwarden.analysis.escalation.catalogue import Technique
from iamwarden.analysis.escalation.edge import ActionGrant, Edge
from iamwarden.analysis.escalation.targets import any_member
from iamwarden.analysis.principals import PrincipalPolicies

if TYPE_CHECKING:
    from iamwarden.analysis.escalation.edges import EdgeFinder


def edges(
    finder: EdgeFinder, technique: Technique, pp: PrincipalPolicies, lateral: Container[str] | None, only_lateral: bool
) -> list[Edge]:
    """Edges to the roles of the existing resources the principal may use (one resource per role proves the edge)."""
    source = pp.principal.arn
    targets = finder.targets
    items, distinct = targets.existing_resources(technique)
    usable = _usable_resources(finder, technique, pp, None in distinct)
    if not usable:
        return []
    out = []
    done: set[str] = set()
    extra = 0
    for (role, resource, assumed), needed in targets.role_order(technique, items, lateral, only_lateral):
        if not needed and finder.enough(extra):
            break
        if role.arn == source or role.arn in done or resource not in usable:
            continue
        admin = finder.decisions.target_admin(role.arn)
        grants = usable[resource]
        ordered = tuple(
            ActionGrant(r.action, resource, grants[r.action].decision)
            if r.on == "existing" and resource is not None
            else grants[r.action]
            for r in technique.required
        )
        done.add(role.arn)  # one resource per role proves the edge
        extra += not needed
        out.append(Edge(source, role.arn, technique.id, ordered, admin, resource, (*assumed, *technique.assumed)))
    return out


def _usable_resources(
    finder: EdgeFinder, technique: Technique, pp: PrincipalPolicies, unnamed: bool
) -> dict[str | None, dict[str, ActionGrant]]:
    """The existing resources (functions, instances, an unlisted kind's ARN pattern; ``None`` for one with no ARN)
    the principal may use for the technique, each with the grants of the required actions (those on the existing
    resource decided for one member of its part of :meth:`TargetIndex.partition`: many functions, one decision)."""
    rest = finder.service_grants(technique, pp, skip=("existing",))
    if rest is None:
        return {}
    usable: dict[str | None, dict[str, ActionGrant]] = {}
    if unnamed:
        grants = finder.service_grants(technique, pp, skip=(), existing=None)
        if grants is not None:
            usable[None] = grants
    on_resource = [r for r in technique.required if r.on == "existing"]
    pool = finder.targets.pool(technique.id)
    parts: list[Set[str]] = [pool] if pool else []
    for req in on_resource:
        parts = [q for part in parts for q in finder.targets.partition(pp, req.action, technique.id, part)]
    for part in parts:
        rep = any_member(part)
        found = [finder.decisions.grant(pp, r.action, rep) for r in on_resource]
        if all(found):
            grants = {**rest, **{g.action: g for g in found if g is not None}}
            usable.update(dict.fromkeys(part, grants))
    return usable
