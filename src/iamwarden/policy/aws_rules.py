"""Requests AWS decides itself, whatever the policies say: resources customers cannot change and actions that need no
permission. Each rule cites the page it comes from; ``tests/policy/conformance/aws_*.json`` hold its table cases.

- ``aws-managed-policy``: ``iam:CreatePolicy``, ``CreatePolicyVersion``, ``DeletePolicy``, ``DeletePolicyVersion``,
  ``SetDefaultPolicyVersion``, ``TagPolicy``, ``UntagPolicy`` on ``arn:aws:iam::aws:policy/...``: implicit deny (AWS
  maintains these policies);
- ``identity-center-role``: changing the policies, boundary, trust policy, description or tags of a role under
  ``/aws-reserved/sso.amazonaws.com/``, deleting or passing it: implicit deny (IAM Identity Center manages the role);
- ``service-linked-role``: changing the policies, boundary, trust policy or tags of a role under
  ``/aws-service-role/``, or deleting it with ``iam:DeleteRole``: implicit deny (its service manages the role);
- ``get-caller-identity``: ``sts:GetCallerIdentity`` is allowed, even under an explicit deny;
- ``get-session-token``: ``sts:GetSessionToken`` by an IAM user or the root user is allowed, even under an explicit
  deny.

What customers may still do with these roles is left to the policies: edit a service-linked role's description
(``iam:UpdateRoleDescription``, ``iam:UpdateRole``), create and delete it through ``iam:CreateServiceLinkedRole`` /
``iam:DeleteServiceLinkedRole`` (and ``iam:GetServiceLinkedRoleDeletionStatus``), and pass a service-linked role
(``iam:PassRole``: EC2 Auto Scaling documents it for a service-linked role with a custom suffix). The rules do not apply
to AWS acting for itself: a service principal, or a service-linked role (IAM Identity Center changes its roles through
its own service-linked role).

KMS keys are the other special case: only a request on a KMS *key* is decided with the key policy
(:func:`iamwarden.policy.combination.is_strict_resource_policy`); an alias and the actions that name no key are decided
by the identity policies alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from iamwarden.policy.matching import PrincipalInfo


@dataclass(frozen=True, slots=True)
class AwsRule:
    """One rule: its id, what AWS answers, why (the reason a decision shows), and the page that says so."""

    id: str
    decision: Literal["allowed", "implicit_deny"]
    detail: str
    source: str


_MANAGED_VS_INLINE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html"
_IDENTITY_CENTER_ROLES = "https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-and-iam-roles.html"
_UPDATE_SLR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-service-linked-role.html"
_GET_CALLER_IDENTITY = "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"
_GET_SESSION_TOKEN = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html"
)

AWS_MANAGED_POLICY = AwsRule(
    "aws-managed-policy",
    "implicit_deny",
    "AWS manages this policy: customers cannot create, version, delete or tag AWS managed policies",
    _MANAGED_VS_INLINE,
)
IDENTITY_CENTER_ROLE = AwsRule(
    "identity-center-role",
    "implicit_deny",
    "AWS manages this role (IAM Identity Center): it is changed only through its permission set, "
    "never by IAM requests of the account",
    _IDENTITY_CENTER_ROLES,
)
SERVICE_LINKED_ROLE = AwsRule(
    "service-linked-role",
    "implicit_deny",
    "AWS manages this role (a service-linked role): its service controls its policies, trust and deletion",
    _UPDATE_SLR,
)
GET_CALLER_IDENTITY = AwsRule(
    "get-caller-identity",
    "allowed",
    "sts:GetCallerIdentity needs no permission: it succeeds even under an explicit deny",
    _GET_CALLER_IDENTITY,
)
GET_SESSION_TOKEN = AwsRule(
    "get-session-token",
    "allowed",
    "sts:GetSessionToken needs no permission: policies cannot control authentication operations",
    _GET_SESSION_TOKEN,
)
RULES: Final[tuple[AwsRule, ...]] = (
    AWS_MANAGED_POLICY,
    IDENTITY_CENTER_ROLE,
    SERVICE_LINKED_ROLE,
    GET_CALLER_IDENTITY,
    GET_SESSION_TOKEN,
)

_MANAGED_POLICY_ARN = re.compile(r"arn:[a-z-]+:iam::aws:policy/")
_SSO_ROLE_ARN = re.compile(r"arn:[a-z-]+:iam::\d{12}:role/aws-reserved/sso\.amazonaws\.com/")
_SLR_ARN = re.compile(r"arn:[a-z-]+:iam::\d{12}:role/aws-service-role/")

_POLICY_CHANGES = frozenset(
    f"iam:{a}"
    for a in (
        "createpolicy",
        "createpolicyversion",
        "deletepolicy",
        "deletepolicyversion",
        "setdefaultpolicyversion",
        "tagpolicy",
        "untagpolicy",
    )
)
_ROLE_CHANGES = frozenset(
    f"iam:{a}"
    for a in (
        "attachrolepolicy",
        "detachrolepolicy",
        "putrolepolicy",
        "deleterolepolicy",
        "putrolepermissionsboundary",
        "deleterolepermissionsboundary",
        "updateassumerolepolicy",
        "tagrole",
        "untagrole",
        "deleterole",
    )
)
_SSO_ROLE_CHANGES = _ROLE_CHANGES | {"iam:updaterole", "iam:updateroledescription", "iam:passrole"}

_ALWAYS_ALLOWED = frozenset({"sts:getcalleridentity", "sts:getsessiontoken"})
RULE_ACTIONS: Final = _POLICY_CHANGES | _SSO_ROLE_CHANGES | _ALWAYS_ALLOWED
"""Every action (lower-cased) a rule is about: :func:`aws_rule` answers ``None`` for any other (a cheap test first)."""


def aws_rule(action: str, resource: str, principal: PrincipalInfo) -> AwsRule | None:
    """The rule that decides ``action`` (lower-cased) on ``resource`` for ``principal``, or ``None`` when the
    policies decide (always ``None`` for an action outside :data:`RULE_ACTIONS`)."""
    if action == "sts:getcalleridentity":
        return GET_CALLER_IDENTITY
    if action == "sts:getsessiontoken":
        return GET_SESSION_TOKEN if principal.kind in ("user", "root") else None
    if principal.kind == "service" or principal.service_linked:
        return None  # AWS acting for itself
    if action in _POLICY_CHANGES and _MANAGED_POLICY_ARN.match(resource):
        return AWS_MANAGED_POLICY
    if action in _SSO_ROLE_CHANGES and _SSO_ROLE_ARN.match(resource):
        return IDENTITY_CENTER_ROLE
    if action in _ROLE_CHANGES and _SLR_ARN.match(resource):
        return SERVICE_LINKED_ROLE
    return None


def always_allowed(principal: PrincipalInfo) -> frozenset[str]:
    """The actions (lower-cased) AWS allows ``principal`` whatever its policies say (:func:`aws_rule` answers
    ``allowed`` for them)."""
    return frozenset(a for a in sorted(_ALWAYS_ALLOWED) if _allows(aws_rule(a, "*", principal)))


def _allows(rule: AwsRule | None) -> bool:
    return rule is not None and rule.decision == "allowed"


@dataclass(frozen=True, slots=True)
class ManagedResources:
    """Resources AWS manages, as a pattern to show (``{account}`` filled in) and one ARN of them to ask
    :func:`aws_rule` and a statement's ``Resource`` patterns about."""

    rule: AwsRule
    pattern: str
    example: str


def managed_resources(account: str, partition: str = "aws") -> tuple[ManagedResources, ...]:
    """The resources of ``account`` that AWS manages (AWS managed policies, Identity Center roles, service-linked
    roles); for each action, :func:`aws_rule` on the ``example`` says whether AWS refuses it there."""
    iam = f"arn:{partition}:iam::{account}"
    return (
        ManagedResources(
            AWS_MANAGED_POLICY, f"arn:{partition}:iam::aws:policy/*", f"arn:{partition}:iam::aws:policy/ReadOnlyAccess"
        ),
        ManagedResources(
            IDENTITY_CENTER_ROLE,
            f"{iam}:role/aws-reserved/sso.amazonaws.com/*",
            f"{iam}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
        ),
        ManagedResources(
            SERVICE_LINKED_ROLE,
            f"{iam}:role/aws-service-role/*",
            f"{iam}:role/aws-service-role/ec2.amazonaws.com/AWSServiceRoleForEC2",
        ),
    )


__all__ = [
    "RULES",
    "RULE_ACTIONS",
    "AwsRule",
    "ManagedResources",
    "always_allowed",
    "aws_rule",
    "managed_resources",
]
