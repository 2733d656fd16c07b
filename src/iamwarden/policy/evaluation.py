"""Deciding a request: the AWS policy evaluation logic over every policy type.

Each policy type is evaluated on its own here (which statements apply, which allow, which deny), then the results are
combined by :func:`iamwarden.policy.combination.combine` — the one rule, which the analyses use too — as the IAM User
Guide's "Policy evaluation logic" pages describe:

1. **Explicit deny** — a ``Deny`` statement that applies in any policy (identity, resource, permissions boundary,
   session, SCP, RCP) decides: ``explicit_deny``.
2. **RCPs** — when the resource's account is in an organization (``rcps`` given), every level from the root to the
   account must have an ``Allow`` that applies. Not for service-linked roles, nor for resources of the management
   account.
3. **SCPs** — when the principal's account is in an organization (``scps`` given), every level must allow. Not for the
   management account (``management_account=True``), service-linked roles, or principals that are not IAM identities
   of the account (AWS service principals, web-identity or SAML callers).
4. **Identity and resource-based policies** —
   *same account*: an ``Allow`` in the identity policies (within the permissions boundary and session policy, when
   there are any) *or* in the resource-based policy suffices. A resource policy that names the principal itself (user
   ARN, session ARN, or ``*``) is not limited by a permissions boundary or session policy; one that names the role of
   a role session is; one that names the account defers to the identity policies.
   Role trust policies (``sts:AssumeRole*`` on a role) and KMS key policies are exceptions: they must allow
   themselves — naming the principal suffices alone, naming the account root needs the identity policies to allow too.
   *cross account*: both the identity side (within boundary and session policy) and the resource policy must allow.
5. Otherwise ``implicit_deny``, with the policy types that did not allow.

The AWS account root user is allowed by its own identity (no identity policy needed), within SCPs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from iamwarden.errors import InputError, Problem
from iamwarden.policy.aws_rules import RULE_ACTIONS, AwsRule, aws_rule
from iamwarden.policy.combination import Scope, combine, scope_of
from iamwarden.policy.decision import (
    ROOT_DETAIL,
    Decision,
    Found,
    Match,
    NotAllowed,
    PolicyError,
    ReasonFields,
)
from iamwarden.policy.language import ACTION_STATEMENTS, Policy
from iamwarden.policy.matching import MatchKind, PrincipalInfo, parse_principal
from iamwarden.policy.types import PolicyType
from iamwarden.policy.variables import ContextValue

_ARN_ACCOUNT = re.compile(r"^arn:[^:]*:[^:]*:[^:]*:(\d{12}):")


def context_text(value: Any) -> ContextValue:
    """A request context value as the engine compares it: JSON numbers and booleans become their JSON text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, list | tuple):
        return tuple(str(context_text(v)) for v in value)
    raise TypeError(f"a context value must be a string, number, boolean or list, not {type(value).__name__}")


@lru_cache(maxsize=1024)
def _principal_facts(principal: str) -> tuple[PrincipalInfo, tuple[tuple[str, str | None], ...]] | None:
    """The parsed principal and the context keys the engine adds for it, in order (``aws:ResourceAccount`` is left as
    ``None``: it depends on the request). Cached: a batch asks about the same few principals again and again, and
    :class:`PrincipalInfo` is immutable."""
    info = parse_principal(principal)
    if info is None:
        return None
    defaults: list[tuple[str, str | None]] = [
        ("aws:principalarn", info.principal_arn),
        ("aws:principalaccount", info.account),
        ("aws:principaltype", info.principal_type),
        (_RESOURCE_ACCOUNT_KEY, None),
        ("aws:principalisawsservice", "true" if info.kind == "service" else "false"),
    ]
    if info.kind == "user":
        defaults.append(("aws:username", principal.rsplit("/", 1)[-1]))
    if info.kind == "service":
        defaults.append(("aws:principalservicename", principal.lower()))
    return info, tuple(defaults)


_RESOURCE_ACCOUNT_KEY = "aws:resourceaccount"


@lru_cache(maxsize=4096)
def _arn_account(resource: str) -> str | None:
    m = _ARN_ACCOUNT.match(resource)
    return m.group(1) if m else None


