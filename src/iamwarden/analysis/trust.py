"""Who outside the account can assume a role, decided by the policy engine.

The trust policy is read only to learn *whom to ask about* (the principals it names); whether they may assume the role
is the engine's decision for ``sts:AssumeRole`` (or ``sts:AssumeRoleWithWebIdentity``) with an empty context: no
``sts:ExternalId``, no MFA, no organization id. A trust that still allows is open to that principal; one that does not
names the context keys that gate it (``missing_context_keys``).

The caller's own account is assumed to allow the call (an allow-all identity policy on the caller's side): we cannot
see other accounts' policies, and the risk being measured is what this account's trust policy lets in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from iamwarden.analysis.permissions import GrantingStatement, granting_statements
from iamwarden.policy import Decision, Policy, Request, evaluate, parse_policy

_ACCOUNT = re.compile(r"^\d{12}$")
_ARN_ACCOUNT = re.compile(r"^arn:[^:]+:(?:iam|sts)::(\d{12}):(.+)$")

ALLOW_ALL = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    name="caller's own permissions (assumed to allow)",
)

GITHUB = "token.actions.githubusercontent.com"
WELL_KNOWN_WEB_IDENTITY = (
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
    "cognito-identity.amazonaws.com",
)


@dataclass(frozen=True, slots=True)
class TrustedPrincipal:
    value: str
    """As the trust policy names it (``*``, an account id, an ARN)."""
    kind: Literal["everyone", "account", "principal"]
    account: str | None


def named_principals(trust: Policy, kind: str) -> list[str]:
    """The principals of type ``kind`` (``AWS``, ``Service``, ``Federated``) that the ``Principal`` elements of the
    compiled policy's Allow statements name, in order; ``Principal: "*"`` counts as ``*`` of every type."""
    out: list[str] = []
    for st in trust.statements:
        if st.effect != "Allow" or st.principal is None or st.not_principal:
            continue
        for named_kind, value in st.principal.values:
            if named_kind == kind:
                out.append(value)
            elif named_kind == "*":
                out.append("*")
    return out


def trust_principals(trust: Policy) -> tuple[list[str], list[str]]:
    """(AWS principals, service principals) the Allow statements of a trust policy name."""
    return named_principals(trust, "AWS"), named_principals(trust, "Service")


def foreign_principals(trust: Policy, own_account: str) -> list[TrustedPrincipal]:
    """The AWS principals outside ``own_account`` that Allow statements of a trust policy name."""
    found: dict[str, TrustedPrincipal] = {}
    for value in named_principals(trust, "AWS"):
        if value == "*":
            found[value] = TrustedPrincipal(value, "everyone", None)
        elif _ACCOUNT.match(value):
            if value != own_account:
                found[value] = TrustedPrincipal(value, "account", value)
        else:
            m = _ARN_ACCOUNT.match(value)
            if m and m.group(1) != own_account:
                kind: Literal["account", "principal"] = "account" if m.group(2) == "root" else "principal"
                found[value] = TrustedPrincipal(value, kind, m.group(1))
    return list(found.values())


def local_callers(trust: Policy, own_account: str) -> frozenset[str] | None:
    """Which IAM principals of ``own_account`` the Allow statements of a trust policy could admit, read from the
    principals they name, to spare the engine questions whose answer is known to be no.

    ``None``: any of them could (``*``, the account itself, ``NotPrincipal``, a unique id or anything not a plain ARN);
    otherwise the ARNs of the account it names (lower case), possibly none (only services, identity providers or other
    accounts). A role trust policy must allow ``sts:AssumeRole`` itself (the engine's strict resource policy rule), so
    a caller it does not name is never admitted.
    """
    named: set[str] = set()
    if any(st.effect == "Allow" and st.not_principal for st in trust.statements):
        return None
    for value in named_principals(trust, "AWS"):
        if value == "*" or value == own_account or any(ch in value for ch in "*?"):
            return None
        m = _ARN_ACCOUNT.match(value)
        if m is None:
            if _ACCOUNT.match(value):
                continue  # another account
            return None
        if m.group(1) != own_account:
            continue
        if m.group(2) == "root":
            return None
        named.add(value.lower())
    return frozenset(named)


