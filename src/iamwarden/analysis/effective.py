"""Effective permissions: what each principal can do, as a compact structure over the action catalogue.

Every action of the catalogue (:mod:`iamwarden.policy.catalogue`, about 22,000) gets an integer id; a set of actions
is a Python ``int`` used as a bitset. Each statement that governs a principal becomes a :class:`Grant`: the bitset of
the catalogue actions its ``Action`` / ``NotAction`` covers, plus the statement itself (resources, conditions). A
principal's :class:`EffectiveAccess` keeps

- ``candidates``: the actions some request could be allowed (an identity ``Allow`` covers them, and the permissions
  boundary and every SCP level have an ``Allow`` that covers them too), minus the actions an unconditional deny on
  every resource removes outright;
- ``atoms``: those candidates split into classes of actions that the very same statements cover. Within an atom, every
  action is decided the same way for a given resource and request context, so a query looks at the atom's few
  statements only: identity allows, denies, boundary allows and SCP allows (one list per organization level).

Deciding a request from the structure (:meth:`EffectiveAccess.decide`) asks the engine's query API
(:mod:`iamwarden.policy.query`): each statement of the atom is decided by :func:`~iamwarden.policy.query.
statement_state` (three-valued), the policy types are combined by the engine's own rule,
:func:`~iamwarden.policy.combination.combine` (an explicit deny wins, then identity allow AND boundary AND every SCP
level), and the request's scope (:func:`~iamwarden.policy.query.request_scope`) says when the identity side alone
never allows (cross-account, a role's trust policy, a KMS key policy): :attr:`Answer.needs_resource_policy` says so
and :attr:`Answer.decision` is then ``implicit_deny``, as the engine says without a resource policy.
``tests/analysis/test_effective.py`` checks the agreement with :func:`iamwarden.policy.evaluate` on generated requests.

The action ids live in :mod:`.effective_actions`, the words for conditions in :mod:`.effective_text`, and the report
entries of ``access`` / ``who-can`` in :mod:`.effective_entries`.

**Offline answers.** Without a request context, only what the principal and resource tell is known
(``aws:PrincipalArn``, ``aws:username``, ``aws:PrincipalAccount`` ... :data:`KNOWN_KEYS`). A condition on any other key
(``aws:SourceIp``, ``aws:MultiFactorAuthPresent``, ``aws:RequestedRegion``, tags) is neither assumed true nor dropped:
the answer is ``conditional`` and lists it ("allowed if aws:SourceIp in 10.0.0.0/8"). With ``complete=True`` the given
context is the whole request: absent keys are absent, as the engine takes them.

Not covered: resource-based policies (other than saying one is needed), RCPs and session policies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.effective_actions import ActionIndex as ActionIndex
from iamwarden.analysis.effective_actions import action_index as action_index
from iamwarden.analysis.effective_text import describe_condition, resources_text
from iamwarden.analysis.principals import PrincipalPolicies, principal_policies
from iamwarden.model import Role, User
from iamwarden.policy import Policy, Request, Statement
from iamwarden.policy.aws_rules import RULE_ACTIONS, aws_rule
from iamwarden.policy.combination import needs_resource_policy
from iamwarden.policy.query import (
    Tri,
    Undecided,
    UndecidedResource,
    all_of,
    any_of,
    combine,
    request_scope,
    statement_state,
)
from iamwarden.policy.types import PolicyType

Principal = User | Role

KNOWN_KEYS = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principaltype",
        "aws:resourceaccount",
        "aws:principalisawsservice",
        "aws:username",
        "aws:principalservicename",
    }
)
"""Context keys fixed by the principal and the resource: offline, their presence and value are known."""


# ----------------------------------------------------------------------------------------------------------------
# The structure


@dataclass(frozen=True, slots=True, eq=False)
class Grant:
    """One statement in a principal's permissions: the catalogue actions it covers and where it comes from."""

    actions: int
    statement: Statement
    policy: str
    policy_type: PolicyType
    level: int = -1
    """The organization level of an SCP (0 = root), else -1."""

    @property
    def all_resources(self) -> bool:
        return self.statement.resource_check is None

    @property
    def unconditional(self) -> bool:
        return not self.statement.conditions

    @property
    def plain(self) -> bool:
        """Applies to every resource, without conditions."""
        return self.statement.resource_check is None and not self.statement.conditions

    @property
    def label(self) -> str:
        return f"{self.policy} statement {self.statement.label}"

    def to_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "policy_type": self.policy_type, "statement": self.statement.label}


