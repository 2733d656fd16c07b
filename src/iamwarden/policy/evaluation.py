"""Deciding a request: the AWS policy evaluation logic over every policy type.

Each policy type is evaluated on its own (which statements apply, which allow, which deny), then the results are
combined as the IAM User Guide's "Policy evaluation logic" pages describe:

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
from typing import Any, Literal

from iamwarden.errors import InputError, Problem
from iamwarden.policy.language import Policy, Statement
from iamwarden.policy.matching import MatchKind, PrincipalInfo, parse_principal
from iamwarden.policy.variables import ContextValue

DecisionValue = Literal["allowed", "explicit_deny", "implicit_deny"]
PolicyType = Literal["identity", "resource", "permission_boundary", "session", "scp", "rcp"]

_ROLE_RESOURCE = re.compile(r"^arn:[a-z0-9-]+:iam::\d{12}:role/")
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


@dataclass(frozen=True, slots=True)
class Request:
    """One request: who (``principal``), what (``action``), on what (``resource``), with which context.

    Derived once at construction: the principal's kind and account, the lower-cased action, the resource account, and
    the full context (keys lower-cased; the engine adds ``aws:PrincipalArn``, ``aws:PrincipalAccount``,
    ``aws:PrincipalType``, ``aws:username``, ``aws:ResourceAccount``, ``aws:PrincipalIsAWSService`` and, for a
    service principal, ``aws:PrincipalServiceName`` — unless the caller gave them).
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

    def __post_init__(self) -> None:
        info = parse_principal(self.principal)
        if info is None:
            raise InputError(
                "request",
                Problem(
                    "$.request.principal",
                    f"{self.principal!r} is not a principal the engine knows (an IAM user, role, assumed-role session, "
                    "account root or federated-user ARN, or a service principal name)",
                ),
            )
        object.__setattr__(self, "info", info)
        object.__setattr__(self, "action_lower", self.action.lower())
        account = self.resource_account
        if account is None:
            m = _ARN_ACCOUNT.match(self.resource)
            account = m.group(1) if m else info.account
        object.__setattr__(self, "account_of_resource", account)
        ctx: dict[str, ContextValue] = {k.lower(): context_text(v) for k, v in self.context.items()}
        defaults: dict[str, ContextValue | None] = {
            "aws:principalarn": info.principal_arn,
            "aws:principalaccount": info.account,
            "aws:principaltype": info.principal_type,
            "aws:resourceaccount": account,
            "aws:principalisawsservice": "true" if info.kind == "service" else "false",
        }
        if info.kind == "user":
            defaults["aws:username"] = self.principal.rsplit("/", 1)[-1]
        if info.kind == "service":
            defaults["aws:principalservicename"] = self.principal.lower()
        for key, value in defaults.items():
            if value is not None and key not in ctx:
                ctx[key] = value
        object.__setattr__(self, "full_context", ctx)

    @property
    def service(self) -> str:
        return self.action_lower.partition(":")[0]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the decision came out as it did: one statement that allowed or denied, or a policy type that did not allow
    (``effect`` ``"NotAllowed"``, ``statement`` ``None``)."""

    effect: Literal["Allow", "Deny", "NotAllowed"]
    policy_type: PolicyType
    policy: str
    statement: str | None
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "effect": self.effect,
            "policy_type": self.policy_type,
            "policy": self.policy,
            "statement": self.statement,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer for one request, saying which policies produced it (Cedar's ``Response{decision, diagnostics}``)."""

    decision: DecisionValue
    reasons: tuple[Reason, ...] = ()
    not_allowing: tuple[str, ...] = ()
    missing_context_keys: frozenset[str] = frozenset()

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "allowed": self.allowed,
            "reasons": [r.to_json() for r in self.reasons],
            "not_allowing": list(self.not_allowing),
            "missing_context_keys": sorted(self.missing_context_keys),
        }


@dataclass(slots=True)
class _Match:
    policy: Policy
    statement: Statement
    kind: MatchKind


