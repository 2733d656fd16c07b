"""Techniques by which a principal changes its own permissions: edit or attach its own policies, a new version of a
customer-managed policy it holds, a group it is in, or join an administrator group (``shape: self``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from iamwarden.analysis.escalation.catalogue import Technique
from iamwarden.analysis.escalation.edge import Edge
from iamwarden.analysis.permissions import admin_for
from iamwarden.analysis.principals import PrincipalPolicies
from iamwarden.model import User

if TYPE_CHECKING:
    from iamwarden.analysis.escalation.edges import EdgeFinder


def edges(finder: EdgeFinder, technique: Technique, pp: PrincipalPolicies) -> list[Edge]:
    """Edges from the principal to itself, each making it an administrator."""
    principal = pp.principal
    kind = "user" if isinstance(principal, User) else "role"
    if technique.principal and technique.principal != kind:
        return []
    req = technique.required[0]
    joined = finder.member_groups(finder.decisions.node(pp))  # groups a user joined on the path (.group_join)
    if req.on == "admin-group":
        assert isinstance(principal, User)
        return _admin_group(finder, technique, pp, principal, joined)
    if not finder.decisions.ceiling_admin(pp):
        return []
    targets: list[tuple[str, str | None]]
    if req.on == "self":
        targets = [(principal.arn, None)]
    elif req.on == "self-policy":
        owned = [*finder.targets.customer_policies_of(principal)]
        for group in filter(None, map(finder.group, joined)):
            owned += [a for a in finder.targets.customer_policies_of(group) if a not in owned]
        targets = [(a, a) for a in owned]
    else:  # self-group
        assert isinstance(principal, User)
        targets = [(g.arn, g.arn) for g in finder.account.user_groups(principal)]
        targets += [(g, g) for g in joined]
    out = []
    for resource, via in targets:
        required = finder.contexts(pp, technique, {req.on: resource})
        grants = finder.all_grants(pp, required) if required is not None else None
        if grants:
            out.append(Edge(principal.arn, principal.arn, technique.id, tuple(grants), True, via))
    return out


def _admin_group(
    finder: EdgeFinder, technique: Technique, pp: PrincipalPolicies, user: User, joined: tuple[str, ...]
) -> list[Edge]:
    """Join a group whose policies, with the user's own, make it an administrator; for a user that ``joined`` a group
    on the path (:mod:`.group_join`), a group whose policies alone make a member one (one engine question per group,
    not per user and group)."""
    out = []
    for group in finder.account.groups:
        if group.name in user.group_names or group.arn in joined:
            continue
        if joined and not finder.group_admin(group.arn):
            continue  # a user that joined a group on the path goes on only to a group that is an administrator's
        grant = finder.decisions.grant(pp, technique.required[0].action, group.arn)
        if grant is None:
            continue
        verdict = admin_for(
            user.arn,
            (*pp.identity, *finder.targets.group_policies(group)),
            boundary=pp.boundary,
            scps=pp.scps,
            management_account=pp.management_account,
            region=pp.region,
        )
        if verdict.without_mfa:
            out.append(Edge(user.arn, user.arn, technique.id, (grant,), True, group.arn))
    return out