@dataclass(frozen=True, slots=True, eq=False)
class Atom:
    """Actions covered by exactly the same statements: decided alike for any resource and context."""

    actions: int
    allows: tuple[Grant, ...]
    denies: tuple[Grant, ...]
    boundary: tuple[Grant, ...] | None
    """``None``: no permissions boundary."""
    scp_levels: tuple[tuple[Grant, ...], ...]
    """One tuple of SCP allows per organization level; empty when no SCP applies."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A decision from the structure, and why."""

    decision: Literal["allowed", "conditional", "explicit_deny", "implicit_deny"]
    allowed_by: tuple[Grant, ...] = ()
    denied_by: tuple[Grant, ...] = ()
    conditions: tuple[str, ...] = ()
    """For ``conditional``: what must hold ("aws:SourceIp in 10.0.0.0/8", "not: aws:RequestedRegion is us-east-1")."""
    needs_resource_policy: bool = False
    """A KMS request or ``sts:AssumeRole*`` on a role: the identity side allows (or may) but the key or trust policy
    must allow too; ``decision`` is then ``implicit_deny`` (what the engine says without a resource policy)."""
    identity_decision: Literal["allowed", "conditional", "explicit_deny", "implicit_deny"] = "implicit_deny"
    """The decision without the resource-policy requirement."""

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "identity_decision": self.identity_decision,
            "needs_resource_policy": self.needs_resource_policy,
            "allowed_by": [g.to_json() for g in self.allowed_by],
            "denied_by": [g.to_json() for g in self.denied_by],
            "conditions": list(self.conditions),
        }


@dataclass(frozen=True, slots=True, eq=False)
class Shape:
    """The part of the structure that depends only on the policies (shared by principals with the same policies)."""

    candidates: int
    atoms: tuple[Atom, ...]
    denies: tuple[Grant, ...]
    hard_denied: int
    """Actions an unconditional deny on every resource removes."""


@dataclass(frozen=True, slots=True, eq=False)
class EffectiveAccess:
    """What one principal can do."""

    principal: Principal
    policies: PrincipalPolicies
    shape: Shape
    index: ActionIndex = field(repr=False)

    @property
    def arn(self) -> str:
        return self.principal.arn

    @property
    def candidates(self) -> int:
        return self.shape.candidates

    @property
    def atoms(self) -> tuple[Atom, ...]:
        return self.shape.atoms

    def atom_of(self, action_id: int) -> Atom | None:
        bit = 1 << action_id
        if not self.shape.candidates & bit:
            return None
        for atom in self.shape.atoms:
            if atom.actions & bit:
                return atom
        return None

    def request(self, action: str, resource: str = "*", context: Mapping[str, Any] | None = None) -> Request:
        return Request(self.principal.arn, action, resource, context or {})

    def decide(
        self,
        action: str,
        resource: str = "*",
        context: Mapping[str, Any] | None = None,
        *,
        complete: bool = False,
    ) -> Answer:
        """Decide ``action`` on ``resource`` from the structure (see :func:`decide`)."""
        return decide(self.shape, self.index, self.principal.arn, action, resource, context, complete=complete)


def decide(
    shape: Shape,
    index: ActionIndex,
    principal_arn: str,
    action: str,
    resource: str = "*",
    context: Mapping[str, Any] | None = None,
    *,
    complete: bool = False,
) -> Answer:
    """Decide ``action`` on ``resource`` for the principal ``shape`` describes. ``complete``: ``context`` is the whole
    request context (absent keys are absent, as the engine takes them); otherwise keys outside :data:`KNOWN_KEYS` and
    ``context`` are unknown, and conditions on them make the answer ``conditional``."""
    action_id = index.id(action)
    if action_id is None:
        raise KeyError(f"{action!r} is not an action of the catalogue")
    request = Request(principal_arn, index.names[action_id], resource, context or {})
    ctx = request.full_context
    known: frozenset[str] | None = None if complete else KNOWN_KEYS | frozenset(ctx)
    rule = aws_rule(request.action_lower, resource, request.info) if request.action_lower in RULE_ACTIONS else None
    if rule is not None and rule.decision == "allowed":  # the engine's rule: AWS allows this whatever the policies say
        return Answer("allowed", identity_decision="allowed")
    bit = 1 << action_id
    atom = None
    if shape.candidates & bit:
        atom = next(a for a in shape.atoms if a.actions & bit)
    if atom is None:
        denies = [g for g in shape.denies if g.actions & bit]
        states = [(g, _grant_state(g, resource, ctx, known)[0]) for g in denies]
        hit = tuple(g for g, s in states if s is True)
        if hit:
            return Answer("explicit_deny", denied_by=hit, identity_decision="explicit_deny")
        return Answer("implicit_deny", denied_by=tuple(g for g, s in states if s is None))
    answer = _decide_atom(atom, request, resource, ctx, known)
    if rule is not None and answer.decision in ("allowed", "conditional"):
        return replace(answer, decision="implicit_deny")  # AWS manages the resource: the engine's rule
    return answer


