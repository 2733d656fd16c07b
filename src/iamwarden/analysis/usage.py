"""Unused access: which granted services and actions a principal has not used for N days, and what it did use.

Two sources of use, either or both:

- **service-last-accessed** (``User.service_last_accessed`` / ``Role.service_last_accessed``, collected per
  principal): a service counts as used when it was last authenticated within the window. It says nothing of actions.
- **CloudTrail** (:func:`iamwarden.collect.cloudtrail.read_calls`): an API call maps to the IAM action
  ``<service prefix>:<eventName>`` (``iam.amazonaws.com`` + ``CreateUser`` -> ``iam:CreateUser``), validated against
  the catalogue; calls that do not name a catalogue action are listed in :attr:`PrincipalUsage.unmapped`. A refused call
  (AccessDenied) is no use.

What is granted comes from the principal's effective permissions (:mod:`iamwarden.analysis.effective`: identity
policies, groups, boundary, SCPs, denies); an action allowed only under a condition counts as granted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.effective import ActionIndex, Principal, action_index, effective_access
from iamwarden.collect.cloudtrail import ObservedCall
from iamwarden.model import Account, Role

EVENT_SOURCE_PREFIXES: Mapping[str, str] = {
    "monitoring": "cloudwatch",
    "email": "ses",
    "s3-control": "s3",
    "elasticfilesystem": "elasticfilesystem",
    "runtime.sagemaker": "sagemaker",
    "api.ecr": "ecr",
    "sso-directory": "sso-directory",
}
"""CloudTrail ``eventSource`` hosts whose IAM service prefix differs from the host's first label."""

_API_VERSION = re.compile(r"\d{8}(v\d+)?$")
"""Lambda and CloudFront event names carry the API version (``ListFunctions20150331``)."""


@dataclass(frozen=True, slots=True)
class ActionUse:
    """One granted action the principal was seen using (CloudTrail)."""

    action: str
    last_seen: datetime
    count: int
    resources: tuple[str, ...]
    """Resource ARNs named by the calls; empty: some call named none (``*``)."""


@dataclass(frozen=True, slots=True)
class PrincipalUsage:
    """Granted against used, for one user or role, within ``days`` before ``as_of``."""

    arn: str
    days: int
    as_of: datetime
    granted_services: tuple[str, ...]
    granted_actions: int
    """Bitset of the granted catalogue actions (ids of :func:`iamwarden.analysis.effective.action_index`)."""
    service_data: bool
    """Service-last-accessed data was collected for this principal."""
    cloudtrail: bool
    """CloudTrail logs were given."""
    used_services: Mapping[str, datetime]
    """Granted services used within the window (either source), with the last time."""
    used_actions: tuple[ActionUse, ...]
    """Granted actions seen in CloudTrail within the window."""
    unmapped: tuple[str, ...]
    """``eventSource:eventName`` calls of this principal that name no catalogue action."""
    not_granted: tuple[str, ...]
    """Actions used successfully that the identity side does not grant (a resource policy may allow them)."""

    @property
    def unused_services(self) -> tuple[str, ...]:
        return tuple(s for s in self.granted_services if s not in self.used_services)

    @property
    def known(self) -> bool:
        """Some source of use exists; without one nothing can be called unused."""
        return self.service_data or self.cloudtrail

    def unused_actions(self, index: ActionIndex | None = None) -> list[str]:
        """Granted actions not used: with CloudTrail, every granted action not seen; with service data only, the
        actions of the unused services."""
        index = index or action_index()
        unused = self.granted_actions
        if self.cloudtrail:
            for use in self.used_actions:
                action_id = index.id(use.action)
                if action_id is not None:
                    unused &= ~(1 << action_id)
            # a service known used only from service-last-accessed keeps its actions: no action-level evidence
            for service in self.used_services:
                if self.service_data and not any(u.action.split(":")[0] == service for u in self.used_actions):
                    unused &= ~index.service_bits(service)
        else:
            for service in self.used_services:
                unused &= ~index.service_bits(service)
        return index.names_of(unused)


