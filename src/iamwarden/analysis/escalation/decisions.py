"""The engine's answers for the escalation analysis, asked once: :class:`DecisionCache`.

A decision is remembered per (principal, action, resource, context, resource policy). Resources that the principal's
statements naming the action cannot tell apart (the same :meth:`DecisionCache.signature`: which statements' ``Resource``
patterns match) share one decision when no resource policy is involved, so a thousand roles matched by the same
``arn:aws:iam::*:role/*`` cost one evaluation. Alongside, the per-policy indexes that spare the engine questions whose
answer is known to be no (the ``Resource`` patterns of the Allow statements naming an action, the context keys a
policy reads); they are read from the engine's compiled statements (:mod:`iamwarden.policy.query`), never from JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from iamwarden.analysis.escalation.caller_context import (
    RESOURCE_TAGS,
    Caller,
    caller_conditions,
    choices,
    controlled,
)
from iamwarden.analysis.escalation.edge import ActionGrant
from iamwarden.analysis.escalation.facts import AccountFacts
from iamwarden.analysis.permissions import WITHOUT_MFA, admin_for
from iamwarden.analysis.principals import PrincipalPolicies
from iamwarden.model import Role, User
from iamwarden.policy import Decision, Policy, Request, Statement, evaluate, parse_policy
from iamwarden.policy.aws_rules import RULE_ACTIONS, AwsRule, aws_rule
from iamwarden.policy.catalogue import catalogue
from iamwarden.policy.conditions import Condition
from iamwarden.policy.matching import PrincipalInfo, ResourcePattern, parse_principal
from iamwarden.policy.query import allow_resource_patterns, context_keys, loose_pattern
from iamwarden.policy.variables import ContextValue

ALLOW_ANYTHING = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    name="policy the attacker writes",
)
MFA_KEYS = frozenset({"aws:multifactorauthpresent", "aws:multifactorauthage"})
MFA_CONTEXT = {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "0"}
"""The context of a session signed in with MFA a moment ago."""

Signature = tuple[bool, ...]
"""For one principal and action: which of its statements naming the action have a ``Resource`` matching a resource."""


def resource_key(st: Statement) -> tuple[tuple[str, str], ...]:
    """What a statement's ``Resource`` element matches depends on its patterns alone: their text and kind."""
    return tuple((p.raw, p.kind) for p in st.resources or ())


class _SignatureBasis:
    """The statements a principal's signature for one action is made of, and, without policy variables, the key the
    answers are shared under (principals whose statements have the same patterns share them)."""

    __slots__ = ("context", "shared", "statements")

    def __init__(self, statements: tuple[Statement, ...], context: Mapping[str, Any], shared: Any) -> None:
        self.statements = statements
        self.context = context
        self.shared = shared