def _grant_state(
    grant: Grant, resource: str, ctx: Mapping[str, Any], known: frozenset[str] | None
) -> tuple[Tri, list[str]]:
    """Whether the statement applies to ``resource`` in ``ctx`` (the engine's :func:`statement_state`): True, False,
    or None with the undecided parts in words."""
    state, undecided = statement_state(grant.statement, resource, ctx, known)
    return state, [_undecided_text(grant.statement, resource, u) for u in undecided]


def _undecided_text(st: Statement, resource: str, undecided: Undecided) -> str:
    if isinstance(undecided, UndecidedResource):
        return f"{resource} matches {resources_text(st)} (uses {', '.join(undecided.keys)})"
    return describe_condition(undecided)


def _decide_atom(
    atom: Atom, request: Request, resource: str, ctx: Mapping[str, Any], known: frozenset[str] | None
) -> Answer:
    """The atom's statements decided one by one, combined by the engine's rule (:func:`combine`)."""
    conditions: list[str] = []
    deny_states = []
    hard: list[Grant] = []
    soft: list[Grant] = []
    for g in atom.denies:
        state, why = _grant_state(g, resource, ctx, known)
        deny_states.append(state)
        if state is True:
            hard.append(g)
        elif state is None:
            soft.append(g)
            conditions.append("not (" + " and ".join(why) + ")")
    if hard:
        return Answer("explicit_deny", denied_by=tuple(hard), identity_decision="explicit_deny")
    allow_by: list[Grant] = []
    allow_states: list[Tri] = []
    allow_why: list[str] = []
    for g in atom.allows:
        state, why = _grant_state(g, resource, ctx, known)
        allow_states.append(state)
        if state is not False:
            allow_by.append(g)
        if state is None:
            allow_why.append(" and ".join(why))
    identity = any_of(allow_states)
    if identity is None:
        conditions.insert(0, " or ".join(allow_why) if len(allow_why) > 1 else allow_why[0])
    boundary_state: Tri = True
    if atom.boundary is not None:
        boundary_state = _level_state("boundary", atom.boundary, resource, ctx, known, conditions)
    scp_states = [
        _level_state(f"SCP level {i}", grants, resource, ctx, known, conditions)
        for i, grants in enumerate(atom.scp_levels)
    ]
    deny, organization = any_of(deny_states), all_of(scp_states)
    scope = request_scope(request)
    chosen = tuple(allow_by)
    if needs_resource_policy(scope):
        # what the identity side says, and that the key or trust policy (or the other account) must allow too
        alone = combine(deny, organization, identity, boundary_state, None, "same")
        if alone is False:
            return Answer("implicit_deny", denied_by=tuple(soft))
        return Answer("implicit_deny", chosen, tuple(soft), tuple(conditions), True, _verdict(alone))
    allowed = combine(deny, organization, identity, boundary_state, None, scope)
    if allowed is False:
        return Answer("implicit_deny", denied_by=tuple(soft))
    decision = _verdict(allowed)
    return Answer(
        decision, chosen, tuple(soft), tuple(conditions) if decision == "conditional" else (), False, decision
    )


def _verdict(allowed: Tri) -> Literal["allowed", "conditional"]:
    return "allowed" if allowed is True else "conditional"


def _level_state(
    what: str,
    grants: Sequence[Grant],
    resource: str,
    ctx: Mapping[str, Any],
    known: frozenset[str] | None,
    conditions: list[str],
) -> Tri:
    """Whether a boundary or an SCP level allows (one of its statements applies); what it leaves undecided is added
    to ``conditions``."""
    states: list[Tri] = []
    whys: list[str] = []
    for g in grants:
        state, why = _grant_state(g, resource, ctx, known)
        states.append(state)
        if state is None:
            whys.append(" and ".join(why))
    level_state = any_of(states)
    if level_state is None:
        conditions.append(f"{what}: " + " or ".join(whys))
    return level_state


# ----------------------------------------------------------------------------------------------------------------
# Building


