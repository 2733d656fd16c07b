"""Where the escalation techniques can aim: :class:`TargetIndex`.

The users, roles and customer-managed policies of the account (and each technique's existing resources) as sorted
pools; which of them a ``Resource`` pattern could match (:func:`iamwarden.policy.query.matching_arns`: the engine's
patterns, remembered per pattern); how a principal's statements naming an action split a pool into parts that get the
same decision (:meth:`TargetIndex.partition`); the roles a service may be passed, the functions and instances that run
with a role, and the names an attacker could give a resource it creates. The one owner of what the analysis remembers
about targets.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator, Sequence, Set
from typing import Any

from iamwarden.analysis.escalation.catalogue import Technique
from iamwarden.analysis.escalation.decisions import DecisionCache, resource_key
from iamwarden.analysis.escalation.facts import AccountFacts
from iamwarden.analysis.permissions import policy_admin
from iamwarden.analysis.principals import (
    NamedDocument,
    PrincipalPolicies,
    compile_document,
    inline_name,
    managed_document,
)
from iamwarden.model import Group, Role, User
from iamwarden.policy import Policy, Statement
from iamwarden.policy.aws_rules import RULE_ACTIONS, AwsRule, aws_rule
from iamwarden.policy.matching import ResourcePattern
from iamwarden.policy.query import matching_arns

Kind = str
"""A pool of ARNs targets are picked from: ``user``, ``role``, ``policy``, or a technique's id for its existing
resources."""
PROBE_NAME = "iamwarden-escalation"
"""The name given to resources the attacker creates, when its policies do not restrict names."""
ExistingResource = tuple[Role, str | None, list[str]]
"""A role, a resource that runs with it (``None``: one with no ARN), and what is assumed about it."""


class TargetIndex:
    """Targets of the techniques in one account (see the module docstring)."""

    def __init__(self, facts: AccountFacts, decisions: DecisionCache, region: str) -> None:
        account = facts.account
        self.facts = facts
        self.decisions = decisions
        self.partition_name = account.partition
        self.account_id = account.account_id
        self.region = region
        own = f":{self.account_id}:"
        self.own_trust = {
            arn
            for value, arns in facts.named_in_trust.items()
            if value in ("*", self.account_id) or own in value
            for arn in arns
        }
        """Roles whose trust policy names this account, a principal of it, or anyone."""
        self.admins = {a for a in facts.principals if decisions.target_admin(a)}
        every = facts.principals
        self._pool_sets: dict[Kind, frozenset[str]] = {
            "role": frozenset(a for a, t in every.items() if isinstance(t, Role)),
            "user": frozenset(a for a, t in every.items() if not isinstance(t, Role)),
            "policy": frozenset(p.arn for p in account.policies if not p.aws_managed),
            "group": frozenset(g.arn for g in account.groups),
        }
        self._pool_lists = {k: sorted(v) for k, v in self._pool_sets.items()}
        self._pattern_matches: dict[tuple[str, str, Kind], frozenset[str]] = {}
        self._filtered: dict[tuple[Any, Kind], frozenset[str]] = {}
        self._statement_matches: dict[tuple[Any, Kind], frozenset[str]] = {}
        self._narrowed: dict[tuple[Any, ...], tuple[Set[str], list[str]]] = {}
        self._capable: dict[Kind, frozenset[str]] = {}
        self._makeable: frozenset[str] | None = None
        self._rule_groups_memo: dict[tuple[str, Kind, str, bool], tuple[frozenset[str], ...]] = {}
        self._tag_groups_memo: dict[tuple[Kind, tuple[str, ...]], tuple[frozenset[str], ...]] = {}
        self._tagging_memo: dict[tuple[str, str, Kind], tuple[frozenset[str], ...]] = {}
        self._members: dict[str, tuple[str, ...]] | None = None
        self._customer_policies: dict[str, list[str]] = {}
        self._policy_owners: dict[str, set[str]] | None = None
        self._admin_policies: list[str] | None = None
        self._group_policies: dict[str, tuple[Policy, ...]] = {}
        self._passable: dict[str, list[tuple[Role, str]]] = {}
        self._by_service: dict[str, dict[str, frozenset[str]]] = {}
        self._existing: dict[str, tuple[list[ExistingResource], list[str | None]]] = {}
        self._role_split: dict[str, tuple[list[Any], dict[str, list[Any]]]] = {}
        self._name_regexes: dict[tuple[str, ...], list[re.Pattern[str]]] = {}
        self._concretes: dict[str, list[str]] = {}

    # --- pools and patterns --------------------------------------------------------------------------------------

    def pool(self, kind: Kind) -> frozenset[str]:
        return self._pool_sets[kind]

    def pattern_matches(self, patterns: Sequence[ResourcePattern], kind: Kind) -> frozenset[str]:
        """The members of the pool one of the patterns could match (policy variables as wildcards); once per pattern
        and per list of patterns."""
        key = (tuple((p.raw, p.kind) for p in patterns), kind)
        found = self._filtered.get(key)
        if found is None:
            out: set[str] = set()
            for pattern in patterns:
                one = (pattern.raw, pattern.kind, kind)
                matched = self._pattern_matches.get(one)
                if matched is None:
                    matched = matching_arns((pattern,), self._pool_lists[kind], self._pool_sets[kind])
                    self._pattern_matches[one] = matched
                out |= matched
            found = self._filtered[key] = frozenset(out)
        return found

    def statement_matches(self, st: Statement, kind: Kind, patterns_key: Any = None) -> frozenset[str]:
        """The members of the pool the statement's ``Resource`` patterns match; once per set of patterns
        (``patterns_key``: the statement's :func:`resource_key`, when the caller has it)."""
        key = (resource_key(st) if patterns_key is None else patterns_key, kind)
        found = self._statement_matches.get(key)
        if found is None:
            found = matching_arns(st.resources or (), self._pool_lists[kind], self._pool_sets[kind])
            self._statement_matches[key] = found
        return found

    def partition(self, pp: PrincipalPolicies, action: str, kind: Kind, arns: Set[str]) -> list[Set[str]]:
        """``arns`` split so that the members of a part get the same decision: by which statements naming ``action``
        match them (:meth:`_signature_parts`), then by what else the engine reads of the target
        (:meth:`split_by_target`)."""
        return self.split_by_target(pp, action, kind, self._signature_parts(pp, action, kind, arns))

    def _signature_parts(self, pp: PrincipalPolicies, action: str, kind: Kind, arns: Set[str]) -> list[Set[str]]:
        """``arns`` split by which statements naming ``action`` match them (the parts of :meth:`DecisionCache.
        signature`). Without policy variables by set operations over each statement's matches, computed once per
        statement; with them, by each resource's signature."""
        statements, shared = self.decisions.signature_statements(pp, action)
        if shared is None:
            by_sig: dict[Any, set[str]] = {}
            for arn in arns:
                by_sig.setdefault(self.decisions.signature(pp, action, arn), set()).add(arn)
            return list(by_sig.values())
        parts = [arns] if arns else []
        every = self._pool_sets[kind]
        for st, patterns_key in zip(statements, shared, strict=True):
            matched = self.statement_matches(st, kind, patterns_key)
            if not matched or len(matched) == len(every):
                continue  # matches none or all of them: splits nothing
            parts = [q for part in parts for q in (part & matched, part - matched) if q]
        return parts

    def split_by_target(self, pp: PrincipalPolicies, action: str, kind: Kind, parts: list[Set[str]]) -> list[Set[str]]:
        """``parts`` split further by what else the decision reads of each member: the engine's rule for resources
        AWS manages (:meth:`split_by_rule`) and, when the statements naming ``action`` have conditions on the
        target's tags (``aws:ResourceTag/*``, ``iam:ResourceTag/*``), the member's values of those tags and whether
        the principal may tag it (:mod:`.caller_context`: the attacker satisfies such a condition with the tag the
        target has, or by tagging it first)."""
        parts = self.split_by_rule(pp, action, kind, parts)
        tags = self.decisions.resource_tags_read(pp, action)
        if not tags or kind not in ("user", "role"):
            return parts
        parts = _split(parts, self._tag_groups(kind, tags))
        tagging = "iam:TagUser" if kind == "user" else "iam:TagRole"
        return _split(parts, self._tagging_groups(pp, tagging, kind))

    def _tag_groups(self, kind: Kind, tags: tuple[str, ...]) -> tuple[frozenset[str], ...]:
        """The ``kind`` pool grouped by its members' values of ``tags`` (lower-cased names); once per pool and
        names."""
        key = (kind, tags)
        found = self._tag_groups_memo.get(key)
        if found is None:
            groups: dict[tuple[str | None, ...], set[str]] = {}
            principals = self.facts.principals
            for arn in self._pool_lists[kind]:
                own = {t.key.lower(): t.value for t in principals[arn].tags}
                groups.setdefault(tuple(own.get(tag) for tag in tags), set()).add(arn)
            found = self._tag_groups_memo[key] = tuple(frozenset(g) for g in groups.values())
        return found

    def _tagging_groups(self, pp: PrincipalPolicies, tagging: str, kind: Kind) -> tuple[frozenset[str], ...]:
        """The ``kind`` pool grouped so that the principal's ``tagging`` requests get one decision per group (its
        statements' matches, and AWS's rules); once per principal."""
        key = (pp.key, tagging, kind)
        found = self._tagging_memo.get(key)
        if found is None:
            pool = self._pool_sets[kind]
            parts = self.split_by_rule(pp, tagging, kind, self._signature_parts(pp, tagging, kind, pool))
            found = self._tagging_memo[key] = tuple(frozenset(p) for p in parts)
        return found

    def split_by_rule(self, pp: PrincipalPolicies, action: str, kind: Kind, parts: list[Set[str]]) -> list[Set[str]]:
        """``parts`` (resources sharing a signature), each split further by the engine's rule for resources AWS
        manages (:meth:`DecisionCache.aws_rule`): an Identity Center or service-linked role refuses what a customer
        role matched by the same statements allows."""
        return _split(parts, self._rule_groups(pp, action, kind))

    def _rule_groups(self, pp: PrincipalPolicies, action: str, kind: Kind) -> tuple[frozenset[str], ...]:
        """The ``kind`` pool grouped by the AWS rule that decides ``action`` on each member for the principal (one
        group for the members no rule decides); once per action, pool and kind of principal (what the rule reads of
        it)."""
        low = action.lower()
        if low not in RULE_ACTIONS:
            return ()
        info = self.decisions.info(pp)
        if info is None:
            return ()
        key = (low, kind, info.kind, info.service_linked)
        found = self._rule_groups_memo.get(key)
        if found is None:
            by_rule: dict[AwsRule | None, set[str]] = {}
            for arn in self._pool_lists[kind]:
                by_rule.setdefault(aws_rule(low, arn, info), set()).add(arn)
            found = self._rule_groups_memo[key] = tuple(frozenset(v) for v in by_rule.values())
        return found

    def narrowed(
        self,
        kind: Kind,
        lateral: Container[str] | None,
        trusted_only: bool,
        capable: bool,
        filters: tuple[frozenset[str], ...],
        filter_keys: tuple[Any, ...],
    ) -> tuple[Set[str], list[str]]:
        """The users (or roles) a principal technique may take over, and the same sorted: all of them, or those in
        ``lateral``; with ``trusted_only``, of those the roles whose trust policy names this account or anyone; with
        ``capable``, the ones that are (or could be made) administrators; and those in every one of ``filters``
        (named by ``filter_keys``). Remembered for each frozen set of targets; other containers are filtered on every
        call."""
        frozen = lateral is None or isinstance(lateral, frozenset)
        key = (kind, lateral if isinstance(lateral, frozenset) else None, trusted_only, capable, filter_keys)
        hit = self._narrowed.get(key) if frozen else None
        if hit is None:
            every = self._pool_sets[kind]
            if lateral is None:
                arns: Set[str] = every
            else:
                arns = every & lateral if isinstance(lateral, set | frozenset) else {a for a in every if a in lateral}
            arns = arns & self.own_trust if trusted_only else arns
            arns = arns & self.admin_capable(kind) if capable else arns
            for f in filters:
                arns = arns & f
            hit = (arns, sorted(arns))
            if frozen:
                self._narrowed[key] = hit
        return hit

    def admin_capable(self, kind: Kind) -> frozenset[str]:
        """Users (or roles) that are administrators, or would be if their identity policies allowed everything: the
        only targets worth a technique that gives the attacker the target's permissions plus whatever it adds."""
        if kind not in self._capable:
            decisions = self.decisions
            self._capable[kind] = frozenset(
                a for a in self._pool_sets[kind] if decisions.target_admin(a) or decisions.target_ceiling(a)
            )
        return self._capable[kind]

    def makeable(self) -> frozenset[str]:
        """Users and roles that are no administrators and would be one if their identity policies allowed everything
        (their boundary and SCPs let them): the principals another can make administrators."""
        if self._makeable is None:
            decisions = self.decisions
            self._makeable = frozenset(
                a for a in self.facts.principals if not decisions.target_admin(a) and decisions.target_ceiling(a)
            )
        return self._makeable

    def group_members(self) -> dict[str, tuple[str, ...]]:
        """Group name -> the ARNs of its member users, in the account's order."""
        if self._members is None:
            members: dict[str, list[str]] = {}
            for user in self.facts.account.users:
                for name in dict.fromkeys(user.group_names):
                    members.setdefault(name, []).append(user.arn)
            self._members = {name: tuple(arns) for name, arns in members.items()}
        return self._members

    # --- policies ------------------------------------------------------------------------------------------------

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
            account = self.facts.account
            owners: list[User | Role | Group] = [principal]
            if isinstance(principal, User):
                owners += list(account.user_groups(principal))
            found = []
            for owner in owners:
                for arn in owner.attached_policy_arns:
                    policy = account.policies_by_arn.get(arn)
                    if policy is not None and not policy.aws_managed and arn not in found:
                        found.append(arn)
            self._customer_policies[principal.arn] = found
        return found

    def admin_policy_arns(self) -> list[str]:
        """Managed policies an attacker would attach: AWS's AdministratorAccess (present in every account) and the
        customer-managed policies that alone make a principal an administrator."""
        if self._admin_policies is None:
            account = self.facts.account
            found = [f"arn:{self.partition_name}:iam::aws:policy/AdministratorAccess"]
            for policy in account.policies:
                named = managed_document(policy)
                if policy.aws_managed or named is None:
                    continue
                compiled = compile_document(self.facts.context, named)
                if not isinstance(compiled, str) and policy_admin(compiled, self.account_id, self.partition_name).admin:
                    found.append(policy.arn)
            self._admin_policies = found
        return self._admin_policies

    def group_policies(self, group: Group) -> tuple[Policy, ...]:
        if group.arn not in self._group_policies:
            account = self.facts.account
            docs = [NamedDocument(inline_name(group, p.name), p.document, "inline") for p in group.inline_policies]
            for arn in group.attached_policy_arns:
                policy = account.policies_by_arn.get(arn)
                named = managed_document(policy) if policy else None
                if named is not None:
                    docs.append(named)
            compiled = [compile_document(self.facts.context, d) for d in docs]
            self._group_policies[group.arn] = tuple(c for c in compiled if not isinstance(c, str))
        return self._group_policies[group.arn]

    # --- roles a service runs with ------------------------------------------------------------------------------

    def passable_roles(self, technique: Technique, exclude: str) -> list[tuple[Role, str]]:
        """Roles whose trust lets one of the technique's services assume them (the engine decides), with the service."""
        if technique.id not in self._passable:
            self._passable[technique.id] = list(self._passable_roles(technique))
        found = self._passable[technique.id]
        return found if not exclude else [(r, s) for r, s in found if r.arn != exclude]

    def _passable_roles(self, technique: Technique) -> Iterator[tuple[Role, str]]:
        seen: set[str] = set()
        roles = self.facts.service_roles
        for service in technique.services:
            for role in [*roles.get(service, ()), *roles.get("*", ())]:
                if role.arn in seen or role.arn not in self.facts.principals:
                    continue
                if technique.instance_profile and not role.instance_profiles:
                    continue
                if self.decisions.service_may_assume(service, role, self.account_id):
                    seen.add(role.arn)
                    yield role, service

    def passable_by_service(self, technique: Technique) -> dict[str, frozenset[str]]:
        """:meth:`passable_roles` grouped by service."""
        found = self._by_service.get(technique.id)
        if found is None:
            grouped: dict[str, set[str]] = {}
            for role, service in self.passable_roles(technique, ""):
                grouped.setdefault(service, set()).add(role.arn)
            found = self._by_service[technique.id] = {k: frozenset(v) for k, v in grouped.items()}
        return found

    def existing_resources(self, technique: Technique) -> tuple[list[ExistingResource], list[str | None]]:
        """The technique's existing resources that run with a role, and the distinct resources (their ARNs become
        the pool named by the technique's id)."""
        if technique.id not in self._existing:
            items = list(self._existing_resources(technique))
            distinct = list(dict.fromkeys(r for _, r, _ in items))
            self._existing[technique.id] = (items, distinct)
            known = frozenset(r for r in distinct if r is not None)
            self._pool_sets[technique.id] = known
            self._pool_lists[technique.id] = sorted(known)
        return self._existing[technique.id]

    def _existing_resources(self, technique: Technique) -> Iterator[ExistingResource]:
        account = self.facts.account
        if technique.resource == "lambda-function" and any(
            account.was_collected("lambda:ListFunctions", r) for r in account.regions
        ):
            for fn in account.functions:
                role = account.roles_by_name.get((fn.role_arn or "").rsplit("/", 1)[-1])
                if role is not None and role.arn == fn.role_arn:
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
                arn = f"arn:{self.partition_name}:ec2:{inst.region}:{self.account_id}:instance/{inst.instance_id}"
                for role in self.facts.profile_roles.get(inst.instance_profile_arn, ()):
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
        for role, _service in self.passable_roles(technique, ""):
            # unlisted kinds say what they assume in the catalogue; listed ones were just not collected
            note = [f"a {what} running with {role.name} exists (the snapshot has no list of them)"] if listed else []
            yield role, resource, note

    def role_order(
        self, technique: Technique, roles: list[Any], lateral: Container[str] | None, only_lateral: bool
    ) -> Iterator[tuple[Any, bool]]:
        """Roles (items whose first member is a role) of ``technique`` to try, with whether an edge to it is needed
        whatever the count: administrators first (all of them), then the ``lateral`` ones that lead to one, then
        others (lateral takeovers to report); the caller keeps a few of the edges that are not needed."""
        admins = self.admins
        if lateral is None:
            yield from ((x, True) for x in roles)
            return
        split = self._role_split.get(technique.id)
        if split is None:
            by_arn: dict[str, list[Any]] = {}
            for x in roles:
                by_arn.setdefault(x[0].arn, []).append(x)
            split = self._role_split[technique.id] = ([x for x in roles if x[0].arn in admins], by_arn)
        admin_items, by_arn = split
        yield from ((x, True) for x in admin_items)
        if isinstance(lateral, set | frozenset) and len(lateral) < len(by_arn):
            chosen = sorted(a for a in lateral if a in by_arn and a not in admins)
        else:
            chosen = [a for a in by_arn if a in lateral and a not in admins]
        yield from ((x, False) for a in chosen for x in by_arn[a])
        if not only_lateral:
            yield from ((x, False) for x in roles if not (x[0].arn in admins or x[0].arn in lateral))

    # --- resources the attacker creates -------------------------------------------------------------------------

    def fill(self, template: str, name: str = PROBE_NAME, region: str | None = None) -> str:
        return template.format(
            partition=self.partition_name, region=region or self.region, account=self.account_id, name=name
        )

    def concrete(self, pattern: str) -> str:
        """A resource ARN the pattern matches: the account's partition, region and account for wildcards there."""
        if pattern == "*":
            return "*"
        parts = pattern.split(":", 5)
        if len(parts) == 6:
            parts[1] = self.partition_name if "*" in parts[1] or "?" in parts[1] else parts[1]
            parts[3] = self.region if "*" in parts[3] or "?" in parts[3] else parts[3]
            parts[4] = self.account_id if "*" in parts[4] or "?" in parts[4] else parts[4]
        return ":".join(parts).replace("*", "x").replace("?", "x")

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
            concretes = self._concretes.get(policy.name)
            if concretes is None:
                concretes = self._concretes[policy.name] = [
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


def _allow_resources(policy: Policy) -> Iterator[str]:
    """The ``Resource`` values of the policy's Allow statements."""
    for st in policy.statements:
        if st.effect == "Allow" and st.resources is not None and not st.not_resource:
            yield from (p.raw for p in st.resources)


def any_member(part: Set[str]) -> str:
    """One member of a part of :meth:`TargetIndex.partition` to ask the engine about: every member gets the same
    decision, whose reasons name statements, not the resource (each edge's grant names its own resource): the parts
    are split by everything the decision reads of the target (:meth:`TargetIndex.split_by_target`), so which member
    is asked does not change the answer."""
    return next(iter(part))


def attaches(action: str) -> bool:
    """``iam:Attach*Policy``: the request names the policy attached (``iam:PolicyARN``)."""
    low = action.lower()
    return low.startswith("iam:attach") and low.endswith("policy")


def _split(parts: list[Set[str]], groups: tuple[frozenset[str], ...]) -> list[Set[str]]:
    """Each of ``parts`` split by ``groups`` (which cover every member)."""
    if len(groups) <= 1:
        return parts
    return [q for part in parts for q in (part & g for g in groups) if q]