@dataclass(frozen=True, slots=True)
class Request:
    """One request: who (``principal``), what (``action``), on what (``resource``), with which context.

    Derived once at construction: the principal's kind and account, the lower-cased action, the resource account, the
    :data:`~iamwarden.policy.combination.Scope` (which policy types must allow it), and the full context (keys
    lower-cased; the engine adds ``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:PrincipalType``,
    ``aws:username``, ``aws:ResourceAccount``, ``aws:PrincipalIsAWSService`` and, for a service principal,
    ``aws:PrincipalServiceName`` — unless the caller gave them).
    """

    principal: str
    action: str
    resource: str = "*"
    context: Mapping[str, Any] = field(default_factory=dict)
    resource_account: str | None = None
    info: PrincipalInfo = field(init=False, compare=False, repr=False)
    action_lower: str = field(init=False, compare=False, repr=False)
    account_of_resource: str | None = field(init=False, compare=False, repr=False)
    full_context: dict[str, ContextValue] = field(init=False, compare=False, repr=False)
    scope: Scope = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        facts = _principal_facts(self.principal)
        if facts is None:
            raise InputError(
                "request",
                Problem(
                    "$.request.principal",
                    f"{self.principal!r} is not a principal the engine knows (an IAM user, role, assumed-role session, "
                    "account root or federated-user ARN, or a service principal name)",
                ),
            )
        info, defaults = facts
        setter = object.__setattr__
        setter(self, "info", info)
        setter(self, "action_lower", self.action.lower())
        account = self.resource_account
        if account is None:
            account = _arn_account(self.resource)
            if account is None:
                account = info.account
        setter(self, "account_of_resource", account)
        setter(self, "scope", scope_of(info, self.action_lower, self.resource, account))
        ctx: dict[str, ContextValue] = {}
        for k, v in self.context.items():
            ctx[k.lower()] = v if type(v) is str else context_text(v)
        for key, value in defaults:
            if key is _RESOURCE_ACCOUNT_KEY:
                value = account
            if value is not None and key not in ctx:
                ctx[key] = value
        setter(self, "full_context", ctx)

    @property
    def service(self) -> str:
        return self.action_lower.partition(":")[0]


_KIND_RANK: dict[MatchKind, int] = {"direct": 0, "role": 1, "account": 2}
_NO_KEYS: frozenset[str] = frozenset()


def _aws_note(effect: Literal["Allow", "NotAllowed"], rule: AwsRule) -> ReasonFields:
    """The reason an AWS rule gives (:mod:`iamwarden.policy.aws_rules`): AWS itself decided, on the resource side."""
    return effect, "resource" if effect == "NotAllowed" else "identity", "AWS", None, f"{rule.detail} ({rule.source})"


def _scan(
    policies: Iterable[Policy],
    policy_type: PolicyType,
    request: Request,
    principal_aware: bool,
    has_boundary: bool,
    missing: set[str],
    allows: list[Match],
    denies: list[Match],
    errors: list[PolicyError],
) -> int:
    """Append the statements of ``policies`` that apply to ``request`` to ``allows`` / ``denies``; the number of
    allows added. Every condition of a statement is tested (not only up to the first false one) so that every
    context key a condition lacked is reported. A policy that could not be compiled, and a statement with unreadable
    condition values that the request reaches, add to ``errors``."""
    action = request.action_lower
    resource = request.resource
    ctx = request.full_context
    memo = ACTION_STATEMENTS
    table = memo.for_action(action)
    added = 0
    for policy in policies:
        if policy.problems:
            errors += (PolicyError(policy_type, policy.name, None, p.place, p.message) for p in policy.problems)
            continue
        index = policy.index
        statements = table.get(index)
        if statements is None:
            statements = memo.answer(table, index, action)
        if not statements:  # most policies have none: not even an iterator
            continue
        for st in statements:
            check = st.resource_check
            if check is not None and not check(resource, ctx, missing):
                continue
            kind: MatchKind = "direct"
            if principal_aware:
                spec = st.principal
                if spec is None:
                    continue
                if st.not_principal:
                    # a Deny with NotPrincipal always applies to a principal that has a permissions boundary (IAM User
                    # Guide, "Permissions boundaries for IAM entities")
                    if spec.excludes(request.info) and not (st.effect == "Deny" and has_boundary):
                        continue
                else:
                    found = spec.match(request.info)
                    if found is None:
                        continue
                    kind = found
            conditions = st.conditions
            if conditions:
                if st.problems:
                    errors += (PolicyError(policy_type, policy.name, st.label, p.place, p.message) for p in st.problems)
                ok = True
                for cond in conditions:
                    if not cond.test(ctx, missing):
                        ok = False
                if not ok:
                    continue
            if st.effect == "Allow":
                allows.append((policy_type, policy, st, kind))
                added += 1
            else:
                denies.append((policy_type, policy, st, kind))
    return added


def _as_tuple(value: Policy | Sequence[Policy] | None) -> tuple[Policy, ...]:
    if value is None:
        return ()
    if isinstance(value, Policy):
        return (value,)
    return tuple(value)