def _grants(
    index: ActionIndex, policies: Iterable[Policy], policy_type: PolicyType, level: int = -1
) -> tuple[list[Grant], list[Grant]]:
    allows: list[Grant] = []
    denies: list[Grant] = []
    for policy in policies:
        for st in policy.statements:
            bits = index.statement_bits(st)
            if not bits:
                continue
            grant = Grant(bits, st, policy.name, policy_type, level)
            (allows if st.effect == "Allow" else denies).append(grant)
    return allows, denies


def _union(grants: Iterable[Grant]) -> int:
    bits = 0
    for g in grants:
        bits |= g.actions
    return bits


def build_shape(
    index: ActionIndex,
    identity: Sequence[Policy],
    boundary: Policy | None,
    scps: Sequence[Sequence[Policy]],
) -> Shape:
    """The atoms of a principal governed by these policies (SCP levels already emptied where SCPs do not apply)."""
    allows, denies = _grants(index, identity, "identity")
    candidates = _union(allows)
    boundary_allows: list[Grant] | None = None
    if boundary is not None:
        boundary_allows, more = _grants(index, (boundary,), "permission_boundary")
        denies += more
        candidates &= _union(boundary_allows)
    levels: list[list[Grant]] = []
    for i, level in enumerate(scps):
        level_allows, more = _grants(index, level, "scp", i)
        denies += more
        levels.append(level_allows)
        candidates &= _union(level_allows)
    hard = _union(g for g in denies if g.plain)
    candidates &= index.all ^ (hard & index.all)
    atoms: list[Atom] = []
    if candidates:
        relevant: list[Grant] = [g for g in allows if g.actions & candidates]
        relevant += [g for g in denies if g.actions & candidates]
        if boundary_allows is not None:
            relevant += [g for g in boundary_allows if g.actions & candidates]
        for level_allows in levels:
            relevant += [g for g in level_allows if g.actions & candidates]
        # split the candidates by every relevant statement, keeping for each part the statements that cover it
        parts: list[tuple[int, list[Grant]]] = [(candidates, [])]
        for g in relevant:
            bits = g.actions
            split: list[tuple[int, list[Grant]]] = []
            for part, members in parts:
                inside = part & bits
                if not inside:
                    split.append((part, members))
                elif inside == part:
                    members.append(g)
                    split.append((part, members))
                else:
                    split.append((inside, [*members, g]))
                    split.append((part ^ inside, members))
            parts = split
        for part, members in parts:
            atom_allows: list[Grant] = []
            atom_denies: list[Grant] = []
            atom_boundary: list[Grant] = []
            atom_levels: list[list[Grant]] = [[] for _ in levels]
            for g in members:
                if g.statement.effect == "Deny":
                    atom_denies.append(g)
                elif g.policy_type == "identity":
                    atom_allows.append(g)
                elif g.policy_type == "permission_boundary":
                    atom_boundary.append(g)
                else:
                    atom_levels[g.level].append(g)
            atoms.append(
                Atom(
                    part,
                    tuple(atom_allows),
                    tuple(atom_denies),
                    None if boundary_allows is None else tuple(atom_boundary),
                    tuple(tuple(level) for level in atom_levels),
                )
            )
    return Shape(candidates, tuple(atoms), tuple(denies), hard)


def effective_access(context: AnalysisContext, principal: Principal) -> EffectiveAccess:
    """The principal's effective permissions (computed once per run and principal; principals with the same
    policies share the structure)."""
    found = context.effective.get(principal.arn)
    if found is not None:
        return found
    index = action_index()
    policies = principal_policies(context, principal)
    shape_key = (
        tuple(p.name for p in policies.identity),
        policies.boundary.name if policies.boundary is not None else "",
        tuple(tuple(p.name for p in level) for level in policies.scps),
    )
    shape = context.effective_shapes.get(shape_key)
    if shape is None:
        shape = build_shape(index, policies.identity, policies.boundary, policies.scps)
        context.effective_shapes[shape_key] = shape
    access = EffectiveAccess(principal, policies, shape, index)
    context.effective[principal.arn] = access
    return access


def all_effective_access(context: AnalysisContext) -> list[EffectiveAccess]:
    """Every user's and role's effective permissions. Callers that build them for a large account pause the cyclic
    collector around the call (:func:`iamwarden.runtime.gc_paused`, as ``who-can`` does): bitsets and
    compiled statements form no cycles, and the collector's passes over them cost a third of the time."""
    account = context.account
    principals: list[Principal] = [*account.users, *account.roles]
    return [effective_access(context, p) for p in principals]