def action_of(event_source: str, event_name: str, index: ActionIndex | None = None) -> str | None:
    """The catalogue action a CloudTrail call names, or ``None``.

    >>> action_of("iam.amazonaws.com", "CreateUser")
    'iam:CreateUser'
    >>> action_of("lambda.amazonaws.com", "ListFunctions20150331")
    'lambda:ListFunctions'
    >>> action_of("example.amazonaws.com", "Nothing") is None
    True
    """
    index = index or action_index()
    host = event_source.lower().removesuffix(".amazonaws.com")
    prefix = EVENT_SOURCE_PREFIXES.get(host, host.split(".")[0])
    for name in (event_name, _API_VERSION.sub("", event_name)):
        action_id = index.id(f"{prefix}:{name}")
        if action_id is not None:
            return index.names[action_id]
    return None


def event_of(action: str) -> tuple[str, str]:
    """The CloudTrail ``eventSource`` of an IAM action and a regular expression its ``eventName`` matches (the inverse
    of :func:`action_of`; Lambda's and CloudFront's event names carry the API version).

    >>> event_of("iam:CreatePolicyVersion")
    ('iam.amazonaws.com', '^CreatePolicyVersion$')
    >>> event_of("lambda:CreateFunction")
    ('lambda.amazonaws.com', '^CreateFunction(\\d{8}(v\\d+)?)?$')
    """
    prefix, name = action.split(":", 1)
    hosts = {v: k for k, v in EVENT_SOURCE_PREFIXES.items()}
    return f"{hosts.get(prefix, prefix)}.amazonaws.com", f"^{re.escape(name)}(\\d{{8}}(v\\d+)?)?$" if prefix in (
        "lambda",
        "cloudfront",
    ) else f"^{re.escape(name)}$"


_VAR = re.compile(r"\$\{([A-Za-z0-9]+)\}")
ARN_SUFFIXES: Mapping[str, str] = {"secretsmanager": "-??????"}
"""Services whose resource ARNs end in a random suffix a name does not tell (a secret's six characters)."""
_PATH_TYPES = {"user": "users", "role": "roles", "group": "groups"}


def call_resources(
    call: ObservedCall, action: str, account: Account, index: ActionIndex | None = None
) -> tuple[str, ...]:
    """The resource ARNs of ``call``: those the events named, plus those built from the catalogue's ARN formats and
    the request parameters of the calls that named none; empty (``*``) when some call cannot be pinned down."""
    if call.unnamed_overflow or (not call.resources and not call.unnamed):
        return ()
    found = set(call.resources)
    for parameters in call.unnamed:
        arn = arn_from_parameters(action, dict(parameters), account, index)
        if arn is None:
            return ()
        found.add(arn)
    return tuple(sorted(found))


def arn_from_parameters(
    action: str, parameters: Mapping[str, str], account: Account | None = None, index: ActionIndex | None = None
) -> str | None:
    """The one ARN the catalogue's formats for ``action`` give from a call's request parameters (``@partition``,
    ``@region``, ``@account`` and the call's string parameters matched by name), or ``None`` when none or several do.
    IAM names are looked up in ``account`` for their path.

    >>> arn_from_parameters("iam:CreateUser", {"@partition": "aws", "@account": "111122223333", "userName": "bob"})
    'arn:aws:iam::111122223333:user/bob'
    >>> arn_from_parameters("ec2:DescribeInstances", {"@partition": "aws"}) is None
    True
    """
    index = index or action_index()
    cat = index.catalogue
    found = cat.action(action)
    if found is None:
        return None
    lowered = {k.lower(): v for k, v in parameters.items()}
    built = {arn for fmt in cat.arn_formats(found) if (arn := _fill(fmt, lowered, account)) is not None}
    return built.pop() if len(built) == 1 else None


def _fill(fmt: str, parameters: Mapping[str, str], account: Account | None) -> str | None:
    service = fmt.split(":", 3)[2] if fmt.count(":") >= 3 else ""
    out = fmt
    for match in _VAR.finditer(fmt):
        var = match.group(1).lower()
        if var in ("partition", "region", "account"):
            value = parameters.get(f"@{var}")
        else:
            key = var.removesuffix("withpath")
            value = parameters.get(key)
            if value is None or not value or any(c in value for c in "*?$"):
                return None
            if var.endswith("withpath"):
                value = _with_path(key.removesuffix("name"), value, parameters, account)
            elif "/" in value and var != "objectname":
                return None
            elif service in ARN_SUFFIXES and not value.startswith("arn:"):
                value += ARN_SUFFIXES[service]
        if value is None:
            return None
        out = out.replace(match.group(0), value)
    return out