def evaluate(
    request: Request,
    *,
    identity_policies: Sequence[Policy] = (),
    resource_policy: Policy | None = None,
    permission_boundary: Policy | None = None,
    session_policy: Policy | Sequence[Policy] | None = None,
    scps: Sequence[Sequence[Policy]] = (),
    rcps: Sequence[Sequence[Policy]] = (),
    management_account: bool = False,
) -> Decision:
    """Decide ``request`` against pre-compiled policies (see the module docstring for the logic): which statements of
    each policy type apply is found here; how the policy types combine is :func:`~iamwarden.policy.combination.
    combine`'s (the rule the analyses use too).

    The decision is computed first; its ``reasons`` are written only when read (:mod:`iamwarden.policy.decision`)."""
    info = request.info
    action_lower = request.action_lower
    rule = aws_rule(action_lower, request.resource, info) if action_lower in RULE_ACTIONS else None
    if rule is not None and rule.decision == "allowed":  # needs no permission, whatever the policies say
        return Decision("allowed", explanation=Found(request.action, [], notes=[_aws_note("Allow", rule)]))
    missing: set[str] = set()
    sessions = () if session_policy is None else _as_tuple(session_policy)
    has_boundary = permission_boundary is not None
    scope = request.scope

    # every policy type is scanned, in this order (the order of the reasons), even after a Deny: the missing context
    # keys come from all of them
    allows: list[Match] = []
    denies: list[Match] = []
    errs: list[PolicyError] = []
    identity_allows = (
        _scan(identity_policies, "identity", request, False, has_boundary, missing, allows, denies, errs) > 0
    )
    rp_kind: MatchKind | None = None
    if resource_policy is not None:
        start = len(allows)
        _scan((resource_policy,), "resource", request, True, has_boundary, missing, allows, denies, errs)
        for i in range(start, len(allows)):
            kind = allows[i][3]
            if rp_kind is None or _KIND_RANK[kind] < _KIND_RANK[rp_kind]:
                rp_kind = kind
    boundary_allows = False
    if permission_boundary is not None:
        boundaries = (permission_boundary,)
        boundary_allows = (
            _scan(boundaries, "permission_boundary", request, False, has_boundary, missing, allows, denies, errs) > 0
        )
    session_allows = (
        bool(sessions) and _scan(sessions, "session", request, False, has_boundary, missing, allows, denies, errs) > 0
    )
    scp_gaps: list[int] = []
    if scps and info.is_iam_principal and not management_account and not info.service_linked:
        for i, level in enumerate(scps):
            if not _scan(level, "scp", request, False, has_boundary, missing, allows, denies, errs):
                scp_gaps.append(i)
    rcp_gaps: list[int] = []
    own_resource = info.account is not None and info.account == request.account_of_resource
    if rcps and not info.service_linked and not (management_account and own_resource):
        for i, level in enumerate(rcps):
            if not _scan(level, "rcp", request, True, has_boundary, missing, allows, denies, errs):
                rcp_gaps.append(i)

    frozen_missing = frozenset(missing) if missing else _NO_KEYS
    errors = tuple(dict.fromkeys(errs)) if errs else ()
    action = request.action
    root = info.kind == "root"
    identity_ok = identity_allows or root
    boundary_ok = root or permission_boundary is None or boundary_allows
    session_ok = root or not sessions or session_allows
    limits_ok = boundary_ok and session_ok
    allowed = combine(bool(denies), not (scp_gaps or rcp_gaps), identity_ok, limits_ok, rp_kind, scope)
    if denies:
        return Decision("explicit_deny", (), frozen_missing, errors, Found(action, denies))
    if allowed and rule is None:
        after: list[NotAllowed] = [("identity", (), ROOT_DETAIL)] if root and not identity_allows else []
        return Decision("allowed", (), frozen_missing, errors, Found(action, allows, None, after))

    # not allowed (or allowed by the policies but not by AWS): say which policy types did not allow
    before: list[NotAllowed] = []
    not_allowing: list[str] = []
    for i in rcp_gaps:
        not_allowing.append("rcp")
        before.append(("rcp", rcps[i], f"no RCP at organization level {i} allows {action}"))
    for i in scp_gaps:
        not_allowing.append("scp")
        before.append(("scp", scps[i], f"no SCP at organization level {i} allows {action}"))
    after = []
    if root and not identity_allows:
        after.append(("identity", (), ROOT_DETAIL))
    if not (allowed or combine(False, True, identity_ok, limits_ok, rp_kind, scope)):  # the policies do not allow
        if scope == "not_iam":
            not_allowing.append("resource")
            after.append(("resource", _as_tuple(resource_policy), "no resource policy statement allows"))
        else:
            if not identity_ok:
                not_allowing.append("identity")
                after.append(("identity", identity_policies, "no identity policy allows"))
            if not boundary_ok:
                not_allowing.append("permission_boundary")
                after.append(("permission_boundary", _as_tuple(permission_boundary), "the boundary does not allow"))
            if not session_ok:
                not_allowing.append("session")
                after.append(("session", sessions, "no session policy allows"))
            if rp_kind is None and scope != "same":
                not_allowing.append("resource")
                why = (
                    "the resource policy must allow this (trust policy or KMS key policy)"
                    if scope == "strict"
                    else "cross-account access needs the resource policy to allow"
                )
                after.append(("resource", _as_tuple(resource_policy), why))
        if not not_allowing:
            not_allowing.append("identity")
            after.append(("identity", identity_policies, "no policy combination allows"))
    notes: list[ReasonFields] | None = None
    if rule is not None and not not_allowing:  # the policies allow, but AWS does not let customers do this
        not_allowing.append("resource")
        notes = [_aws_note("NotAllowed", rule)]
    explanation = Found(action, allows, before, after, notes)
    return Decision("implicit_deny", tuple(dict.fromkeys(not_allowing)), frozen_missing, errors, explanation)