class DecisionCache:
    """Decisions of the engine for the principals of :class:`AccountFacts`, and the indexes over compiled policies
    that pre-filter the questions (see the module docstring). The one owner of everything the escalation analysis
    remembers about what the engine said."""

    def __init__(self, facts: AccountFacts) -> None:
        self.facts = facts
        self._decisions: dict[tuple[Any, ...], Decision] = {}
        self._ceilings: dict[tuple[Any, ...], bool] = {}
        self._target_ceilings: dict[str, bool] = {}
        self._bases: dict[tuple[str, str], _SignatureBasis] = {}
        self._basis_contexts: dict[str, Mapping[str, Any]] = {}
        self._infos: dict[str, PrincipalInfo | None] = {}
        self._resource_tags: dict[tuple[str, str], tuple[str, ...]] = {}
        self._shared: dict[tuple[Any, str], Signature] = {}
        self._policy_patterns: dict[tuple[str, str], tuple[ResourcePattern, ...] | None] = {}
        self._patterns: dict[tuple[str, str], tuple[ResourcePattern, ...] | None] = {}
        self._loose: dict[tuple[str, str], tuple[re.Pattern[str], ...] | None] = {}
        self._keys: dict[str, frozenset[str]] = {}
        self._gains: dict[tuple[str, str], tuple[str, str] | None] = {}
        self._refused_assume: set[tuple[str, Signature, str]] = set()
        self.trust_mfa: dict[str, set[str]] = {}
        """Principal ARN -> actions a trust policy the analysis asked about allows it only with MFA."""
        self._caller: dict[tuple[str, str, str | None], tuple[Condition, ...]] = {}
        self._caller_policies: dict[str, bool] = {}
        self._caller_principals: dict[str, bool] = {}
        self._members: dict[str, tuple[PrincipalPolicies, frozenset[str]]] = {}

    # --- nodes: principals, and users that joined groups on a path -------------------------------------------------

    def add_member(self, node: str, pp: PrincipalPolicies, candidates: frozenset[str]) -> None:
        """Register a user that joined groups on a path (``pp``: its policies and the groups', whose
        :attr:`~PrincipalPolicies.node` is its node key, :func:`~.edge.node_key`): its answers are remembered apart
        from the user's own."""
        self._members[node] = (pp, candidates)

    def node(self, pp: PrincipalPolicies) -> str:
        """The graph node ``pp`` decides for: the principal's ARN, or a member node's key."""
        return pp.key

    def policies(self, node: str) -> PrincipalPolicies:
        member = self._members.get(node)
        return member[0] if member is not None else self.facts.policies[node]

    def candidates(self, node: str) -> frozenset[str]:
        """The technique actions some Allow statement of the node's identity policies names."""
        member = self._members.get(node)
        return member[1] if member is not None else self.facts.candidates[node]

    # --- administrators ----------------------------------------------------------------------------------------

    def target_admin(self, arn: str) -> bool:
        """Holding this principal's credentials (no MFA) makes one an administrator."""
        verdict = self.facts.admin.get(arn)
        return verdict is not None and verdict.without_mfa

    def ceiling_admin(self, pp: PrincipalPolicies) -> bool:
        """Would the principal be an administrator if its identity policies allowed everything (boundary, SCPs)?"""
        key = (
            pp.boundary.name if pp.boundary is not None else None,
            tuple(tuple(p.name for p in level) for level in pp.scps),
            pp.management_account,
        )
        if key not in self._ceilings:
            verdict = admin_for(
                pp.principal.arn,
                (ALLOW_ANYTHING,),
                boundary=pp.boundary,
                scps=pp.scps,
                management_account=pp.management_account,
                region=pp.region,
            )
            self._ceilings[key] = verdict.without_mfa
        return self._ceilings[key]

    def target_ceiling(self, arn: str) -> bool:
        if arn not in self._target_ceilings:
            self._target_ceilings[arn] = self.ceiling_admin(self.facts.policies[arn])
        return self._target_ceilings[arn]

    # --- the engine ----------------------------------------------------------------------------------------------

    def decide(
        self,
        pp: PrincipalPolicies,
        action: str,
        resource: str,
        context: Mapping[str, ContextValue] | None = None,
        resource_policy: Policy | None = None,
    ) -> Decision:
        ctx = tuple(sorted((context or {}).items()))
        policy_key = resource_policy.name if resource_policy is not None else None
        node = pp.key
        exact = (node, action, resource, ctx, policy_key)
        hit = self._decisions.get(exact)
        if hit is not None:
            return hit
        if resource_policy is None:
            shared = ("sig", self.signature(pp, action, resource), self.aws_rule(pp, action, resource))
            key: tuple[Any, ...] = (node, action, shared, ctx, None)
            hit = self._decisions.get(key)
            if hit is not None:
                self._decisions[exact] = hit
                return hit
        else:
            key = exact
        full = {"aws:RequestedRegion": pp.region, **WITHOUT_MFA, **(context or {})}
        decision = evaluate(
            Request(pp.principal.arn, action, resource, full),
            identity_policies=pp.identity,
            resource_policy=resource_policy,
            permission_boundary=pp.boundary,
            scps=pp.scps,
            management_account=pp.management_account,
        )
        if resource_policy is not None and not decision.allowed and _needs_mfa(decision):
            with_mfa = self.decide(pp, action, resource, {**(context or {}), **MFA_CONTEXT}, resource_policy)
            if with_mfa.allowed:  # the role's trust policy asks for MFA
                self.trust_mfa.setdefault(node, set()).add(action)
        self._decisions[key] = decision
        self._decisions[exact] = decision
        return decision

    def grant(
        self,
        pp: PrincipalPolicies,
        action: str,
        resource: str,
        context: Mapping[str, ContextValue] | None = None,
        resource_policy: Policy | None = None,
    ) -> ActionGrant | None:
        if resource_policy is None and (
            action not in self.candidates(pp.key) or not self.may_match(pp, action, resource)
        ):
            return None
        decision = self.decide(pp, action, resource, context, resource_policy)
        if decision.allowed:
            return ActionGrant(action, resource, decision)
        return self.chosen_grant(pp, action, resource, context, resource_policy)

    def chosen_grant(
        self,
        pp: PrincipalPolicies,
        action: str,
        resource: str,
        context: Mapping[str, ContextValue] | None,
        resource_policy: Policy | None,
    ) -> ActionGrant | None:
        """The grant in a context the attacker can choose (:mod:`.caller_context`), when the engine allows one; the
        grant says which conditions it satisfies and how."""
        if not self._principal_reads_caller(pp) and (
            resource_policy is None or not self._reads_caller(resource_policy)
        ):
            return None  # no policy of the request reads a key the caller sets (one answer per policy)
        conditions = self._caller_conditions(pp, action, resource_policy)
        if not conditions:
            return None
        target = self.facts.principals.get(resource)
        caller = Caller(
            principal_tags={t.key: t.value for t in pp.principal.tags},
            target_tags={t.key: t.value for t in target.tags} if target is not None else None,
            is_user=isinstance(pp.principal, User),
            takes_tags=_takes_tags(action),
            may_tag_self=lambda tag, value: self._may_tag(pp, pp.principal.arn, tag, value),
            may_tag_target=lambda tag, value: self._may_tag(pp, resource, tag, value),
            now=self.facts.account.collected_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        for chosen, notes in choices(conditions, caller):
            decision = self.decide(pp, action, resource, {**(context or {}), **chosen}, resource_policy)
            if decision.allowed:
                return ActionGrant(action, resource, decision, tuple(notes))
        return None

    def _caller_conditions(
        self, pp: PrincipalPolicies, action: str, resource_policy: Policy | None
    ) -> tuple[Condition, ...]:
        key = (self.node(pp), action, resource_policy.name if resource_policy is not None else None)
        found = self._caller.get(key)
        if found is None:
            found = self._caller[key] = caller_conditions((*pp.every, resource_policy), action)
        return found

    def _principal_reads_caller(self, pp: PrincipalPolicies) -> bool:
        """A policy of the principal's (identity, boundary, SCPs) reads a key the caller sets."""
        found = self._caller_principals.get(pp.key)
        if found is None:
            found = self._caller_principals[pp.key] = any(map(self._reads_caller, pp.every))
        return found

    def _reads_caller(self, policy: Policy) -> bool:
        found = self._caller_policies.get(policy.name)
        if found is None:
            found = self._caller_policies[policy.name] = any(map(controlled, self.policy_keys(policy)))
        return found

    def _may_tag(self, pp: PrincipalPolicies, arn: str, tag: str, value: str) -> bool:
        """The engine lets the principal tag user or role ``arn`` with ``tag`` = ``value``."""
        kind = "User" if ":user/" in arn else "Role" if ":role/" in arn else None
        if kind is None:
            return False
        context: dict[str, ContextValue] = {f"aws:RequestTag/{tag}": value, "aws:TagKeys": (tag,)}
        return self.decide(pp, f"iam:Tag{kind}", arn, context).allowed

    def service_may_assume(self, service: str, role: Role, account_id: str) -> bool:
        """Whether the engine lets the service principal assume the role (with ``aws:SourceAccount`` set)."""
        trust = self.facts.trusts.get(role.arn)
        if trust is None:
            return False
        key = ("service", service, role.arn)
        hit = self._decisions.get(key)
        if hit is None:
            hit = evaluate(
                Request(service, "sts:AssumeRole", role.arn, {"aws:SourceAccount": account_id}),
                resource_policy=trust,
            )
            self._decisions[key] = hit
        return hit.allowed

    def assume_refused(self, pp: PrincipalPolicies, role_arn: str) -> bool:
        """A role with the same trust document, that the principal's policies cannot tell apart from this one, was
        refused: this one is too (an allowed one is still decided role by role, so that its reasons name its own trust
        policy)."""
        return self._assume_group(pp, role_arn) in self._refused_assume

    def refuse_assume(self, pp: PrincipalPolicies, role_arn: str) -> None:
        self._refused_assume.add(self._assume_group(pp, role_arn))

    def _assume_group(self, pp: PrincipalPolicies, role_arn: str) -> tuple[str, Signature, str]:
        sig = self.signature(pp, "sts:AssumeRole", role_arn)
        return (self.node(pp), sig, self.facts.trust_groups[role_arn])

    # --- pre-filters over compiled statements ----------------------------------------------------------------------

    def may_match(self, pp: PrincipalPolicies, action: str, resource: str) -> bool:
        """Could an Allow statement naming ``action`` apply to ``resource`` at all (its ``Resource`` patterns, policy
        variables as wildcards)? A cheap pre-filter before the engine, never the decision."""
        patterns = self.loose_patterns(pp, action)
        return patterns is None or any(p.fullmatch(resource) for p in patterns)

    def loose_patterns(self, pp: PrincipalPolicies, action: str) -> tuple[re.Pattern[str], ...] | None:
        """:meth:`patterns` as the engine's :func:`loose_pattern` regexes (asked for every pre-filtered request)."""
        key = (pp.key, action)
        if key in self._loose:
            return self._loose[key]
        patterns = self.patterns(pp, action)
        found = self._loose[key] = None if patterns is None else tuple(loose_pattern(p).regex for p in patterns)
        return found

    def patterns(self, pp: PrincipalPolicies, action: str) -> tuple[ResourcePattern, ...] | None:
        """The ``Resource`` patterns of the principal's Allow statements naming ``action`` (``None``: any resource)."""
        key = (pp.key, action)
        if key in self._patterns:
            return self._patterns[key]
        low = action.lower()
        found: list[ResourcePattern] = []
        result: tuple[ResourcePattern, ...] | None = None
        for policy in pp.identity:
            pkey = (policy.name, low)
            if pkey not in self._policy_patterns:
                self._policy_patterns[pkey] = allow_resource_patterns(policy, low)
            patterns = self._policy_patterns[pkey]
            if patterns is None:
                break
            found += patterns
        else:
            result = tuple(found)
        self._patterns[key] = result
        return result

    def policy_keys(self, policy: Policy) -> frozenset[str]:
        """The request context keys the policy reads (the engine's :func:`context_keys`)."""
        if policy.name not in self._keys:
            self._keys[policy.name] = context_keys(policy)
        return self._keys[policy.name]

    def signature_statements(self, pp: PrincipalPolicies, action: str) -> tuple[tuple[Statement, ...], Any]:
        """The statements :meth:`signature` is made of and, when none has policy variables (the answer then depends
        on their patterns and the resource only), their :func:`resource_key` values (else ``None``)."""
        basis = self._basis(pp, action)
        return basis.statements, basis.shared

    def _basis(self, pp: PrincipalPolicies, action: str) -> _SignatureBasis:
        key = (pp.key, action)
        found = self._bases.get(key)
        if found is None:
            low = action.lower()
            statements = tuple(
                st for policy in pp.every for st in policy.statements_for(low) if st.resources is not None
            )
            variables = any(p.kind == "template" for st in statements for p in st.resources or ())
            shared = None if variables else tuple(resource_key(st) for st in statements)
            found = self._bases[key] = _SignatureBasis(statements, self._basis_context(pp), shared)
        return found

    def _basis_context(self, pp: PrincipalPolicies) -> Mapping[str, Any]:
        """The engine's full context of the principal's requests on ``*`` (what policy variables in ``Resource``
        resolve against; the same for every action)."""
        found = self._basis_contexts.get(pp.key)
        if found is None:
            context = {"aws:RequestedRegion": pp.region, **WITHOUT_MFA}
            found = self._basis_contexts[pp.key] = Request(
                pp.principal.arn, "sts:GetCallerIdentity", "*", context
            ).full_context
        return found

    def aws_rule(self, pp: PrincipalPolicies, action: str, resource: str) -> AwsRule | None:
        """The engine's rule for resources AWS manages that decides the request whatever the policies say
        (:func:`~iamwarden.policy.aws_rules.aws_rule`): resources with the same :meth:`signature` share a decision
        only when the same rule (or none) applies to them."""
        low = action.lower()
        if low not in RULE_ACTIONS:
            return None
        info = self.info(pp)
        return aws_rule(low, resource, info) if info is not None else None

    def resource_tags_read(self, pp: PrincipalPolicies, action: str) -> tuple[str, ...]:
        """The tag names (lower-cased) whose target value a condition of the principal's statements naming
        ``action`` reads (``aws:ResourceTag/NAME``, ``iam:ResourceTag/NAME``), sorted."""
        key = (pp.key, action)
        found = self._resource_tags.get(key)
        if found is None:
            low = action.lower()
            names = {
                c.key_lower.split("/", 1)[1]
                for policy in pp.every
                for st in policy.statements_for(low)
                for c in st.conditions
                if c.key_lower.startswith(RESOURCE_TAGS)
            }
            found = self._resource_tags[key] = tuple(sorted(names))
        return found

    def info(self, pp: PrincipalPolicies) -> PrincipalInfo | None:
        """What the engine reads of the principal's ARN (its kind, account, whether a service-linked role)."""
        arn = pp.principal.arn
        if arn not in self._infos:
            self._infos[arn] = parse_principal(arn)
        return self._infos[arn]

    def signature(self, pp: PrincipalPolicies, action: str, resource: str) -> Signature:
        """Which of the statements naming ``action`` (identity, boundary, SCPs) have a ``Resource`` matching
        ``resource``: two resources with the same signature get the same decision (conditions do not depend on it)."""
        basis = self._basis(pp, action)
        if basis.shared is not None:  # no policy variables: the answer depends on the patterns and the resource only
            skey = (basis.shared, resource)
            hit = self._shared.get(skey)
            if hit is None:
                hit = tuple(
                    any(p.matches(resource, basis.context, set()) for p in st.resources or ())
                    for st in basis.statements
                )
                self._shared[skey] = hit
            return hit
        return tuple(
            any(p.matches(resource, basis.context, set()) for p in st.resources or ()) for st in basis.statements
        )

    # --- what another principal's permissions add ----------------------------------------------------------------

    def gains(self, source: str, target: str, probes: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
        """The first of ``probes`` (requests the target's statements name) that the target's policies allow and the
        source's do not (the target grants something new), or ``None``."""
        key = (source, target)
        if key in self._gains:
            return self._gains[key]
        found: tuple[str, str] | None = None
        spp, tpp = self.policies(source), self.policies(target)
        for action, resource in probes:
            if self.decide(tpp, action, resource).allowed and not self.decide(spp, action, resource).allowed:
                found = (action, resource)
                break
        self._gains[key] = found
        return found


@cache
def _takes_tags(action: str) -> bool:
    """The Service Authorization Reference lists ``aws:RequestTag/${TagKey}`` for the action. Not ``sts:`` actions:
    their request tags are session tags, which the trust policy must also allow (``sts:TagSession``): not assumed."""
    if action.lower().startswith("sts:"):
        return False
    found = catalogue().action(action)
    return found is not None and catalogue().action_supports_key(found, "aws:RequestTag/x")


def _needs_mfa(decision: Decision) -> bool:
    return any(k.lower() in MFA_KEYS for k in decision.missing_context_keys)
