"""Techniques by which a principal takes over another user or role: assume a role (after rewriting its trust policy,
perhaps), create access keys or a console password for a user, edit or attach the target's policies
(``shape: principal``)."""

from __future__ import annotations

from collections.abc import Container, Mapping, Set
from typing import TYPE_CHECKING, Any

from iamwarden.analysis.escalation.catalogue import Technique
from iamwarden.analysis.escalation.edge import ActionGrant, Edge
from iamwarden.analysis.escalation.targets import Kind
from iamwarden.analysis.permissions import user_has_mfa
from iamwarden.analysis.principals import Principal, PrincipalPolicies
from iamwarden.model import User

if TYPE_CHECKING:
    from iamwarden.analysis.escalation.edges import EdgeFinder


def edges(
    finder: EdgeFinder, technique: Technique, pp: PrincipalPolicies, lateral: Container[str] | None
) -> list[Edge]:
    """Edges to the users or roles the technique takes over: administrators, ``lateral`` ones (all when ``None``),
    and, for a technique that makes its target an administrator, the first :attr:`EdgeFinder.per_technique` of them."""
    source = pp.principal.arn
    decisions, targets = finder.decisions, finder.targets
    out: list[Edge] = []
    kind: Kind = "role" if technique.target == "role" else "user"
    towards = lateral if technique.gains == "target" else None
    capable = technique.gains == "admin"
    assume = "sts:AssumeRole" in technique.actions
    named = finder.facts.named_in_trust.get(source) if assume else None
    # Cheap filters first: the resource patterns of the principal's statements naming each target action.
    filters: list[frozenset[str]] = []
    keys: list[Any] = []
    for req in technique.required:
        if req.on == "target" and not (req.action == "sts:AssumeRole" and named is not None):
            patterns = decisions.patterns(pp, req.action)
            if patterns is None:
                continue
            filters.append(targets.pattern_matches(patterns, kind))
            keys.append((tuple((p.raw, p.kind) for p in patterns), kind))
    arns, ordered = targets.narrowed(kind, towards, assume, capable, tuple(filters), tuple(keys))
    if named:  # roles whose trust names the principal itself, wherever they are
        extra = targets.narrowed(kind, towards, False, capable, (), ())[0] & named
        extra = {a for a in extra if all(a in f for f in filters)} - arns
        if extra:
            arns = arns | extra
            ordered = sorted(arns)
    policy_req = next((r for r in technique.required if r.on == "target-policy"), None)
    editable: Set[str] | None = None
    if policy_req is not None:
        editable = finder.allowed(pp, policy_req.action, "policy")
        if not editable:
            return []
        owners = targets.policy_owners()
        arns = arns & set().union(*(owners.get(a, ()) for a in editable))
        ordered = sorted(arns)
    # Targets the policies cannot tell apart get the same decision: for each action on the target, try one of
    # each kind and keep the kinds allowed.
    on_target = [r for r in technique.required if r.on == "target" and r.action != "sts:AssumeRole"]
    if on_target and len(arns) > 1:
        for req in on_target:
            arns = set().union(*(part for part, _ in finder.allowed_parts(pp, req.action, kind, arns)))
            if not arns:
                return []
        ordered = sorted(arns)
    principals = finder.facts.principals
    made_admin = lateral_made = 0
    for target_arn in ordered:
        if target_arn == source:
            continue
        target = principals[target_arn]
        admin = decisions.target_admin(target_arn)
        if technique.gains == "admin":
            if not (admin or decisions.target_ceiling(target_arn)):
                continue
            if finder.enough(made_admin):
                break
            admin = True
        assumed = _target_state(technique, target)
        if assumed is None:
            continue
        resources: dict[str, str] = {"target": target_arn}
        policy_choices: list[str | None] = [None]
        if editable is not None:
            policy_choices = [a for a in targets.customer_policies_of(target) if a in editable]
        for policy_arn in policy_choices:
            if policy_arn is not None:
                resources["target-policy"] = policy_arn
            grants = _grants(finder, technique, pp, resources)
            if grants:
                out.append(Edge(source, target_arn, technique.id, tuple(grants), admin, policy_arn, assumed))
                made_admin += technique.gains == "admin"
                lateral_made += not admin
                break
        if finder.enough(lateral_made):
            break
    return out


def _grants(
    finder: EdgeFinder, technique: Technique, pp: PrincipalPolicies, resources: Mapping[str, str]
) -> list[ActionGrant] | None:
    required = finder.contexts(pp, technique, resources)
    if required is None:
        return None
    decisions, facts = finder.decisions, finder.facts
    grants = []
    for req, resource, context in required:
        if req.action == "sts:AssumeRole":
            if resource not in facts.aws_trust or decisions.assume_refused(pp, resource):
                return None
            grant = decisions.grant(pp, req.action, resource, context, facts.trusts.get(resource))
            if grant is None and context is None:
                decisions.refuse_assume(pp, resource)
        else:
            grant = decisions.grant(pp, req.action, resource, context)
        if grant is None:
            return None
        grants.append(grant)
    return grants


def _target_state(technique: Technique, target: Principal) -> tuple[str, ...] | None:
    """Prerequisites on the target user (keys, console password); ``None`` when the snapshot rules it out."""
    if not isinstance(target, User):
        return ()
    assumed: list[str] = []
    if technique.keys:
        keys = target.access_keys
        if keys is None:
            assumed.append(f"{target.name} has {'two' if technique.keys == 'two' else 'fewer than two'} access keys")
        elif (len(keys) >= 2) != (technique.keys == "two"):
            return None
    if technique.login_profile:
        has = target.has_console_password
        if has is None:
            assumed.append(f"{target.name} {'has' if technique.login_profile == 'present' else 'has no'} password")
        elif has != (technique.login_profile == "present"):
            return None
        mfa = user_has_mfa(target)
        if mfa is True:
            return None  # the console sign-in would ask for the user's MFA device
        if mfa is None:
            assumed.append(f"{target.name} has no MFA device (console sign-in would ask for it)")
    return tuple(assumed)