def _with_path(kind: str, name: str, parameters: Mapping[str, str], account: Account | None) -> str | None:
    """``path/name`` of an IAM user, role or group: its path in the account, else the call's ``path`` or ``/``."""
    if "/" in name:
        return None
    attr = _PATH_TYPES.get(kind)
    if account is not None and attr is not None:
        for entity in getattr(account, attr):
            if entity.name == name:
                return f"{entity.path.lstrip('/')}{name}"
    path = parameters.get("path", "/")
    return f"{path.lstrip('/')}{name}" if path.startswith("/") and path.endswith("/") else None


def _role_key(arn: str) -> str:
    """Roles matched on account and name: an assumed-role session ARN does not carry the role's path."""
    head, _, rest = arn.partition(":role/")
    return f"{head}:role/{rest.rsplit('/', 1)[-1]}" if rest else arn


def calls_of(principal: Principal, calls: Iterable[ObservedCall]) -> list[ObservedCall]:
    """The calls made by ``principal`` (a role's sessions included)."""
    key = _role_key(principal.arn) if isinstance(principal, Role) else principal.arn
    return [c for c in calls if (_role_key(c.principal_arn) if ":role/" in c.principal_arn else c.principal_arn) == key]


def principal_usage(
    context: AnalysisContext,
    principal: Principal,
    *,
    days: int,
    calls: Iterable[ObservedCall] | None = None,
    as_of: datetime | None = None,
) -> PrincipalUsage:
    """Granted against used for ``principal`` within ``days`` before ``as_of`` (default: when the account was
    collected). ``calls``: what CloudTrail showed (``None``: no logs given)."""
    account = context.account
    index = action_index()
    as_of = as_of or account.collected_at
    since = as_of - timedelta(days=days)
    granted = effective_access(context, principal).candidates
    granted_services = tuple(
        prefix
        for prefix, (start, end) in index.service_ranges.items()
        if end > start and (granted >> start) & ((1 << (end - start)) - 1)
    )
    used_services: dict[str, datetime] = {}
    details = principal.service_last_accessed
    for entry in details or ():
        seen = entry.last_authenticated
        if seen is not None and seen >= since and entry.service_namespace in granted_services:
            used_services[entry.service_namespace] = seen
    uses: dict[str, ActionUse] = {}
    unmapped: set[str] = set()
    not_granted: set[str] = set()
    for call in calls_of(principal, calls or ()):
        if call.denied or call.last_seen < since:
            continue
        action = action_of(call.event_source, call.event_name, index)
        if action is None:
            unmapped.add(f"{call.event_source}:{call.event_name}")
            continue
        action_id = index.id(action)
        if action_id is None or not granted >> action_id & 1:
            not_granted.add(action)
            continue
        resources = call_resources(call, action, account, index)
        before = uses.get(action)
        if before is None:
            uses[action] = ActionUse(action, call.last_seen, call.count, resources)
        else:
            resources = () if not before.resources or not resources else before.resources + resources
            uses[action] = ActionUse(
                action,
                max(before.last_seen, call.last_seen),
                before.count + call.count,
                tuple(sorted(set(resources))),
            )
        service = action.split(":")[0]
        used_services[service] = max(used_services.get(service, call.last_seen), call.last_seen)
    return PrincipalUsage(
        arn=principal.arn,
        days=days,
        as_of=as_of,
        granted_services=granted_services,
        granted_actions=granted,
        service_data=details is not None,
        cloudtrail=calls is not None,
        used_services=dict(sorted(used_services.items())),
        used_actions=tuple(sorted(uses.values(), key=lambda u: u.action)),
        unmapped=tuple(sorted(unmapped)),
        not_granted=tuple(sorted(not_granted)),
    )


# ----------------------------------------------------------------------------------------------------------------
# Right-sized policy