@dataclass(slots=True)
class _Scan:
    allows: list[_Match] = field(default_factory=list)
    denies: list[_Match] = field(default_factory=list)


_KIND_RANK: dict[MatchKind, int] = {"direct": 0, "role": 1, "account": 2}


def _statement_applies(
    st: Statement,
    request: Request,
    principal_aware: bool,
    has_boundary: bool,
    missing: set[str],
) -> MatchKind | None:
    """How the statement applies to the request (``None`` when it does not); action already matched."""
    ctx = request.full_context
    resources = st.resources
    if resources is not None:
        local: set[str] = set()
        hit = False
        for pattern in resources:
            if pattern.matches(request.resource, ctx, local):
                hit = True
                break
        if hit == st.not_resource:
            missing.update(local)
            return None
    kind: MatchKind = "direct"
    if principal_aware:
        spec = st.principal
        if spec is None:
            return None
        if st.not_principal:
            # a Deny with NotPrincipal always applies to a principal that has a permissions boundary (IAM User Guide,
            # "Permissions boundaries for IAM entities")
            if spec.excludes(request.info) and not (st.effect == "Deny" and has_boundary):
                return None
        else:
            found = spec.match(request.info)
            if found is None:
                return None
            kind = found
    if st.conditions:
        ok = True
        for cond in st.conditions:
            if not cond.test(ctx, missing):
                ok = False
        if not ok:
            return None
    return kind


def _scan(
    policies: Iterable[Policy], request: Request, principal_aware: bool, has_boundary: bool, missing: set[str]
) -> _Scan:
    result = _Scan()
    for policy in policies:
        for st in policy.statements_for(request.action_lower):
            kind = _statement_applies(st, request, principal_aware, has_boundary, missing)
            if kind is None:
                continue
            (result.allows if st.effect == "Allow" else result.denies).append(_Match(policy, st, kind))
    return result


def _reason(match: _Match, policy_type: PolicyType, request: Request) -> Reason:
    st = match.statement
    verb = "allows" if st.effect == "Allow" else "denies"
    how = {"direct": "", "role": " (names the role of the session)", "account": " (names the principal's account)"}
    detail = f"statement {st.label} of {match.policy.name} {verb} {request.action}{how[match.kind]}"
    return Reason(st.effect, policy_type, match.policy.name, st.label, detail)


def _not_allowed(policy_type: PolicyType, policies: Sequence[Policy], detail: str) -> Reason:
    names = ", ".join(p.name for p in policies) or "(none)"
    return Reason("NotAllowed", policy_type, names, None, detail)


def _as_tuple(value: Policy | Sequence[Policy] | None) -> tuple[Policy, ...]:
    if value is None:
        return ()
    if isinstance(value, Policy):
        return (value,)
    return tuple(value)


