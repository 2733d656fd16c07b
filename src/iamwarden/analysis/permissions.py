"""Permission questions answered by the policy engine, never by reading policy text.

**Administrator.** A principal (or a policy on its own) is *effectively an administrator* when the engine allows every
probe in :data:`ADMIN_PROBES` on resource ``*``: the IAM writes that take over an account (put and attach role
policies, new policy versions, pass and assume roles), reading and writing data (S3, KMS, Secrets Manager, Lambda
code), plus an action of a service that does not exist, which only ``"Action": "*"`` or an allow-all ``NotAction``
can grant. Whatever the policy is called, and however it is written (``*``, ``*:*``, ``NotAction`` with a harmless
exclusion, several statements that add up), the engine's decision is what counts; denies, permissions boundaries and
SCPs are applied. Actions that organizations' guardrail SCPs usually deny even to administrators (leaving the
organization, stopping CloudTrail, creating IAM user keys) are deliberately not probes, so such guardrails do not hide
an administrator. Requests carry ``aws:RequestedRegion`` (the snapshot's first region), as real ones do.

Requests are evaluated with MFA present (the most a principal can get) and again without it (long-term keys):
see :class:`AdminAnalysis`.

**Service-wide wildcards.** A policy grants a sensitive service wholesale when the engine allows an action of that
service that does not exist (``iam:IamwardenServiceWideProbe``) on resource ``*``: only ``iam:*``-like patterns (or
broader) match it, and only an unscoped ``Resource`` matches ``*``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.principals import PrincipalPolicies
from iamwarden.model import DEFAULT_REGION, User
from iamwarden.policy import Decision, Policy, PolicyError, Request, evaluate, parse_policy

NONEXISTENT_ACTION = "iamwardenprobe:NoSuchAction"
ANY_SERVICE = 'the actions of every service ("*" or a NotAction)'
"""How evidence words a statement that allows :data:`NONEXISTENT_ACTION`."""

ADMIN_PROBES: tuple[str, ...] = (
    NONEXISTENT_ACTION,
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:CreatePolicyVersion",
    "iam:PassRole",
    "sts:AssumeRole",
    "s3:GetObject",
    "s3:PutObject",
    "kms:Decrypt",
    "secretsmanager:GetSecretValue",
    "lambda:UpdateFunctionCode",
)
"""Allowed on ``*`` together = full administrator."""

SENSITIVE_SERVICES: Mapping[str, tuple[str, ...]] = {
    "iam": ("iam:IamwardenServiceWideProbe",),
    "sts": ("sts:IamwardenServiceWideProbe",),
    "kms": ("kms:IamwardenServiceWideProbe",),
    "organizations": ("organizations:IamwardenServiceWideProbe",),
    "cloudtrail": ("cloudtrail:IamwardenServiceWideProbe",),
    "s3 (write)": ("s3:PutIamwardenServiceWideProbe", "s3:DeleteIamwardenServiceWideProbe"),
}
"""Service -> probe actions that only a service-wide wildcard (``iam:*``, ``s3:Put*`` ...) can match."""

PRIVILEGED_ACTIONS: tuple[str, ...] = (
    "iam:AttachUserPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutRolePolicy",
    "iam:CreatePolicyVersion",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateAssumeRolePolicy",
    "iam:PassRole",
)
"""IAM writes and policy attachment: actions that should need MFA when people perform them."""

WITH_MFA: Mapping[str, Any] = {
    "aws:MultiFactorAuthPresent": "true",
    "aws:MultiFactorAuthAge": "60",
    "aws:SecureTransport": "true",
}
WITHOUT_MFA: Mapping[str, Any] = {"aws:SecureTransport": "true"}
"""Long-term access keys: ``aws:MultiFactorAuthPresent`` is absent (not false) from their requests."""


@dataclass(frozen=True, slots=True)
class GrantingStatement:
    policy: str
    statement: str | None
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "statement": self.statement, "detail": self.detail}


def granting_statements(decisions: Iterable[Decision]) -> list[GrantingStatement]:
    """The Allow statements behind ``decisions``, without repeats, in order."""
    out: dict[tuple[str, str | None], GrantingStatement] = {}
    for decision in decisions:
        for reason in decision.reasons:
            if reason.effect == "Allow" and reason.policy_type == "identity":
                key = (reason.policy, reason.statement)
                out.setdefault(key, GrantingStatement(reason.policy, reason.statement, reason.detail))
    return list(out.values())


@dataclass(frozen=True, slots=True)
class AdminAnalysis:
    """Whether the probes are all allowed, with MFA present and without it, and the statements that allow them."""

    with_mfa: bool
    without_mfa: bool
    statements: tuple[GrantingStatement, ...]
    conditional_keys: frozenset[str]
    """Context keys whose absence kept the refused probe from being allowed with MFA present (e.g. ``aws:SourceIp``)."""
    denied_probes: tuple[str, ...]
    """The first probe refused with MFA present (probing stops there), or none for an administrator."""
    errors: tuple[PolicyError, ...] = ()
    """What the decisions behind the verdict met (:attr:`~iamwarden.policy.Decision.errors`: a condition value that
    cannot be read, a policy that could not be compiled): the verdict rests on them, so a check reports ``unknown``."""

    @property
    def admin(self) -> bool:
        return self.with_mfa

    def errors_text(self) -> str:
        """The errors in one line (empty when there are none)."""
        return "; ".join(e.describe() for e in self.errors)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "admin_with_mfa": self.with_mfa,
            "admin_without_mfa": self.without_mfa,
            "statements": [s.to_json() for s in self.statements],
            "conditional_keys": sorted(self.conditional_keys),
            "probes_not_allowed": list(self.denied_probes),
        }
        if self.errors:
            out["policy_errors"] = [e.to_json() for e in self.errors]
        return out


@lru_cache(maxsize=64)
def default_key_policy(account_id: str, partition: str = "aws") -> Policy:
    """The default KMS key policy, which lets IAM policies of the account govern the key.

    KMS requires the key policy to allow; probing a principal's KMS permissions assumes keys with this policy, so the
    answer is about what the identity side grants.
    """
    return parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "EnableIAMUserPermissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        },
        name="default KMS key policy (assumed)",
    )


_ARN = re.compile(r"^arn:([^:]+):[^:]*:[^:]*:(\d{12}):")


def _key_policy_for(principal_arn: str, action: str) -> Policy | None:
    if not action.lower().startswith("kms:"):
        return None
    m = _ARN.match(principal_arn)
    return default_key_policy(m.group(2), m.group(1)) if m else None


def _decide(
    principal_arn: str,
    actions: Sequence[str],
    context: Mapping[str, Any],
    identity: Sequence[Policy],
    boundary: Policy | None = None,
    scps: Sequence[Sequence[Policy]] = (),
    management_account: bool = False,
    resource: str = "*",
    region: str = DEFAULT_REGION,
) -> list[Decision]:
    full = {"aws:RequestedRegion": region, **context}
    return [
        evaluate(
            Request(principal_arn, action, resource, full),
            identity_policies=identity,
            resource_policy=_key_policy_for(principal_arn, action),
            permission_boundary=boundary,
            scps=scps,
            management_account=management_account,
        )
        for action in actions
    ]


def granted_somewhere(identity: Sequence[Policy], action: str) -> bool:
    """Whether an Allow statement of the identity policies covers ``action`` (its Action or NotAction, whatever its
    resources and conditions). Without one the engine cannot allow the action to a user or role: the only resource
    policy these probes meet, the default KMS key policy, names the account and so needs the identity side too.
    Asking this first spares the engine most probes of principals that are far from administrator."""
    lower = action.lower()
    return any(st.effect == "Allow" for policy in identity for st in policy.statements_for(lower))


def admin_for(principal_arn: str, identity: Sequence[Policy], **kw: Any) -> AdminAnalysis:
    """Run the administrator probes for ``principal_arn`` (``kw``: boundary, scps, management_account, region).

    The probes run in order and stop at the first one refused with MFA present (the principal is then no
    administrator, and the rest would not change that): most principals cost one decision, not eleven.
    """
    if not granted_somewhere(identity, ADMIN_PROBES[0]):
        return AdminAnalysis(False, False, (), frozenset(), ADMIN_PROBES[:1])
    with_mfa: list[Decision] = []
    for action in ADMIN_PROBES:
        (decision,) = _decide(principal_arn, (action,), WITH_MFA, identity, **kw)
        with_mfa.append(decision)
        if not decision.allowed:
            break
    all_with = len(with_mfa) == len(ADMIN_PROBES) and with_mfa[-1].allowed
    without_mfa = _decide(principal_arn, ADMIN_PROBES, WITHOUT_MFA, identity, **kw) if all_with else []
    without = all_with and all(d.allowed for d in without_mfa)
    conditional = frozenset(k for d in with_mfa if not d.allowed for k in d.missing_context_keys)
    denied = tuple(a for a, d in zip(ADMIN_PROBES, with_mfa, strict=False) if not d.allowed)
    errors = tuple(dict.fromkeys(e for d in (*with_mfa, *without_mfa) for e in d.errors))
    return AdminAnalysis(all_with, without, tuple(_decisive(with_mfa)), conditional, denied, errors)


def _decisive(decisions: Sequence[Decision]) -> list[GrantingStatement]:
    """The statements that make a principal an administrator: those allowing the action of a service that does not
    exist (only ``*`` or ``NotAction`` grant it), plus, for any probe they do not cover, the statements allowing it."""
    if not decisions or not all(d.allowed for d in decisions):
        return []
    chosen = [  # the probe is an action of no service: say what a statement allowing it allows
        GrantingStatement(s.policy, s.statement, s.detail.replace(NONEXISTENT_ACTION, ANY_SERVICE))
        for s in granting_statements(decisions[:1])
    ]
    keys = {(s.policy, s.statement) for s in chosen}
    for decision in decisions[1:]:
        grants = granting_statements([decision])
        if not any((g.policy, g.statement) in keys for g in grants):
            chosen += grants
            keys |= {(g.policy, g.statement) for g in grants}
    return chosen


def admin_of(context: AnalysisContext, policies: PrincipalPolicies) -> AdminAnalysis:
    """:func:`principal_admin`, computed once per run and principal."""
    found = context.admin.get(policies.principal.arn)
    if found is None:
        found = context.admin[policies.principal.arn] = principal_admin(policies)
    return found


def principal_admin(policies: PrincipalPolicies) -> AdminAnalysis:
    """Is the principal effectively an administrator (its identity policies, boundary and SCPs together)?"""
    return admin_for(
        policies.principal.arn,
        policies.identity,
        boundary=policies.boundary,
        scps=policies.scps,
        management_account=policies.management_account,
        region=policies.region,
    )


def probe_principal(account_id: str, partition: str = "aws") -> str:
    """A made-up user of the account, to evaluate a policy on its own."""
    return f"arn:{partition}:iam::{account_id}:user/iamwarden-probe"


def policy_admin(policy: Policy, account_id: str, partition: str = "aws") -> AdminAnalysis:
    """Does this one policy, alone, grant full administrator access?"""
    return admin_for(probe_principal(account_id, partition), (policy,))


def policy_admin_of(context: AnalysisContext, policy: Policy) -> AdminAnalysis:
    """:func:`policy_admin` for one of the account's compiled policies, computed once per run and policy (several
    checks ask)."""
    hit = context.policy_admin.get(policy.name)
    if hit is None or hit[0] is not policy:
        account = context.account
        hit = context.policy_admin[policy.name] = (policy, policy_admin(policy, account.account_id, account.partition))
    return hit[1]


@dataclass(frozen=True, slots=True)
class ServiceGrant:
    service: str
    statements: tuple[GrantingStatement, ...]

    def to_json(self) -> dict[str, Any]:
        return {"service": self.service, "statements": [s.to_json() for s in self.statements]}


def service_wide_grants(
    policy: Policy, account_id: str, partition: str = "aws"
) -> tuple[list[ServiceGrant], tuple[PolicyError, ...]]:
    """Sensitive services this policy grants wholesale on ``*`` (MFA present, so conditions on MFA do not hide it),
    and the errors the decisions behind the answer met (:attr:`~iamwarden.policy.Decision.errors`)."""
    grants = []
    errors: list[PolicyError] = []
    for service, probes in SENSITIVE_SERVICES.items():
        if not any(granted_somewhere((policy,), probe) for probe in probes):
            continue
        decisions = _decide(probe_principal(account_id, partition), probes, WITH_MFA, (policy,))
        errors += (e for d in decisions for e in d.errors)
        allowed = [d for d in decisions if d.allowed]
        if allowed:
            grants.append(ServiceGrant(service, tuple(granting_statements(allowed))))
    return grants, tuple(dict.fromkeys(errors))


@dataclass(frozen=True, slots=True)
class PrivilegedWithoutMfa:
    action: str
    resource: str
    statements: tuple[GrantingStatement, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "resource": self.resource,
            "statements": [s.to_json() for s in self.statements],
        }


def privileged_without_mfa(
    policies: PrincipalPolicies, actions: Sequence[str] = PRIVILEGED_ACTIONS
) -> tuple[list[PrivilegedWithoutMfa], tuple[PolicyError, ...]]:
    """Privileged actions the principal may perform on ``*`` with no MFA in the request, and the errors the decisions
    behind the answer met (:attr:`~iamwarden.policy.Decision.errors`)."""
    actions = [a for a in actions if granted_somewhere(policies.identity, a)]
    out = []
    errors: list[PolicyError] = []
    for action, decision in zip(
        actions,
        _decide(
            policies.principal.arn,
            actions,
            WITHOUT_MFA,
            policies.identity,
            policies.boundary,
            policies.scps,
            policies.management_account,
            region=policies.region,
        ),
        strict=True,
    ):
        errors += decision.errors
        if decision.allowed:
            out.append(PrivilegedWithoutMfa(action, "*", tuple(granting_statements([decision]))))
    return out, tuple(dict.fromkeys(errors))


def can_assume_without_mfa(policies: PrincipalPolicies, role_arn: str, trust: Policy) -> Decision:
    """May the principal call ``sts:AssumeRole`` on ``role_arn`` (trust policy ``trust``) with no MFA?"""
    return evaluate(
        Request(
            policies.principal.arn, "sts:AssumeRole", role_arn, {"aws:RequestedRegion": policies.region, **WITHOUT_MFA}
        ),
        identity_policies=policies.identity,
        resource_policy=trust,
        permission_boundary=policies.boundary,
        scps=policies.scps,
        management_account=policies.management_account,
    )


NETWORK_KEYS = ("aws:sourceip", "aws:vpcsourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:principalorgid")
"""Condition keys that bound where a request may come from (network or organization)."""


def network_context(policies: PrincipalPolicies) -> dict[str, str]:
    """A request context from inside the network the principal's policies name: for each network key their
    conditions use, the first literal value (a CIDR's first address). Seeds a what-if question for the engine."""
    found: dict[str, str] = {}
    for policy in policies.every:
        for statement in policy.statements:
            for condition in statement.conditions:
                key = condition.key_lower
                if key not in NETWORK_KEYS or key in found or not condition.values:
                    continue
                value = condition.values[0]
                if any(ch in value for ch in "*?$"):
                    continue
                found[key] = value.split("/", 1)[0] if key in ("aws:sourceip", "aws:vpcsourceip") else value
    return found


def admin_inside_network(policies: PrincipalPolicies) -> tuple[bool, dict[str, str], tuple[PolicyError, ...]]:
    """Is the principal an administrator when its requests come from the network its policies name? (with that
    network's context, and the errors the decisions behind the answer met: :attr:`~iamwarden.policy.Decision.errors`)"""
    context = network_context(policies)
    if not context or not granted_somewhere(policies.identity, ADMIN_PROBES[0]):
        return False, context, ()
    errors: list[PolicyError] = []
    for action in ADMIN_PROBES:  # stop at the first refusal, as admin_for does
        (decision,) = _decide(
            policies.principal.arn,
            (action,),
            {**WITH_MFA, **context},
            policies.identity,
            policies.boundary,
            policies.scps,
            policies.management_account,
            region=policies.region,
        )
        errors += decision.errors
        if not decision.allowed:
            return False, context, tuple(dict.fromkeys(errors))
    return True, context, tuple(dict.fromkeys(errors))


def errors_text(errors: Iterable[PolicyError]) -> str:
    """Errors of the engine's decisions in one line (empty when there are none)."""
    return "; ".join(e.describe() for e in errors)


def user_has_mfa(user: User) -> bool | None:
    """Whether the user has an MFA device: ListMFADevices / virtual devices, else the credential report (``None``:
    the snapshot does not tell)."""
    if user.mfa_devices is not None:
        return bool(user.mfa_devices)
    if user.credential_report is not None:
        return user.credential_report.mfa_active
    return None
