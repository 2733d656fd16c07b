"""The organization's cross-account graph: who may assume which role of another account, and the paths that end at
an administrator of an account other than the one they start in.

Built from the accounts' :class:`~.summary.AccountSummary` (added one at a time, :meth:`CrossAccountGraph.add`) and
their places in the organization (OU path, SCPs and RCPs at every level), then joined once
(:meth:`CrossAccountGraph.join`). Every edge is a decision of the engine (:func:`~iamwarden.policy.evaluate`) on
both sides of the request ``sts:AssumeRole`` on the role:

- the role's **trust policy** (the resource policy),
- the caller's **identity policies** and **permissions boundary** (:class:`~.summary.Caller`),
- the **SCPs** of the caller's account along its OU path (none for the management account),
- the **RCPs** of the role's account along its OU path (none for the management account's resources),

in a request context holding what the organization tells offline: ``aws:PrincipalOrgID``, ``aws:PrincipalOrgPaths``,
``aws:ResourceOrgID``, ``aws:ResourceOrgPaths``. A request the engine denies only for want of other keys
(``sts:ExternalId``, MFA, tags) is an edge ``conditional`` on them.

Two kinds of callers are asked about:

- ``assume``: a principal with its own policies;
- ``as_admin``: *any administrator* of the caller's account (node ``admin:<account id>``), which can act as, or give
  permissions to, the principal the trust policy names: asked with an allow-all identity policy, within the account's
  SCPs (:data:`iamwarden.analysis.trust.ALLOW_ALL`, :func:`~iamwarden.analysis.trust.probe_arn`).

The parts live beside this module: the results (:mod:`.hops`: edges, paths, external trusts), the accounts' places
and organization policies (:mod:`.places`), and which facts about the caller policies read (:mod:`.reads`).

Within an account, a principal that is an administrator, or has an escalation path to one (the account's escalation
graph), leads to its account's ``admin:`` node. A cross-account path starts at a principal (or an account's
administrators) and ends at the ``admin:`` node of another account, shortest first.

Trusts naming accounts outside the organization are :class:`ExternalTrust`: whether a principal of that account may
assume the role with no context (``open``), only with keys such as ``sts:ExternalId`` (``conditional``), or not at all
(the role's account RCPs may deny it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from iamwarden.analysis.cross_account.hops import (
    MAX_HOPS,
    CrossAccountPath,
    EdgeKind,
    ExternalTrust,
    Hop,
    admin_node,
    shortest_paths,
)
from iamwarden.analysis.cross_account.places import RCP, SCP, OrgPlaces
from iamwarden.analysis.cross_account.reads import KeyReads, Reads
from iamwarden.analysis.cross_account.summary import ASSUME_ROLE, AccountSummary, AdminReach, Caller
from iamwarden.analysis.trust import ALLOW_ALL, TrustedPrincipal, foreign_principals, probe_arn
from iamwarden.model import Organization
from iamwarden.policy import Decision, Policy, Request, evaluate, parse_policy
from iamwarden.policy.language import Statement
from iamwarden.policy.matching import ResourcePattern, parse_principal
from iamwarden.policy.query import allow_resource_patterns, matching_arns, statement_context_keys

Verdict = tuple[bool, tuple[str, ...], tuple[str, ...]] | None
"""What an edge keeps of a decision (:meth:`CrossAccountGraph._verdict`): allowed or conditional, the conditions,
the resource statements that allowed it; ``None``: no edge."""


@dataclass(slots=True)
class CrossAccountGraph:
    """The organization's cross-account edges and paths (see the module docstring)."""

    org: OrgPlaces = field(default_factory=OrgPlaces)
    """The accounts' places in the organization, its SCPs and RCPs."""
    summaries: dict[str, AccountSummary] = field(default_factory=dict)
    hops: dict[str, list[Hop]] = field(default_factory=dict)
    """Out-edges by node."""
    external: list[ExternalTrust] = field(default_factory=list)
    decisions: int = 0
    """How many requests the engine decided in :meth:`join`."""
    shortcuts: bool = True
    """Ask the engine only where its answer is not already known: once per group of callers that must get the same
    answer (:meth:`_decide_callers`), not about callers whose identity policies cannot allow the role
    (:meth:`_may_name`) nor, when the allow-all probe is denied for any principal alike, about any caller of the
    account (:meth:`_ask`). The tests compare the edges with and without."""
    _trusts: dict[tuple[bytes, str], Policy] = field(default_factory=dict)
    key_reads: KeyReads = field(default_factory=KeyReads)
    _assume_patterns: dict[tuple[str, tuple[int, ...]], tuple[ResourcePattern, ...] | None] = field(
        default_factory=dict
    )
    _last_policies: Mapping[str, Sequence[Policy]] = field(default_factory=dict)
    reused: int = 0
    """Requests whose answer was the engine's answer to a request alike in every fact it reads (:meth:`_ask`)."""
    skipped: int = 0
    """Callers not asked about because the engine's answer is known to be no (see :meth:`_ask`, :meth:`_may_name`)."""
    _seen: set[tuple[str, str, str]] = field(default_factory=set)
    _side_flags: dict[tuple[str, str], Reads] = field(default_factory=dict)
    _caller_flags: dict[tuple[str, tuple[int, ...], int | None], Reads] = field(default_factory=dict)
    _places: dict[str, tuple[object, ...] | None] = field(default_factory=dict)
    _paths: dict[str, list[CrossAccountPath]] = field(default_factory=dict)

    # --- building ------------------------------------------------------------------------------------------------

    def add(self, summary: AccountSummary, organization: Organization | None) -> None:
        """One account's summary and its place in the organization (its :class:`~iamwarden.model.Organization`)."""
        self.summaries[summary.account_id] = summary
        self.org.add(summary.account_id, organization)

    def add_account(self, account_id: str, organization: Organization | None) -> None:
        """An account of the organization whose snapshot is missing (a gap): trusts naming it stay in the
        organization, but nothing is known of its principals."""
        if account_id not in self.org.places and organization is not None:
            self.org.place(account_id, organization)

    def _trust(self, text: bytes, name: str) -> Policy:
        """A trust policy compiled under its own role's name (the edges cite it), whatever other role has the same
        text: roles of many accounts often do (``OrganizationAccountAccessRole``)."""
        found = self._trusts.get((text, name))
        if found is None:
            found = self._trusts[(text, name)] = parse_policy(orjson.loads(text), name=name, source=name)
        return found

    def levels(self, account_id: str, policy_type: str) -> tuple[tuple[Policy, ...], ...]:
        """The account's SCPs or RCPs (:meth:`~.places.OrgPlaces.levels`)."""
        return self.org.levels(account_id, policy_type)

    # --- the join ------------------------------------------------------------------------------------------------

    def join(self) -> None:
        """Decide every candidate request and build the edges (once, after every account was added). Accounts are
        taken in account id order, whatever the order they were added in (a bundle scan adds each as its worker
        finishes): the edges, paths and external trusts do not depend on it."""
        by_account = {a: self.summaries[a] for a in sorted(self.summaries)}
        self.hops = {}
        self.external = []
        self._seen = set()
        self._paths = {}
        for summary in by_account.values():
            for reach in summary.admins:
                self._add_hop(_admin_hop(reach, summary.account_id))
        for target in by_account.values():
            for role in target.trusts:
                trust = self._trust(target.documents[role.document], f"{role.arn} trust policy")
                for trusted in foreign_principals(trust, target.account_id):
                    self._ask(target, role.arn, trust, trusted)

    def _add_hop(self, hop: Hop) -> None:
        key = (hop.source, hop.target, hop.kind)
        if key in self._seen:  # a trust naming both a principal and its account asks about it twice
            return
        self._seen.add(key)
        self.hops.setdefault(hop.source, []).append(hop)

    def _ask(self, target: AccountSummary, role: str, trust: Policy, trusted: TrustedPrincipal) -> None:
        accounts: Iterable[str]
        alike: dict[tuple[object, ...], tuple[bool, Verdict]] | None = None
        if trusted.account is None:  # "*": every other account of the organization, and beyond
            accounts = [a for a in self.org.places if a != target.account_id]
            self._external(target, role, trust, trusted)
            if self.shortcuts and self._blind(target, trust):
                alike = {}
        elif trusted.account not in self.org.places:
            self._external(target, role, trust, trusted)
            return
        else:
            accounts = [trusted.account]
        for account in accounts:
            source = self.summaries.get(account)
            if source is None:
                continue  # a gap: nothing known of its principals
            place = self._place_key(source) if alike is not None else None
            probe_no = self._decide_admin(source, trusted, target, role, trust, alike, place)
            if self.shortcuts and probe_no and not self._trust_reads_principal(source, target, trust):
                # the most an identity can allow (allow-all, no boundary) is denied, for any principal alike: so is
                # every caller's request (its own policies and boundary only take away)
                self.skipped += len(source.callers)
                continue
            if trusted.kind == "principal":
                for caller in source.callers:
                    if caller.arn == trusted.value and (not self.shortcuts or self._may_name(source, caller, role)):
                        self._decide_caller(source, caller, target, role, trust)
            else:
                self._decide_callers(source, target, role, trust, alike, place)

    def _blind(self, target: AccountSummary, trust: Policy) -> bool:
        """Whether the trust policy and the role account's RCPs decide alike for callers of any account: every
        statement's ``Principal`` is ``*`` (no ``NotPrincipal``) and none reads a key derived from the caller's ARN
        (:data:`~.reads.ACCOUNT_SENSITIVE_KEYS`, ``aws:PrincipalTag/...``)."""
        if any(st.not_principal or (st.principal is not None and not st.principal.wildcard) for st in trust.statements):
            return False
        return not (self.key_reads.reads((trust,))[2] or self._side_reads(target.account_id, RCP)[2])

    @staticmethod
    def _flat(levels: tuple[tuple[Policy, ...], ...]) -> list[Policy]:
        return [p for level in levels for p in level]

    def _place_key(self, source: AccountSummary) -> tuple[object, ...] | None:
        """Every fact of the caller's account a request of a :meth:`_blind` trust reads: the caller's SCPs (the
        compiled policies, level by level), whether it is the management account, its partition and its side of the
        request context (in the organization, its OU path); ``None`` when its SCPs read a key derived from the
        caller's ARN. Once per account."""
        if source.account_id in self._places:
            return self._places[source.account_id]
        scps = self.levels(source.account_id, SCP)
        found: tuple[object, ...] | None = None
        if not self._side_reads(source.account_id, SCP)[2]:
            place = self.org.places.get(source.account_id)
            levels = tuple(tuple(p.index for p in level) for level in scps)
            side = (place is not None, self.org.org_path(source.account_id))
            found = (levels, place is not None and place.management, source.partition, side)
        self._places[source.account_id] = found
        return found

    def _decide_callers(
        self,
        source: AccountSummary,
        target: AccountSummary,
        role: str,
        trust: Policy,
        alike: dict[tuple[object, ...], tuple[bool, Verdict]] | None = None,
        place: tuple[object, ...] | None = None,
    ) -> None:
        """Every caller of ``source`` (the trust names its account or everyone). Callers of one kind (user, role,
        service-linked role) with the same policies get the same decision unless a policy taking part reads who the
        principal is (``aws:PrincipalArn``, ``aws:username``, ``aws:userid``, as a condition key or a policy
        variable): the engine is asked once per such group (:attr:`shortcuts`). With ``alike`` (a :meth:`_blind`
        trust) and ``place`` (:meth:`_place_key`), once per group with the same policy texts and place in any
        account, when those policies read no key derived from the caller's ARN either."""
        groups: dict[tuple[str, tuple[int, ...], int | None], list[Caller]] = {}
        for caller in source.callers:
            groups.setdefault((_caller_kind(caller.arn), caller.identity, caller.boundary), []).append(caller)
        for (kind, _, _), members in groups.items():
            first = members[0]
            if self.shortcuts and not self._may_name(source, first, role):
                self.skipped += len(members)
                continue
            if self.shortcuts and self._reads_principal(source, first, target, trust):
                for caller in members:
                    self._decide_caller(source, caller, target, role, trust)
                continue
            key = self._group_key(source, first, kind, place) if alike is not None and place is not None else None
            known = alike.get(key) if alike is not None and key is not None else None
            if known is not None:
                verdict = known[1]
                self.reused += len(members)
                rest = members
            else:
                decision = self._decide_caller(source, first, target, role, trust)
                verdict = self._verdict(decision, role)
                if alike is not None and key is not None:
                    alike[key] = (False, verdict)
                rest = members[1:]
                if not self.shortcuts:
                    for caller in rest:
                        self._decide_caller(source, caller, target, role, trust)
                    continue
            for caller in rest:
                self._add_verdict(caller.arn, "assume", source.account_id, target.account_id, role, verdict)

    def _group_key(
        self, source: AccountSummary, caller: Caller, kind: str, place: tuple[object, ...]
    ) -> tuple[object, ...] | None:
        """The caller's kind, policy texts and ``place``; ``None`` when its policies read a key derived from its
        ARN (then its answer stands for its own account's group only)."""
        if self._caller_reads(source, caller)[2]:
            return None
        texts = tuple(source.documents[i] for i in caller.identity)
        bound = source.documents[caller.boundary] if caller.boundary is not None else None
        return ("caller", kind, texts, bound, place)

    def _reads_principal(self, source: AccountSummary, caller: Caller, target: AccountSummary, trust: Policy) -> bool:
        return (
            self._caller_reads(source, caller)[0]
            or self.key_reads.reads((trust,))[0]
            or self._side_reads(source.account_id, SCP)[0]
            or self._side_reads(target.account_id, RCP)[0]
        )

    def _caller_reads(self, source: AccountSummary, caller: Caller) -> Reads:
        """:meth:`~.reads.KeyReads.reads` of the caller's identity policies and boundary, once per group of callers."""
        key = (source.account_id, caller.identity, caller.boundary)
        found = self._caller_flags.get(key)
        if found is None:
            identity, boundary = self._caller_policies(source, caller)
            found = self._caller_flags[key] = self.key_reads.reads((*identity, *([boundary] if boundary else [])))
        return found

    def _trust_reads_principal(self, source: AccountSummary, target: AccountSummary, trust: Policy) -> bool:
        """Whether the resource side or the caller's SCPs tell principals of one account apart (then an allow-all
        probe's answer does not stand for every caller)."""
        return (
            self.key_reads.reads((trust,))[1]
            or self._side_reads(source.account_id, SCP)[1]
            or self._side_reads(target.account_id, RCP)[1]
        )

    def _side_reads(self, account_id: str, policy_type: str) -> Reads:
        """:meth:`~.reads.KeyReads.reads` of the account's SCPs or RCPs, once per account."""
        key = (account_id, policy_type)
        found = self._side_flags.get(key)
        if found is None:
            found = self._side_flags[key] = self.key_reads.reads(self._flat(self.levels(account_id, policy_type)))
        return found

    def _may_name(self, source: AccountSummary, caller: Caller, role: str) -> bool:
        """Whether an ``Allow`` of the caller's identity policies covering ``sts:AssumeRole`` could apply to
        ``role``: its ``Resource`` patterns, as the engine's query API matches them (a superset for patterns with
        policy variables). A caller none could apply to is denied by the engine (cross-account requests need the
        identity side to allow), so it is not asked."""
        key = (source.account_id, caller.identity)
        patterns = self._assume_patterns.get(key)
        if key not in self._assume_patterns:
            identity, _ = self._caller_policies(source, caller)
            found: list[ResourcePattern] = []
            for policy in identity:
                these = allow_resource_patterns(policy, ASSUME_ROLE)
                if these is None:
                    found = []
                    patterns = None
                    break
                found += these
            else:
                patterns = tuple(found)
            self._assume_patterns[key] = patterns
        if patterns is None:
            return True
        return bool(matching_arns(patterns, [role], {role}))

    def _conditional(self, d: Decision, role: str) -> bool:
        """An implicit deny that the missing context keys could turn into an allow: every policy type that did not
        allow has an ``Allow`` statement covering ``sts:AssumeRole`` whose ``Resource`` could apply to ``role`` and
        which reads one of those keys (its conditions or policy variables, :func:`~iamwarden.policy.query.
        statement_context_keys`). The policies are those of the last request decided (:meth:`_decide`)."""
        if d.decision != "implicit_deny" or not d.missing_context_keys:
            return False
        missing = frozenset(k.lower() for k in d.missing_context_keys)
        return all(
            any(
                self._may_turn(st, missing, role)
                for p in self._last_policies.get(kind, ())
                for st in p.statements_for(ASSUME_ROLE)
            )
            for kind in d.not_allowing
        )

    def _may_turn(self, st: Statement, missing: frozenset[str], role: str) -> bool:
        if st.effect != "Allow" or not statement_context_keys(st) & missing:
            return False
        return st.resources is None or st.not_resource or bool(matching_arns(st.resources, [role], {role}))

    def _decide(
        self,
        caller_arn: str,
        caller_account: str,
        identity: tuple[Policy, ...],
        boundary: Policy | None,
        target_account: str,
        role: str,
        trust: Policy,
    ) -> Decision:
        self.decisions += 1
        caller_place = self.org.places.get(caller_account)
        target_place = self.org.places.get(target_account)
        scps = self.levels(caller_account, SCP)
        rcps = () if target_place is None or target_place.management else self.levels(target_account, RCP)
        self._last_policies = {
            "identity": identity,
            "permission_boundary": (boundary,) if boundary is not None else (),
            "resource": (trust,),
            "scp": [p for level in scps for p in level],
            "rcp": [p for level in rcps for p in level],
        }
        return evaluate(
            Request(caller_arn, "sts:AssumeRole", role, self.org.context(caller_account, target_account)),
            identity_policies=identity,
            permission_boundary=boundary,
            resource_policy=trust,
            scps=scps,
            rcps=rcps,
            management_account=caller_place is not None and caller_place.management,
        )

    def _caller_policies(self, source: AccountSummary, caller: Caller) -> tuple[tuple[Policy, ...], Policy | None]:
        identity = tuple(self.org.policy(source.documents[i], f"{caller.arn} policy") for i in caller.identity)
        boundary = (
            self.org.policy(source.documents[caller.boundary], f"{caller.arn} boundary")
            if caller.boundary is not None
            else None
        )
        return identity, boundary

    def _decide_caller(
        self, source: AccountSummary, caller: Caller, target: AccountSummary, role: str, trust: Policy
    ) -> Decision:
        identity, boundary = self._caller_policies(source, caller)
        decision = self._decide(caller.arn, source.account_id, identity, boundary, target.account_id, role, trust)
        self._edge(caller.arn, "assume", source.account_id, target.account_id, role, decision)
        return decision

    def _decide_admin(
        self,
        source: AccountSummary,
        trusted: TrustedPrincipal,
        target: AccountSummary,
        role: str,
        trust: Policy,
        alike: dict[tuple[object, ...], tuple[bool, Verdict]] | None = None,
        place: tuple[object, ...] | None = None,
    ) -> bool:
        """Ask about the account's administrators (the allow-all probe) and add their edge; whether the answer is a
        plain no (nothing the missing context keys could turn). With ``alike`` and ``place``, once per place."""
        node = admin_node(source.account_id)
        key = ("probe", place) if alike is not None and place is not None else None
        known = alike.get(key) if alike is not None and key is not None else None
        if known is not None:
            self.reused += 1
            self._add_verdict(node, "as_admin", source.account_id, target.account_id, role, known[1])
            return known[0]
        if trusted.kind == "everyone":
            trusted = TrustedPrincipal(source.account_id, "account", source.account_id)
        caller = probe_arn(trusted, target.account_id, source.partition)
        decision = self._decide(caller, source.account_id, (ALLOW_ALL,), None, target.account_id, role, trust)
        verdict = self._verdict(decision, role)
        no = not decision.allowed and not self._conditional(decision, role)
        if alike is not None and key is not None:
            alike[key] = (no, verdict)
        self._add_verdict(node, "as_admin", source.account_id, target.account_id, role, verdict)
        return no

    def _edge(
        self, source: str, kind: EdgeKind, source_account: str, target_account: str, role: str, d: Decision
    ) -> None:
        self._add_verdict(source, kind, source_account, target_account, role, self._verdict(d, role))

    def _verdict(self, d: Decision, role: str) -> Verdict:
        """What an edge keeps of the engine's decision ``d`` (of the last request decided: :meth:`_conditional`)."""
        if d.errors:
            return None
        if not d.allowed and not self._conditional(d, role):
            return None
        conditions = () if d.allowed else tuple(sorted(d.missing_context_keys))
        because = tuple(
            dict.fromkeys(
                f"{r.policy} statement {r.statement}"
                for r in d.reasons
                if r.effect == "Allow" and r.policy_type == "resource" and r.statement
            )
        )
        return (d.allowed, conditions, because)

    def _add_verdict(
        self, source: str, kind: EdgeKind, source_account: str, target_account: str, role: str, verdict: Verdict
    ) -> None:
        if verdict is not None:
            self._add_hop(Hop(source, role, kind, source_account, target_account, verdict[1], verdict[2]))

    def _external(self, target: AccountSummary, role: str, trust: Policy, trusted: TrustedPrincipal) -> None:
        caller = probe_arn(trusted, target.account_id, target.partition)
        place = self.org.places.get(target.account_id)
        decision = evaluate(
            Request(caller, "sts:AssumeRole", role, self.org.context("", target.account_id)),
            identity_policies=(ALLOW_ALL,),
            resource_policy=trust,
            rcps=() if place is None or place.management else self.levels(target.account_id, RCP),
        )
        self.decisions += 1
        verdict: Literal["open", "conditional", "denied"] = (
            "open"
            if decision.allowed
            else "conditional"
            if decision.missing_context_keys and decision.decision != "explicit_deny"
            else "denied"
        )
        gated = tuple(sorted(decision.missing_context_keys)) if verdict == "conditional" else ()
        self.external.append(ExternalTrust(role, target.account_id, trusted.value, trusted.account, verdict, gated))

    # --- paths ---------------------------------------------------------------------------------------------------

    def edges(self) -> Iterator[Hop]:
        """Every cross-account edge."""
        for hops in self.hops.values():
            yield from (h for h in hops if h.cross_account)

    def sources(self) -> list[str]:
        """Where cross-account paths start: principals with a cross-account edge of their own, and the
        administrators of each account that has one."""
        return sorted({h.source for h in self.edges()})

    def paths_from(self, source: str, max_hops: int = MAX_HOPS) -> list[CrossAccountPath]:
        """The shortest path from ``source`` to the administrators of each other account it reaches first: a path
        ends at the first administrators of another account it meets (what those can reach is their own path)."""
        key = f"{max_hops}\n{source}"
        found_paths = self._paths.get(key)
        if found_paths is not None:
            return found_paths
        result = self._paths[key] = shortest_paths(self.hops, source, max_hops)
        return result

    def paths(self) -> list[CrossAccountPath]:
        """Every source's paths (:meth:`sources`, :meth:`paths_from`), shortest first."""
        out = [p for s in self.sources() for p in self.paths_from(s)]
        return sorted(out, key=lambda p: (len(p.hops), p.source_account, p.source, p.target_account))

    def admin_reach(self, account_id: str) -> list[AdminReach]:
        """The principals that are, or can become, administrators of the account."""
        summary = self.summaries.get(account_id)
        return list(summary.admins) if summary else []

    def to_json(self) -> dict[str, Any]:
        return {
            "organization": self.org.org_id,
            "accounts": len(self.org.places),
            "decisions": self.decisions,
            "edges": [h.to_json() for h in sorted(self.edges(), key=lambda h: (h.source, h.target))],
            "paths": [p.to_json() for p in self.paths()],
            "external_trusts": [e.to_json() for e in self.external],
        }


def _caller_kind(arn: str) -> str:
    """``user``, ``role`` or ``service-linked`` (the engine applies no SCP to a service-linked role)."""
    info = parse_principal(arn)
    if info is not None and info.service_linked:
        return "service-linked"
    return "user" if ":user/" in arn else "role"


def _admin_hop(reach: AdminReach, account_id: str) -> Hop:
    if reach.admin:
        return Hop(reach.arn, admin_node(account_id), "admin", account_id, account_id)
    return Hop(reach.arn, admin_node(account_id), "escalate", account_id, account_id, (), reach.techniques)


def org_places(organizations: Mapping[str, Organization]) -> dict[str, tuple[str, ...]]:
    """Each account's path in the organization (for reports)."""
    return {account: org.path for account, org in organizations.items()}
