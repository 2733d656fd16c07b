"""How the policy types combine into a decision: the one rule, for the engine and for the analyses that ask it.

:func:`~iamwarden.policy.evaluate` finds which statements of each policy type apply to a request and calls
:func:`combine` with what it found (booleans); the effective-permissions index (:mod:`iamwarden.analysis.effective`)
calls the same function with what it could decide offline (three-valued: ``None`` is "depends on what is not known").
The rule, from the IAM User Guide's "Policy evaluation logic" pages:

1. An explicit ``Deny`` in any policy type decides (``deny``).
2. Every organization level that applies (SCPs, RCPs) must have an ``Allow`` that applies (``organization``).
3. What must allow besides depends on the request (:class:`Scope`, :func:`scope_of`):

   - ``same``: the principal's own account, an ordinary resource. An identity ``Allow`` within the permissions boundary
     and session policy (``limits``) *or* the resource policy suffices. A resource policy that names the principal
     itself (``direct``) is not limited by a boundary or session policy; one that names the role of a role session
     (``role``) is; one that names the account (``account``) defers to the identity policies.
   - ``strict``: a role's trust policy (``sts:`` actions on a role) or a KMS key policy must allow by itself: naming
     the principal suffices, naming the account needs the identity side too.
   - ``cross``: another account's resource: both the identity side and the resource policy must allow.
   - ``not_iam``: a principal that is not an IAM identity (an AWS service, a web-identity or SAML caller): only the
     resource policy can allow.

4. A request AWS decides itself (:mod:`iamwarden.policy.aws_rules`) is decided by its rule alone, whatever the
   policies say (``sts:GetCallerIdentity`` is allowed; a change to a role or policy AWS manages is denied): callers
   ask :func:`~iamwarden.policy.aws_rules.aws_rule` first.

The account root user is allowed by its own identity: the caller passes ``identity`` and ``limits`` true for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from iamwarden.policy.matching import MatchKind, PrincipalInfo

Tri = bool | None
"""Three-valued logic: ``True``, ``False``, or ``None`` for "depends on what is not known"."""

Scope = Literal["same", "strict", "cross", "not_iam"]
"""Which policy types must allow a request (see the module docstring)."""

_ROLE_RESOURCE = re.compile(r"^arn:[a-z0-9-]+:iam::\d{12}:role/")
_KMS_ALIAS = re.compile(r"^arn:[a-z0-9-]+:kms:[^:]*:\d{12}:alias/")
_NOT_IAM = ("service", "web_identity", "saml", "anonymous")

KMS_KEYLESS_ACTIONS = frozenset(
    f"kms:{a}"
    for a in (
        "connectcustomkeystore",
        "createcustomkeystore",
        "createkey",
        "deletecustomkeystore",
        "describecustomkeystores",
        "disconnectcustomkeystore",
        "generaterandom",
        "listaliases",
        "listkeys",
        "listretirablegrants",
        "updatecustomkeystore",
    )
)
"""The KMS actions that name no key (no resource type in the Service Authorization Reference): identity policies
alone decide them (tests/policy/test_aws_rules.py holds this list to the catalogue)."""


def is_strict_resource_policy(action: str, resource: str) -> bool:
    """A resource policy that must allow by itself, for ``action`` (lower-cased) on ``resource``: a role trust policy
    (``sts:`` actions on a role) or a KMS key policy (any KMS request but those on an alias, which has no key policy,
    and the actions that name no key, such as ``kms:ListKeys`` or ``kms:CreateKey``, which need identity permissions
    only: https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html)."""
    if action.startswith("kms:"):
        return action not in KMS_KEYLESS_ACTIONS and _KMS_ALIAS.match(resource) is None
    return action.startswith("sts:") and _ROLE_RESOURCE.match(resource) is not None


def scope_of(info: PrincipalInfo, action: str, resource: str, resource_account: str | None) -> Scope:
    """The :data:`Scope` of a request by ``info`` for ``action`` (lower-cased) on ``resource``, owned by
    ``resource_account``."""
    if info.kind in _NOT_IAM:
        return "not_iam"
    if info.account is None or info.account != resource_account:
        return "cross"
    return "strict" if is_strict_resource_policy(action, resource) else "same"


def needs_resource_policy(scope: Scope) -> bool:
    """The identity side alone never allows a request of this scope (a trust or key policy, another account)."""
    return scope == "strict" or scope == "cross"


def and3(a: Tri, b: Tri) -> Tri:
    """Three-valued AND."""
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def or3(a: Tri, b: Tri) -> Tri:
    """Three-valued OR."""
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def any_of(values: Iterable[Tri]) -> Tri:
    """Three-valued OR of many: a policy type allows when one of its statements applies."""
    out: Tri = False
    for v in values:
        if v is True:
            return True
        if v is None:
            out = None
    return out


def all_of(values: Iterable[Tri]) -> Tri:
    """Three-valued AND of many: every organization level must allow."""
    out: Tri = True
    for v in values:
        if v is False:
            return False
        if v is None:
            out = None
    return out


def combine(
    deny: Tri,
    organization: Tri,
    identity: Tri,
    limits: Tri,
    resource: MatchKind | None,
    scope: Scope,
) -> Tri:
    """Whether the request is allowed (see the module docstring). ``deny``: a ``Deny`` applies; ``organization``:
    every SCP and RCP level that applies allows; ``identity``: an identity ``Allow`` applies; ``limits``: the
    permissions boundary and session policy allow (``True`` when there are none); ``resource``: how the resource
    policy's best applying ``Allow`` names the principal (``None``: none applies)."""
    if deny is True or organization is False:
        return False
    if scope == "same":
        allowed = and3(identity, limits)
        if resource == "direct":
            allowed = True
        elif resource == "role":
            allowed = or3(allowed, limits)
    elif scope == "strict":
        if resource == "direct":
            allowed = True
        elif resource == "role":
            allowed = limits
        elif resource == "account":
            allowed = and3(identity, limits)
        else:
            allowed = False
    elif scope == "cross":
        allowed = False if resource is None else and3(identity, limits)
    else:
        allowed = resource is not None
    if allowed is False:
        return False
    if deny is None or organization is None:
        return None
    return allowed


__all__ = [
    "KMS_KEYLESS_ACTIONS",
    "Scope",
    "Tri",
    "all_of",
    "and3",
    "any_of",
    "combine",
    "is_strict_resource_policy",
    "needs_resource_policy",
    "or3",
    "scope_of",
]
