"""Edges of the escalation graph: which technique lets a principal act as another (or as an administrator).

Every edge is decided by the policy engine, never by reading action names: each required action is evaluated for the
attacker on the resource the technique needs (its own ARN, the target's, the passed role with
``iam:PassedToService``, a resource it creates, a Lambda function or EC2 instance that runs with a role), with its
identity policies, permissions boundary and SCPs, in the default context of long-term credentials without MFA
(``aws:SecureTransport`` true, ``aws:RequestedRegion`` the snapshot's first region, no ``aws:MultiFactorAuthPresent``).
``sts:AssumeRole`` is decided with the role's trust policy as the resource policy; a role is passable to a service
when the engine lets the service principal ``sts:AssumeRole`` it (with ``aws:SourceAccount`` set to the account).

Speed: the engine is asked only about the techniques' actions, and only when some Allow statement of the principal's
identity policies names the action at all (a per-policy index computed once per account); a role is a candidate for a
service only when its trust document names that service, and for ``sts:AssumeRole`` only when it names an AWS
principal. Lateral edges are kept only towards principals that matter: administrators, and principals that could
themselves start a technique.
"""

from __future__ import annotations

import json
import re
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.escalation.catalogue import RequiredAction, Technique, catalogue_actions, techniques
from iamwarden.analysis.permissions import WITHOUT_MFA, AdminAnalysis, GrantingStatement, admin_for, admin_of
from iamwarden.analysis.principals import (
    NamedDocument,
    Principal,
    PrincipalPolicies,
    compile_document,
    inline_name,
    managed_document,
    principal_policies,
)
from iamwarden.analysis.trust import trust_principals
from iamwarden.model import Account, Group, Role, User
from iamwarden.policy import Decision, Policy, Request, Statement, evaluate, parse_policy
from iamwarden.policy.matching import ResourcePattern
from iamwarden.policy.query import allow_resource_patterns, context_keys, loose_pattern, matching_arns

ALLOW_ANYTHING = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    name="policy the attacker writes",
)
TARGETS_PER_TECHNIQUE = 3
"""The default number of targets kept per technique and principal (``None``: every target). A technique that makes
any target it reaches an administrator (attach a policy to a role, then assume it) is reported for the first three such
targets, in the snapshot's order: one proves the path, more would be noise. Likewise a technique keeps at most three
edges to principals that are not administrators (those that lead to one first). Edges to principals that already are
administrators are always kept."""
PROBE_NAME = "iamwarden-escalation"
"""The name given to resources the attacker creates, when its policies do not restrict names."""
_Kind = str
"""A pool of ARNs targets are picked from: ``user``, ``role``, ``policy``, or a technique's id for its existing
resources."""
_MFA_KEYS = frozenset({"aws:multifactorauthpresent", "aws:multifactorauthage"})
_MFA = {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "0"}
"""The context of a session signed in with MFA a moment ago."""


@dataclass(frozen=True, slots=True)
class Grant:
    """One required action, allowed on one resource, and the statements that allow it."""

    action: str
    resource: str
    decision: Decision = field(repr=False, compare=False)

    @property
    def statements(self) -> list[GrantingStatement]:
        return _granting(self.decision)

    def describe(self) -> str:
        why = "; ".join(s.detail for s in self.statements) or "allowed"
        return f"{self.action} on {self.resource} ({why})"


@dataclass(frozen=True, slots=True)
class Edge:
    """``source`` can act as ``target`` through ``technique`` (``target == source``: it changes its own permissions)."""

    source: str
    target: str
    technique: str
    grants: tuple[Grant, ...]
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


@dataclass(slots=True)
class _Facts:
    """What the analysis needs about the account, computed once."""

    account: Account
    principals: dict[str, Principal]
    policies: dict[str, PrincipalPolicies]
    admin: dict[str, AdminAnalysis]
    candidates: dict[str, frozenset[str]]
    trusts: dict[str, Policy | None]
    trust_groups: dict[str, str]
    """Role ARN -> a key shared by roles whose trust documents are the same and never name a resource."""
    named_in_trust: dict[str, set[str]]
    aws_trust: set[str]
    service_roles: dict[str, list[Role]]
    profile_roles: dict[str, list[Role]]
    decisions: dict[tuple[Any, ...], Decision] = field(default_factory=dict)
    ceilings: dict[tuple[int, int, bool], bool] = field(default_factory=dict)
    group_policies: dict[str, tuple[Policy, ...]] = field(default_factory=dict)


def _policy_actions(policy: Policy, actions: Sequence[str]) -> frozenset[str]:
    """The catalogue actions some Allow statement of the policy names (a cheap pre-filter; the engine decides)."""
    out = set()
    for action in actions:
        low = action.lower()
        if not policy.may_name(low.partition(":")[0]):
            continue
        for st in policy.statements_for(low):
            if st.effect == "Allow" and st.matches_action(low):
                out.add(action)
                break
    return frozenset(out)


def account_facts(context: AnalysisContext) -> _Facts:
    account = context.account
    actions = catalogue_actions()
    principals: dict[str, Principal] = {}
    every: list[Principal] = [*account.users, *account.roles]
    for p in every:
        if isinstance(p, Role) and p.service_linked:
            continue
        principals[p.arn] = p
    policies = {arn: principal_policies(context, p) for arn, p in principals.items()}
    admin = {arn: admin_of(context, pp) for arn, pp in policies.items()}
    per_policy: dict[int, frozenset[str]] = {}
    candidates: dict[str, frozenset[str]] = {}
    for arn, pp in policies.items():
        found: set[str] = set()
        for policy in pp.identity:
            key = id(policy)
            if key not in per_policy:
                per_policy[key] = _policy_actions(policy, actions)
            found |= per_policy[key]
        candidates[arn] = frozenset(found)
    trusts: dict[str, Policy | None] = {}
    trust_groups: dict[str, str] = {}
    named: dict[str, set[str]] = {}
    aws_trust: set[str] = set()
    service_roles: dict[str, list[Role]] = {}
    for role in account.roles:
        if role.service_linked or role.trust_policy is None:
            trusts[role.arn] = None
            continue
        compiled = compile_document(context, NamedDocument(f"{role.arn} trust policy", role.trust_policy, "trust"))
        trusts[role.arn] = compiled if not isinstance(compiled, str) else None
        if isinstance(compiled, str):
            continue
        # roles with the same trust document share its decisions, unless a statement names a resource
        named_resource = any(st.resources is not None for st in compiled.statements)
        trust_groups[role.arn] = (
            role.arn if named_resource else json.dumps(role.trust_policy, sort_keys=True, default=str)
        )
        aws, services = trust_principals(compiled)
        if aws:
            aws_trust.add(role.arn)
        for value in aws:
            named.setdefault(value, set()).add(role.arn)
        for service in services:
            service_roles.setdefault(service.lower(), []).append(role)
    profile_roles: dict[str, list[Role]] = {}
    for role in account.roles:
        for profile in role.instance_profiles:
            profile_roles.setdefault(profile.arn, []).append(role)
    return _Facts(
        account,
        principals,
        policies,
        admin,
        candidates,
        trusts,
        trust_groups,
        named,
        aws_trust,
        service_roles,
        profile_roles,
    )