def probe_arn(trusted: TrustedPrincipal, own_account: str, partition: str) -> str:
    """The caller to simulate for a trusted principal: the principal itself, or a role in the trusted account."""
    if trusted.kind == "principal":
        return trusted.value
    account = trusted.account or ("999999999999" if own_account != "999999999999" else "888888888888")
    return f"arn:{partition}:iam::{account}:role/iamwarden-external-probe"


@dataclass(frozen=True, slots=True)
class TrustVerdict:
    trusted: TrustedPrincipal
    caller: str
    decision: Decision

    @property
    def open(self) -> bool:
        """Allowed with no ExternalId, MFA or organization condition met."""
        return self.decision.allowed

    @property
    def statements(self) -> list[GrantingStatement]:
        return [s for s in granting_statements([self.decision]) if s.policy != ALLOW_ALL.name]

    def to_json(self) -> dict[str, Any]:
        return {
            "principal": self.trusted.value,
            "kind": self.trusted.kind,
            "simulated_caller": self.caller,
            "decision": self.decision.decision,
            "gated_by": sorted(self.decision.missing_context_keys),
            "statements": [s.to_json() for s in self.statements],
        }


def external_trust(trust: Policy, role_arn: str, own_account: str, partition: str) -> list[TrustVerdict]:
    """For each foreign principal the trust policy names: may it assume the role with an empty context?"""
    out = []
    for trusted in foreign_principals(trust, own_account):
        caller = probe_arn(trusted, own_account, partition)
        decision = evaluate(
            Request(caller, "sts:AssumeRole", role_arn, {}), identity_policies=(ALLOW_ALL,), resource_policy=trust
        )
        out.append(TrustVerdict(trusted, caller, decision))
    return out


def web_identity_providers(trust: Policy) -> list[str]:
    """``Federated`` principals of Allow statements that are OIDC providers (ARNs or well-known host names)."""
    found: list[str] = []
    for value in named_principals(trust, "Federated"):
        if (":oidc-provider/" in value or value in WELL_KNOWN_WEB_IDENTITY) and value not in found:
            found.append(value)
    return found


def provider_host(provider: str) -> str:
    return provider.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in provider else provider


def unrelated_subject(host: str) -> str:
    """A ``sub`` no legitimate workload of the account would present."""
    if host == GITHUB:
        return "repo:iamwarden-probe/not-your-repository:ref:refs/heads/main"
    return "iamwarden-probe-unrelated-subject"


@dataclass(frozen=True, slots=True)
class WebIdentityVerdict:
    provider: str
    audiences: tuple[str, ...]
    allowed_without_sub: bool
    allowed_with_unrelated_sub: bool
    statements: tuple[GrantingStatement, ...]

    @property
    def open(self) -> bool:
        return self.allowed_without_sub or self.allowed_with_unrelated_sub

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "audiences_tried": list(self.audiences),
            "allowed_without_sub": self.allowed_without_sub,
            "allowed_with_unrelated_sub": self.allowed_with_unrelated_sub,
            "unrelated_sub": unrelated_subject(provider_host(self.provider)),
            "statements": [s.to_json() for s in self.statements],
        }


def web_identity_trust(
    trust: Policy, role_arn: str, audiences_by_provider: Mapping[str, Sequence[str]]
) -> list[WebIdentityVerdict]:
    """For each OIDC provider trusted: may a token with no ``sub``, or a ``sub`` from someone else, assume the role?

    Audiences tried: the provider's registered client ids and ``sts.amazonaws.com``.
    """
    out = []
    for provider in web_identity_providers(trust):
        host = provider_host(provider)
        audiences = tuple(dict.fromkeys([*audiences_by_provider.get(provider, ()), "sts.amazonaws.com"]))
        no_sub = unrelated = False
        allowing: list[Decision] = []
        for aud in audiences:
            base = {f"{host}:aud": aud}
            for context, which in ((base, "none"), ({**base, f"{host}:sub": unrelated_subject(host)}, "other")):
                decision = evaluate(
                    Request(provider, "sts:AssumeRoleWithWebIdentity", role_arn, context), resource_policy=trust
                )
                if decision.allowed:
                    allowing.append(decision)
                    no_sub = no_sub or which == "none"
                    unrelated = unrelated or which == "other"
        out.append(WebIdentityVerdict(provider, audiences, no_sub, unrelated, tuple(granting_statements(allowing))))
    return out
