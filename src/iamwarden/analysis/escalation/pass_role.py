"""Techniques by which a principal passes a role to a service that then runs its code with the role: a Lambda
function, an EC2 instance, a CloudFormation stack, a Glue job... (``shape: passrole``)."""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING

from iamwarden.analysis.escalation.catalogue import Technique
from iamwarden.analysis.escalation.edge import ActionGrant, Edge
from iamwarden.analysis.principals import PrincipalPolicies

if TYPE_CHECKING:
    from iamwarden.analysis.escalation.edges import EdgeFinder


def edges(
    finder: EdgeFinder, technique: Technique, pp: PrincipalPolicies, lateral: Container[str] | None, only_lateral: bool
) -> list[Edge]:
    """Edges to the roles the principal may pass to one of the technique's services (the service's trust decided by
    the engine, ``iam:PassRole`` with ``iam:PassedToService``), when it may also call the service's actions."""
    source = pp.principal.arn
    rest = finder.service_grants(technique, pp, skip=("passed-role",))
    if rest is None:
        return []
    out = []
    pass_req = next(r for r in technique.required if r.on == "passed-role")
    targets = finder.targets
    roles = targets.passable_roles(technique, "")
    passable: dict[str, ActionGrant] = {}  # roles the engine lets the principal pass (one decision per part)
    for service, arns in targets.passable_by_service(technique).items():
        context = {"iam:PassedToService": service}
        for part, found in finder.allowed_parts(pp, pass_req.action, "role", arns, context):
            passable.update((a, ActionGrant(found.action, a, found.decision)) for a in part)
    if not passable:
        return []
    extra = 0
    for (role, _service), needed in targets.role_order(technique, roles, lateral, only_lateral):
        if not needed and finder.enough(extra):
            break
        if role.arn == source:
            continue
        grant = passable.get(role.arn)
        if grant is None:
            continue
        admin = finder.decisions.target_admin(role.arn)
        grants = tuple(grant if r.on == "passed-role" else rest[r.action] for r in technique.required)
        out.append(Edge(source, role.arn, technique.id, grants, admin, role.arn, technique.assumed))
        extra += not needed
    return out