class EdgeFinder:
    """Finds the edges out of each principal (see the module docstring)."""

    def __init__(self, context: AnalysisContext, per_technique: int | None = TARGETS_PER_TECHNIQUE) -> None:
        account = self.account = context.account
        self.context = context
        self.per_technique = per_technique if per_technique else None
        """At most this many targets per technique that are not needed (see :data:`TARGETS_PER_TECHNIQUE`)."""
        self.facts = account_facts(context)
        self.partition = account.partition
        self.account_id = account.account_id
        self.region = account.first_region
        self._admin_policies: list[str] | None = None
        self._prefilters: dict[tuple[int, str], tuple[ResourcePattern, ...] | None] = {}
        self._gains: dict[tuple[str, str], tuple[str, str] | None] = {}
        self._patterns: dict[tuple[str, str], tuple[ResourcePattern, ...] | None] = {}
        self._target_ceilings: dict[str, bool] = {}
        self._resources: dict[str, tuple[list[tuple[Role, str | None, list[str]]], list[str | None]]] = {}
        self._passable: dict[str, list[tuple[Role, str]]] = {}
        self._filtered: dict[tuple[tuple[str, ...], _Kind], frozenset[str]] = {}
        self._texts: dict[int, frozenset[str]] = {}
        self._admins = {a for a in self.facts.principals if self.target_admin(a)}
        self._techniques = [(t, t.actions) for t in techniques()]
        self._sig_statements: dict[tuple[str, str], tuple[tuple[Statement, ...], Any, tuple[int, ...] | None]] = {}
        self._shared_sigs: dict[tuple[tuple[int, ...], str], tuple[bool, ...]] = {}
        self._matched: dict[tuple[int, _Kind], frozenset[str]] = {}
        own = f":{self.account_id}:"
        self.own_trust = {
            arn
            for value, arns in self.facts.named_in_trust.items()
            if value in ("*", self.account_id) or own in value
            for arn in arns
        }
        every = self.facts.principals
        self._pool_sets: dict[_Kind, frozenset[str]] = {
            "role": frozenset(a for a, t in every.items() if isinstance(t, Role)),
            "user": frozenset(a for a, t in every.items() if not isinstance(t, Role)),
            "policy": frozenset(p.arn for p in account.policies if not p.aws_managed),
        }
        self._pool_lists = {k: sorted(v) for k, v in self._pool_sets.items()}
        self._capable: dict[_Kind, frozenset[str]] = {}
        self._narrowed_sets: dict[tuple[Any, ...], tuple[Set[str], list[str]]] = {}
        self._globbed: dict[tuple[str, str, _Kind], frozenset[str]] = {}
        self._applicable: dict[str, list[Technique]] = {}
        self._trust_mfa: dict[str, set[str]] = {}
        self._allowed_sets: dict[tuple[str, str, _Kind], frozenset[str]] = {}
        self._customer_policies: dict[str, list[str]] = {}
        self._name_regexes: dict[tuple[str, ...], list[re.Pattern[str]]] = {}
        self._concretes: dict[int, list[str]] = {}
        self._by_service: dict[str, dict[str, frozenset[str]]] = {}
        self._policy_owners: dict[str, set[str]] | None = None
        self._assume_denied: set[tuple[str, tuple[bool, ...], str]] = set()
        self._role_split: dict[int, tuple[list[Any], list[Any], dict[str, list[Any]]]] = {}

    # --- facts about principals --------------------------------------------------------------------------------

    def target_admin(self, arn: str) -> bool:
        """Holding this principal's credentials (no MFA) makes one an administrator."""
        verdict = self.facts.admin.get(arn)
        return verdict is not None and verdict.without_mfa

    def start_admin(self, arn: str) -> bool:
        verdict = self.facts.admin.get(arn)
        return verdict is not None and verdict.admin

    def gaps(self, arn: str) -> tuple[str, ...]:
        return self.facts.policies[arn].gaps

    def ceiling_admin(self, pp: PrincipalPolicies) -> bool:
        """Would the principal be an administrator if its identity policies allowed everything (boundary, SCPs)?"""
        key = (id(pp.boundary), id(pp.scps), pp.management_account)
        if key not in self.facts.ceilings:
            verdict = admin_for(
                pp.principal.arn,
                (ALLOW_ANYTHING,),
                boundary=pp.boundary,
                scps=pp.scps,
                management_account=pp.management_account,
                region=pp.region,
            )
            self.facts.ceilings[key] = verdict.without_mfa
        return self.facts.ceilings[key]

    # --- the engine ----------------------------------------------------------------------------------------------

    def decide(
        self,
        pp: PrincipalPolicies,
        action: str,
        resource: str,
        context: Mapping[str, str] | None = None,
        resource_policy: Policy | None = None,
    ) -> Decision:
        ctx = tuple(sorted((context or {}).items()))
        exact = (pp.principal.arn, action, resource, ctx, id(resource_policy))
        hit = self.facts.decisions.get(exact)
        if hit is not None:
            return hit
        if resource_policy is None:
            key: tuple[Any, ...] = (pp.principal.arn, action, ("sig", self.signature(pp, action, resource)), ctx, 0)
            hit = self.facts.decisions.get(key)
            if hit is not None:
                self.facts.decisions[exact] = hit
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
            with_mfa = self.decide(pp, action, resource, {**(context or {}), **_MFA}, resource_policy)
            if with_mfa.allowed:  # the role's trust policy asks for MFA
                self._trust_mfa.setdefault(pp.principal.arn, set()).add(action)
        self.facts.decisions[key] = decision
        self.facts.decisions[exact] = decision
        return decision

    def mfa_only(self, arn: str) -> list[str]:
        """Actions of the techniques the principal could use (:meth:`applicable`) that its policies allow only with
        MFA: on a resource an Allow statement naming the action names, the engine refuses the action without MFA and
        allows it with MFA (an Allow under an MFA condition, or a Deny unless MFA, in any of the principal's
        policies, boundary and SCPs). Such actions are not counted in paths (the analysis assumes long-term
        credentials without MFA); the evidence says them. Also ``sts:AssumeRole`` when the trust policy of a role
        the analysis asked about requires MFA."""
        pp = self.facts.policies[arn]
        out = sorted(self._trust_mfa.get(arn, ()))
        if not any(_MFA_KEYS & self._keys(policy) for policy in pp.every):
            return out
        usable = {a for t in self.applicable(arn) for a in t.actions}  # of techniques it names every action of
        for action in sorted(self.facts.candidates[arn] & usable):
            low = action.lower()
            resources: dict[str, None] = {}
            for policy in pp.identity:
                for st in policy.statements_for(low):
                    if st.effect == "Allow":
                        named = [r.raw for r in st.resources or () if r.kind != "template" and not st.not_resource]
                        resources[self.concrete(named[0]) if named else "*"] = None
            for resource in resources:
                if not self.decide(pp, action, resource).allowed and self.decide(pp, action, resource, _MFA).allowed:
                    out.append(action)
                    break
        return sorted(set(out))

    def grant(
        self,
        pp: PrincipalPolicies,
        action: str,
        resource: str,
        context: Mapping[str, str] | None = None,
        resource_policy: Policy | None = None,
    ) -> Grant | None:
        if resource_policy is None and (
            action not in self.facts.candidates[pp.principal.arn] or not self.may_match(pp, action, resource)
        ):
            return None
        decision = self.decide(pp, action, resource, context, resource_policy)
        if not decision.allowed:
            return None
        return Grant(action, resource, decision)

    def may_match(self, pp: PrincipalPolicies, action: str, resource: str) -> bool:
        """Could an Allow statement naming ``action`` apply to ``resource`` at all (its ``Resource`` patterns, policy
        variables as wildcards)? A cheap pre-filter before the engine, never the decision."""
        patterns = self.patterns(pp, action)
        return patterns is None or any(loose_pattern(p).fullmatch(resource) for p in patterns)

    def patterns(self, pp: PrincipalPolicies, action: str) -> tuple[ResourcePattern, ...] | None:
        """The ``Resource`` patterns of the principal's Allow statements naming ``action`` (``None``: any resource)."""
        key = (pp.principal.arn, action)
        if key in self._patterns:
            return self._patterns[key]
        low = action.lower()
        found: list[ResourcePattern] = []
        result: tuple[ResourcePattern, ...] | None = None
        for policy in pp.identity:
            pkey = (id(policy), low)
            if pkey not in self._prefilters:
                self._prefilters[pkey] = allow_resource_patterns(policy, low)
            patterns = self._prefilters[pkey]
            if patterns is None:
                break
            found += patterns
        else:
            result = tuple(found)
        self._patterns[key] = result
        return result

    def _partition(self, pp: PrincipalPolicies, action: str, kind: _Kind, arns: Set[str]) -> list[Set[str]]:
        """``arns`` split by which statements naming ``action`` match them (the parts of :meth:`signature`: resources in
        one part get the same decision). Without policy variables by set operations over each statement's matches,
        computed once per statement; with them, by each resource's signature."""
        self.signature(pp, action, "*")
        statements, _, shared = self._sig_statements[(pp.principal.arn, action)]
        if shared is None:
            by_sig: dict[Any, set[str]] = {}
            for arn in arns:
                by_sig.setdefault(self.signature(pp, action, arn), set()).add(arn)
            return list(by_sig.values())
        parts = [arns] if arns else []
        for st in statements:
            key = (id(st), kind)
            matched = self._matched.get(key)
            if matched is None:
                matched = matching_arns(st.resources or (), self._pool_lists[kind], self._pool_sets[kind])
                self._matched[key] = matched
            if not matched or len(matched) == len(self._pool_sets[kind]):
                continue  # matches none or all of them: splits nothing
            parts = [q for part in parts for q in (part & matched, part - matched) if q]
        return parts

    def signature(self, pp: PrincipalPolicies, action: str, resource: str) -> tuple[bool, ...]:
        """Which of the statements naming ``action`` (identity, boundary, SCPs) have a ``Resource`` matching
        ``resource``: two resources with the same signature get the same decision (conditions do not depend on it)."""
        key = (pp.principal.arn, action)
        found = self._sig_statements.get(key)
        if found is None:
            low = action.lower()
            statements = tuple(
                st for policy in pp.every for st in policy.statements_for(low) if st.resources is not None
            )
            request = Request(pp.principal.arn, action, "*", {"aws:RequestedRegion": pp.region, **WITHOUT_MFA})
            variables = any(p.kind == "template" for st in statements for p in st.resources or ())
            found = (statements, request.full_context, None if variables else tuple(id(st) for st in statements))
            self._sig_statements[key] = found
        statements, context, shared = found
        if shared is not None:  # no policy variables: the answer depends on the statements and the resource only
            skey = (shared, resource)
            hit = self._shared_sigs.get(skey)
            if hit is None:
                hit = tuple(any(p.matches(resource, context, set()) for p in st.resources or ()) for st in statements)
                self._shared_sigs[skey] = hit
            return hit
        return tuple(any(p.matches(resource, context, set()) for p in st.resources or ()) for st in statements)

    def _keys(self, policy: Policy) -> frozenset[str]:
        """The request context keys the policy reads (the engine's :func:`context_keys`)."""
        key = id(policy)  # compiled policies live as long as the account's cache, as does this finder
        if key not in self._texts:
            self._texts[key] = context_keys(policy)
        return self._texts[key]

    def target_ceiling(self, arn: str) -> bool:
        if arn not in self._target_ceilings:
            self._target_ceilings[arn] = self.ceiling_admin(self.facts.policies[arn])
        return self._target_ceilings[arn]

    def gains(self, source: str, target: str) -> tuple[str, str] | None:
        """A request the target's policies allow and the source's do not (the target grants something new), or
        ``None``. Probes: each Allow statement's first named action on its first resource (wildcards filled)."""
        key = (source, target)
        if key in self._gains:
            return self._gains[key]
        found: tuple[str, str] | None = None
        spp, tpp = self.facts.policies[source], self.facts.policies[target]
        for action, resource in self._probes(tpp):
            if self.decide(tpp, action, resource).allowed and not self.decide(spp, action, resource).allowed:
                found = (action, resource)
                break
        self._gains[key] = found
        return found

    def _probes(self, pp: PrincipalPolicies) -> Iterator[tuple[str, str]]:
        for policy in pp.identity:
            for st in policy.statements:
                if st.effect != "Allow" or st.not_action:
                    continue
                resources = ["*"] if st.resources is None or st.not_resource else [p.raw for p in st.resources]
                action = next((p.raw for p in st.actions if "*" not in p.raw and "?" not in p.raw), None)
                resource = next((r for r in resources if "${" not in r), None)
                if action and resource:
                    yield action, self.concrete(resource)

    def concrete(self, pattern: str) -> str:
        """A resource ARN the pattern matches: the account's partition, region and account for wildcards there."""
        if pattern == "*":
            return "*"
        parts = pattern.split(":", 5)
        if len(parts) == 6:
            parts[1] = self.partition if "*" in parts[1] or "?" in parts[1] else parts[1]
            parts[3] = self.region if "*" in parts[3] or "?" in parts[3] else parts[3]
            parts[4] = self.account_id if "*" in parts[4] or "?" in parts[4] else parts[4]
        return ":".join(parts).replace("*", "x").replace("?", "x")

    # --- resources ---------------------------------------------------------------------------------------------

    def fill(self, template: str, name: str = PROBE_NAME, region: str | None = None) -> str:
        return template.format(
            partition=self.partition, region=region or self.region, account=self.account_id, name=name
        )

    def new_names(self, pp: PrincipalPolicies, templates: Sequence[str]) -> list[str]:
        """Names the attacker could give new resources: the probe name, plus names its policies' resource patterns
        allow (wildcards filled in), so ``function:team-*`` yields ``team-x``."""
        names = [PROBE_NAME]
        key = tuple(templates)
        regexes = self._name_regexes.get(key)
        if regexes is None:
            regexes = []
            for template in templates:
                head, _, tail = self.fill(template, "\0").partition("\0")
                regexes.append(re.compile(re.escape(head) + "(.+)" + re.escape(tail) + "$"))
            self._name_regexes[key] = regexes
        for policy in pp.identity:
            concretes = self._concretes.get(id(policy))
            if concretes is None:
                concretes = self._concretes[id(policy)] = [
                    self.concrete(r)
                    for r in _allow_resources(policy)
                    if "${" not in r and r != "*" and r.count(":") >= 5
                ]
            for concrete in concretes:
                for rx in regexes:
                    m = rx.match(concrete)
                    if m and m.group(1) not in names and "/" not in m.group(1) and ":" not in m.group(1):
                        names.append(m.group(1))
        return names

    def policy_owners(self) -> dict[str, set[str]]:
        """Customer-managed policy ARN -> the users and roles it applies to (directly or through a group)."""
        if self._policy_owners is None:
            owners: dict[str, set[str]] = {}
            for arn, principal in self.facts.principals.items():
                for policy_arn in self.customer_policies_of(principal):
                    owners.setdefault(policy_arn, set()).add(arn)
            self._policy_owners = owners
        return self._policy_owners

    def customer_policies_of(self, principal: User | Role | Group) -> list[str]:
        """The customer-managed policies attached to the principal (and, for a user, to its groups)."""
        found = self._customer_policies.get(principal.arn)
        if found is None:
            found = self._customer_policies[principal.arn] = self._customer_policies_of(principal)
        return found

    def _customer_policies_of(self, principal: User | Role | Group) -> list[str]:
        owners: list[User | Role | Group] = [principal]
        if isinstance(principal, User):
            owners += list(self.account.user_groups(principal))
        out: list[str] = []
        for owner in owners:
            for arn in owner.attached_policy_arns:
                policy = self.account.policies_by_arn.get(arn)
                if policy is not None and not policy.aws_managed and arn not in out:
                    out.append(arn)
        return out

    def admin_policy_arns(self) -> list[str]:
        """Managed policies an attacker would attach: AWS's AdministratorAccess (present in every account) and the
        customer-managed policies that alone make a principal an administrator."""
        if self._admin_policies is None:
            from iamwarden.analysis.permissions import policy_admin

            found = [f"arn:{self.partition}:iam::aws:policy/AdministratorAccess"]
            for policy in self.account.policies:
                named = managed_document(policy)
                if policy.aws_managed or named is None:
                    continue
                compiled = compile_document(self.context, named)
                if not isinstance(compiled, str) and policy_admin(compiled, self.account_id, self.partition).admin:
                    found.append(policy.arn)
            self._admin_policies = found
        return self._admin_policies

    def group_policies(self, group: Group) -> tuple[Policy, ...]:
        if group.arn not in self.facts.group_policies:
            docs = [NamedDocument(inline_name(group, p.name), p.document, "inline") for p in group.inline_policies]
            for arn in group.attached_policy_arns:
                policy = self.account.policies_by_arn.get(arn)
                named = managed_document(policy) if policy else None
                if named is not None:
                    docs.append(named)
            compiled = [compile_document(self.context, d) for d in docs]
            self.facts.group_policies[group.arn] = tuple(c for c in compiled if not isinstance(c, str))
        return self.facts.group_policies[group.arn]

    def passable_roles(self, technique: Technique, exclude: str) -> list[tuple[Role, str]]:
        """Roles whose trust lets one of the technique's services assume them (the engine decides), with the service."""
        if technique.id not in self._passable:
            self._passable[technique.id] = list(self._passable_roles(technique))
        found = self._passable[technique.id]
        return found if not exclude else [(r, s) for r, s in found if r.arn != exclude]

    def _passable_roles(self, technique: Technique) -> Iterator[tuple[Role, str]]:
        seen: set[str] = set()
        for service in technique.services:
            candidates = [*self.facts.service_roles.get(service, ()), *self.facts.service_roles.get("*", ())]
            for role in candidates:
                if role.arn in seen or role.arn not in self.facts.principals:
                    continue
                if technique.instance_profile and not role.instance_profiles:
                    continue
                if self.service_may_assume(service, role):
                    seen.add(role.arn)
                    yield role, service

    def service_may_assume(self, service: str, role: Role) -> bool:
        trust = self.facts.trusts.get(role.arn)
        if trust is None:
            return False
        key = ("service", service, role.arn)
        hit = self.facts.decisions.get(key)
        if hit is None:
            hit = evaluate(
                Request(service, "sts:AssumeRole", role.arn, {"aws:SourceAccount": self.account_id}),
                resource_policy=trust,
            )
            self.facts.decisions[key] = hit
        return hit.allowed

    # --- edges ---------------------------------------------------------------------------------------------------

    def edges_from(self, arn: str, lateral: Container[str] | None = None, only_lateral: bool = False) -> list[Edge]:
        """Edges out of ``arn``. Lateral takeovers of other users and roles (a technique that yields the target's own
        permissions) only towards ``lateral`` (all when ``None``); ``only_lateral``: just those. Techniques that make
        any target an administrator stop after :attr:`per_technique` targets."""
        pp = self.facts.policies[arn]
        out: list[Edge] = []
        for technique in self.applicable(arn):
            if only_lateral and (technique.shape == "self" or technique.gains == "admin"):
                continue
            if technique.shape == "self":
                out += self._self(technique, pp)
            elif technique.shape == "principal":
                out += self._principal(technique, pp, lateral)
            elif technique.shape == "passrole":
                out += self._passrole(technique, pp, lateral, only_lateral)
            else:
                out += self._existing(technique, pp, lateral, only_lateral)
        return out

    def applicable(self, arn: str) -> list[Technique]:
        """The techniques whose every required action some Allow statement of the principal names (``sts:AssumeRole``
        also counts when a trust policy names the principal itself); computed once per principal."""
        found = self._applicable.get(arn)
        if found is None:
            have = self.facts.candidates[arn]
            named = arn in self.facts.named_in_trust
            found = []
            for technique, actions in self._techniques:
                needs = [a for a in actions if a not in have]
                if not needs or (named and needs == ["sts:AssumeRole"]):
                    found.append(technique)
            self._applicable[arn] = found
        return found

    def _all(
        self, pp: PrincipalPolicies, required: Iterable[tuple[RequiredAction, str, Mapping[str, str] | None]]
    ) -> list[Grant] | None:
        grants = []
        for req, resource, context in required:
            grant = self.grant(pp, req.action, resource, context)
            if grant is None:
                return None
            grants.append(grant)
        return grants

    def _attach_context(self, pp: PrincipalPolicies, action: str, resource: str) -> dict[str, str] | None:
        """For ``iam:Attach*Policy``: the administrator policy ARN the engine allows attaching (``iam:PolicyARN``)."""
        for policy_arn in self.admin_policy_arns()[:1]:
            if self.grant(pp, action, resource, {"iam:PolicyARN": policy_arn}):
                return {"iam:PolicyARN": policy_arn}
        if action not in self.facts.candidates[pp.principal.arn] or not any(
            "iam:policyarn" in self._keys(policy) for policy in pp.identity
        ):
            return None  # only a condition on iam:PolicyARN could allow another administrator policy
        for policy_arn in self.admin_policy_arns()[1:]:
            if self.grant(pp, action, resource, {"iam:PolicyARN": policy_arn}):
                return {"iam:PolicyARN": policy_arn}
        return None

    def _contexts(
        self, pp: PrincipalPolicies, technique: Technique, resource_for: Mapping[str, str]
    ) -> list[tuple[RequiredAction, str, Mapping[str, str] | None]] | None:
        out: list[tuple[RequiredAction, str, Mapping[str, str] | None]] = []
        for req in technique.required:
            resource = resource_for[req.on]
            context: Mapping[str, str] | None = None
            if _attaches(req.action):
                context = self._attach_context(pp, req.action, resource)
                if context is None:
                    return None
            out.append((req, resource, context))
        return out

    def _self(self, technique: Technique, pp: PrincipalPolicies) -> list[Edge]:
        principal = pp.principal
        kind = "user" if isinstance(principal, User) else "role"
        if technique.principal and technique.principal != kind:
            return []
        req = technique.required[0]
        if req.on == "admin-group":
            assert isinstance(principal, User)
            return self._admin_group(technique, pp, principal)
        if not self.ceiling_admin(pp):
            return []
        targets: list[tuple[str, str | None]]
        if req.on == "self":
            targets = [(principal.arn, None)]
        elif req.on == "self-policy":
            targets = [(a, a) for a in self.customer_policies_of(principal)]
        else:  # self-group
            assert isinstance(principal, User)
            targets = [(g.arn, g.arn) for g in self.account.user_groups(principal)]
        out = []
        for resource, via in targets:
            required = self._contexts(pp, technique, {req.on: resource})
            grants = self._all(pp, required) if required is not None else None
            if grants:
                out.append(Edge(principal.arn, principal.arn, technique.id, tuple(grants), True, via))
        return out

    def _admin_group(self, technique: Technique, pp: PrincipalPolicies, user: User) -> list[Edge]:
        out = []
        for group in self.account.groups:
            if group.name in user.group_names:
                continue
            grant = self.grant(pp, technique.required[0].action, group.arn)
            if grant is None:
                continue
            verdict = admin_for(
                user.arn,
                (*pp.identity, *self.group_policies(group)),
                boundary=pp.boundary,
                scps=pp.scps,
                management_account=pp.management_account,
                region=pp.region,
            )
            if verdict.without_mfa:
                out.append(Edge(user.arn, user.arn, technique.id, (grant,), True, group.arn))
        return out

    def _principal(self, technique: Technique, pp: PrincipalPolicies, lateral: Container[str] | None) -> list[Edge]:
        source = pp.principal.arn
        out: list[Edge] = []
        kind: _Kind = "role" if technique.target == "role" else "user"
        towards = lateral if technique.gains == "target" else None
        capable = technique.gains == "admin"
        assume = "sts:AssumeRole" in technique.actions
        named = self.facts.named_in_trust.get(source) if assume else None
        # Cheap filters first: the resource patterns of the principal's statements naming each target action.
        filters: list[tuple[tuple[str, ...], _Kind]] = []
        for req in technique.required:
            if req.on == "target" and not (req.action == "sts:AssumeRole" and named is not None):
                patterns = self.patterns(pp, req.action)
                if patterns is None:
                    continue
                key = (tuple(p.raw for p in patterns), kind)
                if key not in self._filtered:
                    self._filtered[key] = frozenset().union(*(self._glob_matches(p, kind) for p in patterns))
                filters.append(key)
        arns, ordered = self._narrowed(kind, towards, assume, capable, tuple(filters))
        if named:  # roles whose trust names the principal itself, wherever they are
            extra = self._narrowed(kind, towards, False, capable, ())[0] & named
            extra = {a for a in extra if all(a in self._filtered[f] for f in filters)} - arns
            if extra:
                arns = arns | extra
                ordered = sorted(arns)
        policy_req = next((r for r in technique.required if r.on == "target-policy"), None)
        editable: Set[str] | None = None
        if policy_req is not None:
            editable = self._allowed(pp, policy_req.action, "policy")
            if not editable:
                return []
            owners = self.policy_owners()
            arns = arns & set().union(*(owners.get(a, ()) for a in editable))
            ordered = sorted(arns)
        # Targets the policies cannot tell apart get the same decision: for each action on the target, try one of
        # each kind and keep the kinds allowed.
        on_target = [r for r in technique.required if r.on == "target" and r.action != "sts:AssumeRole"]
        if on_target and len(arns) > 1:
            for req in on_target:
                arns = set().union(*(part for part, _ in self._allowed_parts(pp, req.action, kind, arns)))
                if not arns:
                    return []
            ordered = sorted(arns)
        principals = self.facts.principals
        made_admin = lateral_made = 0
        for target_arn in ordered:
            if target_arn == source:
                continue
            target = principals[target_arn]
            admin = self.target_admin(target_arn)
            if technique.gains == "admin":
                if not (admin or self.target_ceiling(target_arn)):
                    continue
                if self._enough(made_admin):
                    break
                admin = True
            assumed = self._target_state(technique, target)
            if assumed is None:
                continue
            resources: dict[str, str] = {"target": target_arn}
            policy_choices: list[str | None] = [None]
            if editable is not None:
                policy_choices = [a for a in self.customer_policies_of(target) if a in editable]
            for policy_arn in policy_choices:
                if policy_arn is not None:
                    resources["target-policy"] = policy_arn
                grants = self._principal_grants(technique, pp, target, resources)
                if grants:
                    out.append(Edge(source, target_arn, technique.id, tuple(grants), admin, policy_arn, assumed))
                    made_admin += technique.gains == "admin"
                    lateral_made += not admin
                    break
            if self._enough(lateral_made):
                break
        return out

    def _glob_matches(self, pattern: ResourcePattern, kind: _Kind) -> frozenset[str]:
        """The users, roles or policies whose ARN the pattern could match (the engine's :func:`matching_arns`); once
        per pattern."""
        key = (pattern.raw, pattern.kind, kind)
        found = self._globbed.get(key)
        if found is None:
            found = self._globbed[key] = matching_arns((pattern,), self._pool_lists[kind], self._pool_sets[kind])
        return found

    def _narrowed(
        self,
        kind: _Kind,
        lateral: Container[str] | None,
        trusted_only: bool,
        capable: bool,
        filters: tuple[tuple[tuple[str, ...], _Kind], ...],
    ) -> tuple[Set[str], list[str]]:
        """The users (or roles) a principal technique may take over, and the same sorted: all of them, or those in
        ``lateral``; with ``trusted_only``, of those the roles whose trust policy names this account or anyone; with
        ``capable``, the ones that are (or could be made) administrators; and those the pre-filters of
        :data:`_filtered` named in ``filters`` keep. Computed once for each frozen set of targets; other containers
        are filtered on every call."""
        frozen = lateral is None or isinstance(lateral, frozenset)
        key = (kind, lateral if isinstance(lateral, frozenset) else None, trusted_only, capable, filters)
        hit = self._narrowed_sets.get(key) if frozen else None
        if hit is None:
            every = self._pool_sets[kind]
            if lateral is None:
                arns: Set[str] = every
            else:
                arns = every & lateral if isinstance(lateral, set | frozenset) else {a for a in every if a in lateral}
            arns = arns & self.own_trust if trusted_only else arns
            arns = arns & self._admin_capable(kind) if capable else arns
            for f in filters:
                arns = arns & self._filtered[f]
            hit = (arns, sorted(arns))
            if frozen:
                self._narrowed_sets[key] = hit
        return hit

    def _admin_capable(self, kind: _Kind) -> frozenset[str]:
        """Users (or roles) that are administrators, or would be if their identity policies allowed everything: the
        only targets worth a technique that gives the attacker the target's permissions plus whatever it adds."""
        if kind not in self._capable:
            self._capable[kind] = frozenset(
                a for a in self._pool_sets[kind] if self.target_admin(a) or self.target_ceiling(a)
            )
        return self._capable[kind]

    def _allowed(self, pp: PrincipalPolicies, action: str, kind: _Kind) -> frozenset[str]:
        """The users, roles or customer-managed policies the principal may apply ``action`` to (no extra context):
        the engine decides one of each part of :meth:`_partition`."""
        key = (pp.principal.arn, action, kind)
        found = self._allowed_sets.get(key)
        if found is None:
            allowed: set[str] = set()
            if action in self.facts.candidates[pp.principal.arn]:
                allowed = allowed.union(
                    *(part for part, _ in self._allowed_parts(pp, action, kind, self._pool_sets[kind]))
                )
            found = self._allowed_sets[key] = frozenset(allowed)
        return found

    def _allowed_parts(
        self, pp: PrincipalPolicies, action: str, kind: _Kind, arns: Set[str], context: Mapping[str, str] | None = None
    ) -> Iterator[tuple[Set[str], Grant]]:
        """The parts of ``arns`` (see :meth:`_partition`) the engine lets the principal apply ``action`` to, each
        with the grant decided for one of its members (for ``iam:Attach*Policy``, attaching an administrator
        policy)."""
        for part in self._partition(pp, action, kind, arns):
            rep = _any(part)
            ctx = context
            if _attaches(action):
                ctx = self._attach_context(pp, action, rep)
                if ctx is None:
                    continue
            found = self.grant(pp, action, rep, ctx)
            if found is not None:
                yield part, found

    def _principal_grants(
        self, technique: Technique, pp: PrincipalPolicies, target: Principal, resources: Mapping[str, str]
    ) -> list[Grant] | None:
        required = self._contexts(pp, technique, resources)
        if required is None:
            return None
        grants = []
        for req, resource, context in required:
            if req.action == "sts:AssumeRole":
                if resource not in self.facts.aws_trust:
                    return None
                # Roles with the same trust document that the principal's policies cannot tell apart get the same
                # decision: one refusal stands for all of them (an allowed one is still decided role by role, so
                # its reasons name its own trust policy).
                group = (pp.principal.arn, self.signature(pp, req.action, resource), self.facts.trust_groups[resource])
                if group in self._assume_denied:
                    return None
                grant = self.grant(pp, req.action, resource, context, self.facts.trusts.get(resource))
                if grant is None and context is None:
                    self._assume_denied.add(group)
            else:
                grant = self.grant(pp, req.action, resource, context)
            if grant is None:
                return None
            grants.append(grant)
        return grants

    def _target_state(self, technique: Technique, target: Principal) -> tuple[str, ...] | None:
        """Prerequisites on the target user (keys, console password); ``None`` when the snapshot rules it out."""
        if not isinstance(target, User):
            return ()
        assumed: list[str] = []
        if technique.keys:
            keys = target.access_keys
            if keys is None:
                assumed.append(
                    f"{target.name} has {'two' if technique.keys == 'two' else 'fewer than two'} access keys"
                )
            elif (len(keys) >= 2) != (technique.keys == "two"):
                return None
        if technique.login_profile:
            has = target.has_console_password
            if has is None:
                assumed.append(f"{target.name} {'has' if technique.login_profile == 'present' else 'has no'} password")
            elif has != (technique.login_profile == "present"):
                return None
            if _has_mfa(target) is True:
                return None  # the console sign-in would ask for the user's MFA device
            if _has_mfa(target) is None:
                assumed.append(f"{target.name} has no MFA device (console sign-in would ask for it)")
        return tuple(assumed)

    def _enough(self, made: int) -> bool:
        return self.per_technique is not None and made >= self.per_technique

    def _role_order(
        self, roles: list[Any], lateral: Container[str] | None, only_lateral: bool
    ) -> Iterator[tuple[Any, bool]]:
        """Roles to try, with whether an edge to it is needed whatever the count: administrators first (all of
        them), then the ``lateral`` ones that lead to one, then others (lateral takeovers to report); the caller keeps
        at most :attr:`per_technique` edges that are not needed."""
        admins = self._admins
        if lateral is None:
            yield from ((x, True) for x in roles)
            return
        key = id(roles)
        split = self._role_split.get(key)
        if split is None or split[0] is not roles:
            by_arn: dict[str, list[Any]] = {}
            for x in roles:
                by_arn.setdefault(x[0].arn, []).append(x)
            split = (roles, [x for x in roles if x[0].arn in admins], by_arn)
            self._role_split[key] = split
        _, admin_items, by_arn = split
        yield from ((x, True) for x in admin_items)
        if isinstance(lateral, set | frozenset) and len(lateral) < len(by_arn):
            chosen = sorted(a for a in lateral if a in by_arn and a not in admins)
        else:
            chosen = [a for a in by_arn if a in lateral and a not in admins]
        yield from ((x, False) for a in chosen for x in by_arn[a])
        if not only_lateral:
            yield from ((x, False) for x in roles if not (x[0].arn in admins or x[0].arn in lateral))

    def _passrole(
        self, technique: Technique, pp: PrincipalPolicies, lateral: Container[str] | None, only_lateral: bool
    ) -> list[Edge]:
        source = pp.principal.arn
        rest = self._service_grants(technique, pp, skip=("passed-role",))
        if rest is None:
            return []
        out = []
        pass_req = next(r for r in technique.required if r.on == "passed-role")
        roles = self.passable_roles(technique, "")
        by_service = self._by_service.get(technique.id)
        if by_service is None:
            grouped: dict[str, set[str]] = {}
            for role, service in roles:
                grouped.setdefault(service, set()).add(role.arn)
            by_service = self._by_service[technique.id] = {k: frozenset(v) for k, v in grouped.items()}
        passable: dict[str, Grant] = {}  # roles the engine lets the principal pass (one decision per part)
        for service, arns in by_service.items():
            context = {"iam:PassedToService": service}
            for part, found in self._allowed_parts(pp, pass_req.action, "role", arns, context):
                passable.update((a, Grant(found.action, a, found.decision)) for a in part)
        if not passable:
            return []
        extra = 0
        for (role, _service), needed in self._role_order(roles, lateral, only_lateral):
            if not needed and self._enough(extra):
                break
            if role.arn == source:
                continue
            grant = passable.get(role.arn)
            if grant is None:
                continue
            admin = self.target_admin(role.arn)
            grants = tuple(grant if r.on == "passed-role" else rest[r.action] for r in technique.required)
            out.append(Edge(source, role.arn, technique.id, grants, admin, role.arn, technique.assumed))
            extra += not needed
        return out

    def _service_grants(
        self, technique: Technique, pp: PrincipalPolicies, skip: Sequence[str], existing: str | None = None
    ) -> dict[str, Grant] | None:
        """Grants for the actions on new resources (one name for all), ``*`` and the existing resource."""
        out: dict[str, Grant] = {}
        new = [r for r in technique.required if r.on == "new"]
        for req in technique.required:
            if req.on in skip or req.on == "new":
                continue
            resource = "*" if req.on == "any" else existing or self.fill(req.arn or "*")
            grant = self.grant(pp, req.action, resource)
            if grant is None:
                return None
            out[req.action] = grant
        if new:
            for name in self.new_names(pp, [r.arn or "" for r in new]):
                found = [self.grant(pp, r.action, self.fill(r.arn or "", name)) for r in new]
                if all(found):
                    out.update({g.action: g for g in found if g})
                    break
            else:
                return None
        return out

    def _existing(
        self, technique: Technique, pp: PrincipalPolicies, lateral: Container[str] | None, only_lateral: bool
    ) -> list[Edge]:
        source = pp.principal.arn
        if technique.id not in self._resources:
            items = list(self._existing_resources(technique, ""))
            distinct = list(dict.fromkeys(r for _, r, _ in items))
            self._resources[technique.id] = (items, distinct)
            known = frozenset(r for r in distinct if r is not None)
            self._pool_sets[technique.id] = known
            self._pool_lists[technique.id] = sorted(known)
        items, distinct = self._resources[technique.id]
        usable = self._usable_resources(technique, pp, None in distinct)
        if not usable:
            return []
        out = []
        done: set[str] = set()
        extra = 0
        for (role, resource, assumed), needed in self._role_order(items, lateral, only_lateral):
            if not needed and self._enough(extra):
                break
            if role.arn == source or role.arn in done or resource not in usable:
                continue
            admin = self.target_admin(role.arn)
            grants = usable[resource]
            ordered = tuple(
                Grant(r.action, resource, grants[r.action].decision)
                if r.on == "existing" and resource is not None
                else grants[r.action]
                for r in technique.required
            )
            done.add(role.arn)  # one resource per role proves the edge
            extra += not needed
            out.append(Edge(source, role.arn, technique.id, ordered, admin, resource, (*assumed, *technique.assumed)))
        return out

    def _usable_resources(
        self, technique: Technique, pp: PrincipalPolicies, unnamed: bool
    ) -> dict[str | None, dict[str, Grant]]:
        """The existing resources (functions, instances, an unlisted kind's ARN pattern; ``None`` for one with no
        ARN) the principal may use for the technique, each with the grants of the required actions (those on the
        existing resource decided for one member of its part of :meth:`_partition`: many functions, one decision)."""
        rest = self._service_grants(technique, pp, skip=("existing",))
        if rest is None:
            return {}
        usable: dict[str | None, dict[str, Grant]] = {}
        if unnamed:
            grants = self._service_grants(technique, pp, skip=(), existing=None)
            if grants is not None:
                usable[None] = grants
        on_resource = [r for r in technique.required if r.on == "existing"]
        parts: list[Set[str]] = [self._pool_sets[technique.id]] if self._pool_sets[technique.id] else []
        for req in on_resource:
            parts = [q for part in parts for q in self._partition(pp, req.action, technique.id, part)]
        for part in parts:
            rep = _any(part)
            found = [self.grant(pp, r.action, rep) for r in on_resource]
            if all(found):
                grants = {**rest, **{g.action: g for g in found if g is not None}}
                usable.update(dict.fromkeys(part, grants))
        return usable

    def _existing_resources(self, technique: Technique, source: str) -> Iterator[tuple[Role, str | None, list[str]]]:
        account = self.account
        if technique.resource == "lambda-function" and any(
            account.was_collected("lambda:ListFunctions", r) for r in account.regions
        ):
            for fn in account.functions:
                role = account.roles_by_name.get((fn.role_arn or "").rsplit("/", 1)[-1])
                if role is not None and role.arn == fn.role_arn and role.arn != source:
                    yield role, fn.arn, []
            return
        if technique.resource == "ec2-instance" and any(
            account.was_collected("ec2:DescribeInstances", r) for r in account.regions
        ):
            for inst in account.instances:
                if inst.state in ("terminated", "shutting-down") or not inst.instance_profile_arn:
                    continue
                if technique.running and inst.state not in (None, "running"):
                    continue
                arn = f"arn:{self.partition}:ec2:{inst.region}:{self.account_id}:instance/{inst.instance_id}"
                for role in self.facts.profile_roles.get(inst.instance_profile_arn, ()):
                    if role.arn != source:
                        yield role, arn, []
            return
        what = technique.resource or "resource"
        template = technique.required[0].arn
        if what == "lambda-function":
            what, template = "Lambda function", "arn:{partition}:lambda:{region}:{account}:function:*"
        elif what == "ec2-instance":
            what, template = "EC2 instance", "arn:{partition}:ec2:{region}:{account}:instance/*"
        resource = self.fill(template) if template else None
        listed = technique.resource in ("lambda-function", "ec2-instance")
        for role, _service in self.passable_roles(technique, source):
            # unlisted kinds say what they assume in the catalogue; listed ones were just not collected
            note = [f"a {what} running with {role.name} exists (the snapshot has no list of them)"] if listed else []
            yield role, resource, note


