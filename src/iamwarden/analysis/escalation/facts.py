"""What the escalation analysis needs to know about an account, read once: its principals and their policies,
administrators, the technique actions each principal's Allow statements name, and what trust policies name."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.escalation.catalogue import catalogue_actions
from iamwarden.analysis.permissions import AdminAnalysis, admin_of
from iamwarden.analysis.principals import (
    NamedDocument,
    Principal,
    PrincipalPolicies,
    compile_document,
    principal_policies,
)
from iamwarden.analysis.trust import trust_principals
from iamwarden.model import Account, Role
from iamwarden.policy import Policy
from iamwarden.policy.query import allow_statements


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """The account as the escalation analysis sees it (:func:`account_facts`); read-only once built."""

    context: AnalysisContext
    account: Account
    principals: dict[str, Principal]
    """Users and roles, service-linked roles left out (no customer principal can use them)."""
    policies: dict[str, PrincipalPolicies]
    admin: dict[str, AdminAnalysis]
    candidates: dict[str, frozenset[str]]
    """Principal ARN -> the technique actions some Allow statement of its identity policies names."""
    trusts: dict[str, Policy | None]
    trust_groups: dict[str, str]
    """Role ARN -> a key shared by roles whose trust documents are the same and never name a resource."""
    named_in_trust: dict[str, set[str]]
    """AWS principal value (as written) -> the roles whose trust policy names it."""
    aws_trust: set[str]
    """Roles whose trust policy names some AWS principal."""
    service_roles: dict[str, list[Role]]
    """Service principal (lower case, ``*`` for everyone) -> the roles whose trust policy names it."""
    profile_roles: dict[str, list[Role]]
    """Instance profile ARN -> its roles."""
    policy_candidates: dict[str, frozenset[str]]
    """Policy name -> the technique actions some Allow statement of it names (filled as policies are met)."""

    def candidates_of(self, policy: Policy) -> frozenset[str]:
        """:func:`policy_actions` of the policy, once per policy name (one name, one document)."""
        found = self.policy_candidates.get(policy.name)
        if found is None:
            found = self.policy_candidates[policy.name] = policy_actions(policy)
        return found


def policy_actions(policy: Policy, actions: Sequence[str] | None = None) -> frozenset[str]:
    """The catalogue actions (or ``actions``) some Allow statement of the policy names (a cheap pre-filter; the
    engine decides)."""
    out = set()
    for action in catalogue_actions() if actions is None else actions:
        if not policy.may_name(action.lower().partition(":")[0]):
            continue
        if next(iter(allow_statements((policy,), action)), None) is not None:
            out.add(action)
    return frozenset(out)


def account_facts(context: AnalysisContext) -> AccountFacts:
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
    per_policy: dict[str, frozenset[str]] = {}  # by policy name: one name, one document
    candidates: dict[str, frozenset[str]] = {}
    for arn, pp in policies.items():
        found: set[str] = set()
        for policy in pp.identity:
            if policy.name not in per_policy:
                per_policy[policy.name] = policy_actions(policy, actions)
            found |= per_policy[policy.name]
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
        text = json.dumps(role.trust_policy, sort_keys=True, default=str)
        trust_groups[role.arn] = role.arn if named_resource else text
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
    return AccountFacts(
        context,
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
        per_policy,
    )