def is_strict_resource_policy(request: Request) -> bool:
    """A resource policy that must allow by itself: a role trust policy (``sts:`` actions on a role) or a KMS key
    policy."""
    service = request.service
    return service == "kms" or (service == "sts" and _ROLE_RESOURCE.match(request.resource) is not None)


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
    """Decide ``request`` against pre-compiled policies (see the module docstring for the logic)."""
    info = request.info
    missing: set[str] = set()
    sessions = _as_tuple(session_policy)
    has_boundary = permission_boundary is not None
    same_account = info.account is not None and info.account == request.account_of_resource

    scp_applies = bool(scps) and info.is_iam_principal and not management_account and not info.service_linked
    rcp_applies = bool(rcps) and not info.service_linked and not (management_account and same_account)

    identity = _scan(identity_policies, request, False, has_boundary, missing)
    resource = (
        _scan((resource_policy,), request, True, has_boundary, missing) if resource_policy is not None else _Scan()
    )
    boundary = (
        _scan((permission_boundary,), request, False, has_boundary, missing)
        if permission_boundary is not None
        else _Scan()
    )
    session = _scan(sessions, request, False, has_boundary, missing)
    scp_levels = [_scan(level, request, False, has_boundary, missing) for level in scps] if scp_applies else []
    rcp_levels = [_scan(level, request, True, has_boundary, missing) for level in rcps] if rcp_applies else []

    typed: list[tuple[PolicyType, _Scan]] = [
        ("identity", identity),
        ("resource", resource),
        ("permission_boundary", boundary),
        ("session", session),
    ]
    typed += [("scp", s) for s in scp_levels]
    typed += [("rcp", s) for s in rcp_levels]

    denies = [_reason(m, t, request) for t, s in typed for m in s.denies]
    frozen_missing = frozenset(missing)
    if denies:
        return Decision("explicit_deny", tuple(denies), (), frozen_missing)

    reasons: list[Reason] = []
    not_allowing: list[str] = []

    # Exempt principals (management account, service-linked roles) have no evaluated levels: nothing to zip.
    for i, (level_scan, level) in enumerate(zip(rcp_levels, rcps if rcp_applies else (), strict=True)):
        if not level_scan.allows:
            not_allowing.append("rcp")
            reasons.append(_not_allowed("rcp", level, f"no RCP at organization level {i} allows {request.action}"))
    for i, (level_scan, level) in enumerate(zip(scp_levels, scps if scp_applies else (), strict=True)):
        if not level_scan.allows:
            not_allowing.append("scp")
            reasons.append(_not_allowed("scp", level, f"no SCP at organization level {i} allows {request.action}"))

    root = info.kind == "root"
    identity_allows = bool(identity.allows) or root
    boundary_ok = root or permission_boundary is None or bool(boundary.allows)
    session_ok = root or not sessions or bool(session.allows)
    identity_chain = identity_allows and boundary_ok and session_ok
    rp_kind: MatchKind | None = None
    for m in resource.allows:
        if rp_kind is None or _KIND_RANK[m.kind] < _KIND_RANK[rp_kind]:
            rp_kind = m.kind

    if info.kind in ("service", "web_identity", "saml", "anonymous"):
        allowed = rp_kind is not None
    elif same_account:
        by_resource = rp_kind == "direct" or (rp_kind == "role" and boundary_ok and session_ok)
        if is_strict_resource_policy(request):
            allowed = by_resource or (rp_kind == "account" and identity_chain)
        else:
            allowed = identity_chain or by_resource
    else:
        allowed = rp_kind is not None and identity_chain

    for t, s in typed:
        reasons.extend(_reason(m, t, request) for m in s.allows)
    if root and not identity.allows:
        reasons.append(Reason("Allow", "identity", "account root user", None, "the account root user has full access"))

    if not allowed:
        if info.kind in ("service", "web_identity", "saml", "anonymous"):
            not_allowing.append("resource")
            reasons.append(_not_allowed("resource", _as_tuple(resource_policy), "no resource policy statement allows"))
        else:
            if not identity_allows:
                not_allowing.append("identity")
                reasons.append(_not_allowed("identity", identity_policies, "no identity policy allows"))
            if not boundary_ok:
                not_allowing.append("permission_boundary")
                reasons.append(
                    _not_allowed("permission_boundary", _as_tuple(permission_boundary), "the boundary does not allow")
                )
            if not session_ok:
                not_allowing.append("session")
                reasons.append(_not_allowed("session", sessions, "no session policy allows"))
            if rp_kind is None and (not same_account or is_strict_resource_policy(request)):
                not_allowing.append("resource")
                why = (
                    "the resource policy must allow this (trust policy or KMS key policy)"
                    if same_account
                    else "cross-account access needs the resource policy to allow"
                )
                reasons.append(_not_allowed("resource", _as_tuple(resource_policy), why))
    if not allowed and not not_allowing:
        not_allowing.append("identity")
        reasons.append(_not_allowed("identity", identity_policies, "no policy combination allows"))
    if not_allowing:
        return Decision("implicit_deny", tuple(reasons), tuple(dict.fromkeys(not_allowing)), frozen_missing)
    return Decision("allowed", tuple(reasons), (), frozen_missing)