def _granting(decision: Decision) -> list[GrantingStatement]:
    out: dict[tuple[str, str | None], GrantingStatement] = {}
    for reason in decision.reasons:
        if reason.effect == "Allow" and reason.policy_type in ("identity", "resource"):
            out.setdefault(
                (reason.policy, reason.statement), GrantingStatement(reason.policy, reason.statement, reason.detail)
            )
    return list(out.values())


def _needs_mfa(decision: Decision) -> bool:
    return any(k.lower() in _MFA_KEYS for k in decision.missing_context_keys)


def _any(part: Set[str]) -> str:
    """One member of a part of :meth:`EdgeFinder._partition` to ask the engine about: every member gets the same
    decision, whose reasons name statements, not the resource (each edge's grant names its own resource)."""
    return next(iter(part))


def _allow_resources(policy: Policy) -> Iterator[str]:
    """The ``Resource`` values of the policy's Allow statements."""
    for st in policy.statements:
        if st.effect == "Allow" and st.resources is not None and not st.not_resource:
            yield from (p.raw for p in st.resources)


def _attaches(action: str) -> bool:
    low = action.lower()
    return low.startswith("iam:attach") and low.endswith("policy")


def _has_mfa(user: User) -> bool | None:
    if user.mfa_devices is not None:
        return bool(user.mfa_devices)
    if user.credential_report is not None:
        return user.credential_report.mfa_active
    return None