NOT_FROM_SERVICE_DATA = frozenset({"iam:PassRole"})
"""Left out of a service-level statement: never seen in service-last-accessed nor logged by CloudTrail as a call of
its own, and with ``Resource: *`` a security warning; add it back naming the roles."""


@dataclass(frozen=True, slots=True)
class SuggestedStatement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    basis: str
    """``cloudtrail`` (actions and resources seen) or ``service-last-accessed`` (service used; actions as granted)."""

    def to_json(self) -> dict[str, object]:
        return {
            "Sid": self.sid,
            "Effect": "Allow",
            "Action": list(self.actions) if len(self.actions) > 1 else self.actions[0],
            "Resource": list(self.resources) if len(self.resources) > 1 else self.resources[0],
        }


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A least-privilege identity policy from what was used, and what it would remove from today's grants."""

    usage: PrincipalUsage
    statements: tuple[SuggestedStatement, ...]
    removed_services: tuple[str, ...]
    removed_actions: tuple[str, ...]
    notes: tuple[str, ...]

    def policy(self) -> dict[str, object]:
        return {"Version": "2012-10-17", "Statement": [s.to_json() for s in self.statements]}


def _sid(service: str, n: int) -> str:
    words = re.split(r"[^A-Za-z0-9]+", service)
    return "".join(w[:1].upper() + w[1:] for w in words if w) + ("Used" if n == 0 else f"Used{n + 1}")


def suggest_policy(usage: PrincipalUsage) -> Suggestion:
    """The identity policy ``usage`` supports: per used service, the actions and resources CloudTrail showed, or,
    known only from service-last-accessed, the service's granted actions (``Resource: *``)."""
    index = action_index()
    statements: list[SuggestedStatement] = []
    notes: list[str] = []
    keep = 0
    by_service: dict[str, list[ActionUse]] = {}
    for use in usage.used_actions:
        by_service.setdefault(use.action.split(":")[0], []).append(use)
    for service in usage.used_services:
        uses = by_service.get(service)
        if uses:
            groups: dict[tuple[str, ...], list[str]] = {}
            for use in uses:
                groups.setdefault(use.resources or ("*",), []).append(use.action)
                action_id = index.id(use.action)
                if action_id is not None:  # always: used actions are granted catalogue actions
                    keep |= 1 << action_id
            for n, (resources, actions) in enumerate(sorted(groups.items(), key=lambda kv: kv[1])):
                statements.append(SuggestedStatement(_sid(service, n), tuple(sorted(actions)), resources, "cloudtrail"))
            continue
        svc_bits = usage.granted_actions & index.service_bits(service)
        for action in NOT_FROM_SERVICE_DATA:
            action_id = index.id(action)
            if action_id is not None and action.split(":")[0] == service and svc_bits >> action_id & 1:
                svc_bits &= ~(1 << action_id)
                notes.append(f"{action} left out (not observable in service-last-accessed); add it naming the roles")
        if not svc_bits:
            continue
        keep |= svc_bits
        statements.append(
            SuggestedStatement(_sid(service, 0), index.compact(service, svc_bits), ("*",), "service-last-accessed")
        )
        notes.append(
            f"{service}: used (service-last-accessed) but no action-level evidence: every granted {service} action kept"
        )
    removed = usage.granted_actions & ~keep
    kept_services = {s.split(":")[0] for st in statements for s in st.actions}
    return Suggestion(
        usage=usage,
        statements=tuple(statements),
        removed_services=tuple(s for s in usage.granted_services if s not in kept_services),
        removed_actions=tuple(index.names_of(removed)),
        notes=tuple(notes),
    )


def account_usage(
    context: AnalysisContext,
    *,
    days: int,
    calls: Iterable[ObservedCall] | None = None,
    as_of: datetime | None = None,
) -> list[PrincipalUsage]:
    """:func:`principal_usage` for every user and role of the account but service-linked roles (which AWS manages)."""
    listed = list(calls) if calls is not None else None
    account = context.account
    everyone: list[Principal] = [*account.users, *(r for r in account.roles if not r.service_linked)]
    return [principal_usage(context, p, days=days, calls=listed, as_of=as_of) for p in everyone]
