"""Edges of the escalation graph: which technique lets a principal act as another (or as an administrator).

Every edge is decided by the policy engine, never by reading action names: each required action is evaluated for the
attacker on the resource the technique needs (its own ARN, the target's, the passed role with
``iam:PassedToService``, a resource it creates, a Lambda function or EC2 instance that runs with a role), with its
identity policies, permissions boundary and SCPs, in the default context of long-term credentials without MFA
(``aws:SecureTransport`` true, ``aws:RequestedRegion`` the snapshot's first region, no ``aws:MultiFactorAuthPresent``).
``sts:AssumeRole`` is decided with the role's trust policy as the resource policy; a role is passable to a service
when the engine lets the service principal ``sts:AssumeRole`` it (with ``aws:SourceAccount`` set to the account).

The techniques come in four shapes, one module each: the principal changes its own permissions
(:mod:`.self_escalation`), takes over another user or role (:mod:`.other_principal`), passes a role to a service
(:mod:`.pass_role`), or uses an existing resource that runs with a role (:mod:`.existing_resource`).
:class:`EdgeFinder` dispatches to them and holds what they share: the account's facts (:mod:`.facts`), the engine's
answers (:class:`~.decisions.DecisionCache`) and the targets (:class:`~.targets.TargetIndex`).

Speed: the engine is asked only about the techniques' actions, and only when some Allow statement of the principal's
identity policies names the action at all (a per-policy index computed once per account); a role is a candidate for a
service only when its trust document names that service, and for ``sts:AssumeRole`` only when it names an AWS
principal. Lateral edges are kept only towards principals that matter: administrators, and principals that could
themselves start a technique.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import replace

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.escalation import existing_resource, group_join, other_principal, pass_role, self_escalation
from iamwarden.analysis.escalation.catalogue import RequiredAction, Technique, techniques
from iamwarden.analysis.escalation.decisions import MFA_CONTEXT, MFA_KEYS, DecisionCache
from iamwarden.analysis.escalation.edge import ActionGrant, Edge, node_key
from iamwarden.analysis.escalation.facts import account_facts
from iamwarden.analysis.escalation.targets import Kind, TargetIndex, any_member, attaches
from iamwarden.analysis.permissions import admin_for, principal_admin, probe_principal
from iamwarden.analysis.principals import PrincipalPolicies
from iamwarden.model import Group, Role, User
from iamwarden.policy import Policy

TARGETS_PER_TECHNIQUE = 3
"""The default number of targets kept per technique and principal (``None``: every target). A technique that makes
any target it reaches an administrator (attach a policy to a role, then assume it) is reported for the first three such
targets, in the snapshot's order: one proves the path, more would be noise. Likewise a technique keeps at most three
edges to principals that are not administrators (those that lead to one first). Edges to principals that already are
administrators are always kept."""

Required = list[tuple[RequiredAction, str, Mapping[str, str] | None]]
"""Required actions with the resource and extra context each is decided on."""


class EdgeFinder:
    """Finds the edges out of each principal (see the module docstring)."""

    def __init__(self, context: AnalysisContext, per_technique: int | None = TARGETS_PER_TECHNIQUE) -> None:
        account = self.account = context.account
        self.per_technique = per_technique if per_technique else None
        """At most this many targets per technique that are not needed (see :data:`TARGETS_PER_TECHNIQUE`)."""
        self.facts = account_facts(context)
        self.region = account.first_region
        self.decisions = DecisionCache(self.facts)
        self.targets = TargetIndex(self.facts, self.decisions, self.region)
        self._techniques = [(t, t.actions) for t in techniques()]
        self._applicable: dict[str, list[Technique]] = {}
        self._allowed: dict[tuple[str, str, Kind], frozenset[str]] = {}
        self._members: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._member_admin: dict[str, bool] = {}
        self._member_policies: dict[str, PrincipalPolicies] = {}
        self._group_candidates: dict[str, frozenset[str]] = {}
        self._group_admin: dict[str, bool] = {}

    # --- facts about principals --------------------------------------------------------------------------------

    def target_admin(self, arn: str) -> bool:
        """Holding this principal's credentials (no MFA) makes one an administrator."""
        return self.decisions.target_admin(arn)

    def start_admin(self, arn: str) -> bool:
        verdict = self.facts.admin.get(arn)
        return verdict is not None and verdict.admin

    def gaps(self, arn: str) -> tuple[str, ...]:
        return self.facts.policies[arn].gaps

    # --- users that joined groups on a path (:mod:`.group_join`) ---------------------------------------------------

    def group(self, arn: str) -> Group | None:
        found = self.account.principals_by_arn.get(arn)
        return found if isinstance(found, Group) else None

    def group_candidates(self, arn: str) -> frozenset[str]:
        """The technique actions some Allow statement of the group's policies names."""
        found = self._group_candidates.get(arn)
        if found is None:
            group = self.group(arn)
            policies = self.targets.group_policies(group) if group is not None else ()
            found = frozenset().union(*map(self.facts.candidates_of, policies))
            self._group_candidates[arn] = found
        return found

    def adds_technique(self, user: str, group: str) -> bool:
        """Joining the group lets the user start a technique its own policies do not name every action of."""
        extra = self.group_candidates(group) - self.facts.candidates[user]
        if not extra:
            return False
        have = self.facts.candidates[user] | extra
        mine = {t.id for t in self.applicable(user)}
        return any(
            t.id not in mine and extra.intersection(actions) and all(a in have for a in actions)
            for t, actions in self._techniques
        )

    def group_admin(self, arn: str) -> bool:
        """The group's policies alone make a member an administrator (without MFA; its boundary and SCPs aside)."""
        found = self._group_admin.get(arn)
        if found is None:
            group = self.group(arn)
            probe = probe_principal(self.account.account_id, self.account.partition)
            policies = self.targets.group_policies(group) if group is not None else ()
            found = self._group_admin[arn] = admin_for(probe, policies, region=self.region).without_mfa
        return found

    def member(self, user: User, groups: tuple[str, ...]) -> str:
        """The node of ``user`` after joining ``groups``, registered once (see :meth:`member_policies`)."""
        node = node_key(user.arn, groups)
        if node not in self._members:
            pp = self.member_policies(user.arn, groups)
            candidates = self.facts.candidates[user.arn].union(*(self.group_candidates(g) for g in groups))
            self.decisions.add_member(node, pp, candidates)
            self._members[node] = (user.arn, groups)
        return node

    def member_policies(self, user: str, groups: tuple[str, ...]) -> PrincipalPolicies:
        """The user's policies plus the groups' (its permissions boundary and SCPs unchanged)."""
        node = node_key(user, groups)
        found = self._member_policies.get(node)
        if found is None:
            base = self.facts.policies[user]
            names = {p.name for p in base.identity}
            extra: list[Policy] = []
            for arn in groups:
                group = self.group(arn)
                for policy in self.targets.group_policies(group) if group is not None else ():
                    if policy.name not in names:
                        names.add(policy.name)
                        extra.append(policy)
            found = self._member_policies[node] = replace(base, identity=(*base.identity, *extra), node=node)
        return found

    def member_groups(self, node: str) -> tuple[str, ...]:
        """The groups a member node's user joined on the path (none for a principal)."""
        found = self._members.get(node)
        return found[1] if found is not None else ()

    def members(self) -> list[str]:
        """Every member node registered so far."""
        return list(self._members)

    def member_admin(self, user: str, groups: tuple[str, ...]) -> bool:
        """The user, after joining ``groups``, is an administrator (without MFA): the engine decides with its
        policies (asked only when its boundary and SCPs would let it be one)."""
        node = node_key(user, groups)
        found = self._member_admin.get(node)
        if found is None:
            found = False
            if self.decisions.ceiling_admin(self.facts.policies[user]):
                found = principal_admin(self.member_policies(user, groups)).without_mfa
            self._member_admin[node] = found
        return found

    def node_admin(self, node: str) -> bool:
        """A member node is an administrator (:meth:`member_admin`)."""
        found = self._members.get(node)
        return found is not None and self.member_admin(*found)

    def service_may_assume(self, service: str, role: Role) -> bool:
        return self.decisions.service_may_assume(service, role, self.account.account_id)

    def mfa_only(self, arn: str) -> list[str]:
        """Actions of the techniques the principal could use (:meth:`applicable`) that its policies allow only with
        MFA: on a resource an Allow statement naming the action names, the engine refuses the action without MFA and
        allows it with MFA (an Allow under an MFA condition, or a Deny unless MFA, in any of the principal's
        policies, boundary and SCPs). Such actions are not counted in paths (the analysis assumes long-term
        credentials without MFA); the evidence says them. Also ``sts:AssumeRole`` when the trust policy of a role
        the analysis asked about requires MFA."""
        pp = self.facts.policies[arn]
        decisions = self.decisions
        out = sorted(decisions.trust_mfa.get(arn, ()))
        if not any(MFA_KEYS & decisions.policy_keys(policy) for policy in pp.every):
            return out
        usable = {a for t in self.applicable(arn) for a in t.actions}  # of techniques it names every action of
        for action in sorted(self.facts.candidates[arn] & usable):
            low = action.lower()
            resources: dict[str, None] = {}
            for policy in pp.identity:
                for st in policy.statements_for(low):
                    if st.effect == "Allow":
                        named = [r.raw for r in st.resources or () if r.kind != "template" and not st.not_resource]
                        resources[self.targets.concrete(named[0]) if named else "*"] = None
            for resource in resources:
                if (
                    not decisions.decide(pp, action, resource).allowed
                    and decisions.decide(pp, action, resource, MFA_CONTEXT).allowed
                ):
                    out.append(action)
                    break
        return sorted(set(out))

    def gains(self, source: str, target: str) -> tuple[str, str] | None:
        """A request the target's policies allow and the source's do not (the target grants something new), or
        ``None``. Probes: each Allow statement's first named action on its first resource (wildcards filled)."""
        return self.decisions.gains(source, target, self._probes(self.decisions.policies(target)))

    def _probes(self, pp: PrincipalPolicies) -> Iterator[tuple[str, str]]:
        for policy in pp.identity:
            for st in policy.statements:
                if st.effect != "Allow" or st.not_action:
                    continue
                resources = ["*"] if st.resources is None or st.not_resource else [p.raw for p in st.resources]
                action = next((p.raw for p in st.actions if "*" not in p.raw and "?" not in p.raw), None)
                resource = next((r for r in resources if "${" not in r), None)
                if action and resource:
                    yield action, self.targets.concrete(resource)

    # --- edges ---------------------------------------------------------------------------------------------------

    def edges_from(self, arn: str, lateral: Container[str] | None = None, only_lateral: bool = False) -> list[Edge]:
        """Edges out of ``arn``. Lateral takeovers of other users and roles (a technique that yields the target's own
        permissions) only towards ``lateral`` (all when ``None``); ``only_lateral``: just those. Techniques that make
        any target an administrator stop after :attr:`per_technique` targets. ``arn`` may be a member node
        (:meth:`member`): its edges say the groups its user joined."""
        pp = self.decisions.policies(arn)
        out: list[Edge] = []
        for technique in self.applicable(arn):
            if only_lateral and (technique.shape == "self" or technique.gains == "admin"):
                continue
            if technique.shape == "self":
                out += self_escalation.edges(self, technique, pp)
            elif technique.shape == "principal":
                out += other_principal.edges(self, technique, pp, lateral)
            elif technique.shape == "passrole":
                out += pass_role.edges(self, technique, pp, lateral, only_lateral)
            else:
                out += existing_resource.edges(self, technique, pp, lateral, only_lateral)
        if not only_lateral:
            out += group_join.edges(self, arn, pp)
        groups = self.member_groups(arn)
        return [replace(e, member_of=groups) for e in out] if groups else out

    def applicable(self, arn: str) -> list[Technique]:
        """The techniques whose every required action some Allow statement of the principal names (``sts:AssumeRole``
        also counts when a trust policy names the principal itself); computed once per principal."""
        found = self._applicable.get(arn)
        if found is None:
            have = self.decisions.candidates(arn)
            named = self.decisions.policies(arn).principal.arn in self.facts.named_in_trust
            found = []
            for technique, actions in self._techniques:
                needs = [a for a in actions if a not in have]
                if not needs or (named and needs == ["sts:AssumeRole"]):
                    found.append(technique)
            self._applicable[arn] = found
        return found

    def enough(self, made: int) -> bool:
        return self.per_technique is not None and made >= self.per_technique

    # --- required actions, shared by the shapes --------------------------------------------------------------------

    def all_grants(
        self, pp: PrincipalPolicies, required: Iterable[tuple[RequiredAction, str, Mapping[str, str] | None]]
    ) -> list[ActionGrant] | None:
        grants = []
        for req, resource, context in required:
            grant = self.decisions.grant(pp, req.action, resource, context)
            if grant is None:
                return None
            grants.append(grant)
        return grants

    def attach_context(self, pp: PrincipalPolicies, action: str, resource: str) -> dict[str, str] | None:
        """For ``iam:Attach*Policy``: the administrator policy ARN the engine allows attaching (``iam:PolicyARN``)."""
        decisions = self.decisions
        admin_policies = self.targets.admin_policy_arns()
        for policy_arn in admin_policies[:1]:
            if decisions.grant(pp, action, resource, {"iam:PolicyARN": policy_arn}):
                return {"iam:PolicyARN": policy_arn}
        if action not in self.decisions.candidates(self.decisions.node(pp)) or not any(
            "iam:policyarn" in decisions.policy_keys(policy) for policy in pp.identity
        ):
            return None  # only a condition on iam:PolicyARN could allow another administrator policy
        for policy_arn in admin_policies[1:]:
            if decisions.grant(pp, action, resource, {"iam:PolicyARN": policy_arn}):
                return {"iam:PolicyARN": policy_arn}
        return None

    def contexts(self, pp: PrincipalPolicies, technique: Technique, resource_for: Mapping[str, str]) -> Required | None:
        """The technique's required actions on their resources, with the context an attachment needs; ``None`` when
        no administrator policy may be attached."""
        out: Required = []
        for req in technique.required:
            resource = resource_for[req.on]
            context: Mapping[str, str] | None = None
            if attaches(req.action):
                context = self.attach_context(pp, req.action, resource)
                if context is None:
                    return None
            out.append((req, resource, context))
        return out

    def allowed(self, pp: PrincipalPolicies, action: str, kind: Kind) -> frozenset[str]:
        """The users, roles or customer-managed policies the principal may apply ``action`` to (no extra context):
        the engine decides one of each part of :meth:`TargetIndex.partition`."""
        node = self.decisions.node(pp)
        key = (node, action, kind)
        found = self._allowed.get(key)
        if found is None:
            allowed: set[str] = set()
            if action in self.decisions.candidates(node):
                parts = self.allowed_parts(pp, action, kind, self.targets.pool(kind))
                allowed = allowed.union(*(part for part, _ in parts))
            found = self._allowed[key] = frozenset(allowed)
        return found

    def allowed_parts(
        self, pp: PrincipalPolicies, action: str, kind: Kind, arns: Set[str], context: Mapping[str, str] | None = None
    ) -> Iterator[tuple[Set[str], ActionGrant]]:
        """The parts of ``arns`` (see :meth:`TargetIndex.partition`) the engine lets the principal apply ``action`` to,
        each with the grant decided for one of its members (for ``iam:Attach*Policy``, attaching an administrator
        policy)."""
        for part in self.targets.partition(pp, action, kind, arns):
            rep = any_member(part)
            ctx = context
            if attaches(action):
                ctx = self.attach_context(pp, action, rep)
                if ctx is None:
                    continue
            found = self.decisions.grant(pp, action, rep, ctx)
            if found is not None:
                yield part, found

    def service_grants(
        self, technique: Technique, pp: PrincipalPolicies, skip: Sequence[str], existing: str | None = None
    ) -> dict[str, ActionGrant] | None:
        """Grants for the actions on new resources (one name for all), ``*`` and the existing resource."""
        decisions, targets = self.decisions, self.targets
        out: dict[str, ActionGrant] = {}
        new = [r for r in technique.required if r.on == "new"]
        for req in technique.required:
            if req.on in skip or req.on == "new":
                continue
            resource = "*" if req.on == "any" else existing or targets.fill(req.arn or "*")
            grant = decisions.grant(pp, req.action, resource)
            if grant is None:
                return None
            out[req.action] = grant
        if new:
            for name in targets.new_names(pp, [r.arn or "" for r in new]):
                found = [decisions.grant(pp, r.action, targets.fill(r.arn or "", name)) for r in new]
                if all(found):
                    out.update({g.action: g for g in found if g})
                    break
            else:
                return None
        return out
