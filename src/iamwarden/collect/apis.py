"""Every AWS API call a snapshot can hold: its key, scope and what it is for.

A key is the IAM action name of the call (``service:Operation``), so the list doubles as the read-only policy the
collector needs (see ``docs/permissions.md``). ``scope`` says how responses are keyed inside a snapshot:

* ``account``  - one response, region ``global``, target ``_``
* ``region``   - one response per region, target ``_``
* ``target``   - one response per thing (a key id, a trail ARN, a principal ARN), region ``global`` or a region
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Scope = Literal["account", "region", "account-target", "region-target"]

GLOBAL = "global"
"""Region key of calls to global services (IAM, Organizations, STS)."""
NO_TARGET = "_"
"""Target key of calls that are not about one particular thing."""


@dataclass(frozen=True, slots=True)
class Api:
    key: str
    scope: Scope
    purpose: str
    optional: bool = False
    """Only collected when the user asks (slow or many calls)."""
    extra_actions: tuple[str, ...] = ()
    """Further IAM actions this call needs (e.g. Generate* before Get*)."""

    @property
    def service(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def operation(self) -> str:
        return self.key.split(":", 1)[1]

    @property
    def regional(self) -> bool:
        return self.scope in ("region", "region-target")

    @property
    def targeted(self) -> bool:
        return self.scope.endswith("target")


APIS: tuple[Api, ...] = (
    Api("sts:GetCallerIdentity", "account", "the account id and partition"),
    Api("iam:GetAccountAuthorizationDetails", "account", "users, groups, roles, policies and their documents"),
    Api(
        "iam:GetCredentialReport",
        "account",
        "password and key use for every user and the root user (stored as decoded CSV)",
        extra_actions=("iam:GenerateCredentialReport",),
    ),
    Api("iam:GetAccountPasswordPolicy", "account", "the password policy (null when the account has none)"),
    Api("iam:GetAccountSummary", "account", "AccountMFAEnabled, AccountAccessKeysPresent, quotas"),
    Api("iam:ListAccountAliases", "account", "the account's alias, for reports"),
    Api("iam:ListVirtualMFADevices", "account", "virtual MFA devices, assigned or not (root hardware MFA)"),
    Api("iam:ListAccessKeys", "account-target", "access key ids per user (target: user name)"),
    Api("iam:GetAccessKeyLastUsed", "account-target", "last use of each access key (target: key id)"),
    Api(
        "iam:ListMFADevices",
        "account-target",
        "MFA devices per user, hardware ones included (target: user name)",
    ),
    Api("iam:GetLoginProfile", "account-target", "console password per user (target: user name; null if none)"),
    Api("iam:ListServerCertificates", "account", "server certificates and their expiry"),
    Api("iam:ListSAMLProviders", "account", "SAML identity providers"),
    Api("iam:ListOpenIDConnectProviders", "account", "OIDC identity providers"),
    Api(
        "iam:GetOpenIDConnectProvider",
        "account-target",
        "OIDC provider URL and audiences (target: provider ARN)",
    ),
    Api("iam:ListOrganizationsFeatures", "account", "organization-level root credentials management"),
    Api(
        "iam:GetServiceLastAccessedDetails",
        "account-target",
        "services each principal used and when (target: principal ARN)",
        optional=True,
        extra_actions=("iam:GenerateServiceLastAccessedDetails",),
    ),
    Api("ec2:DescribeRegions", "account", "the regions enabled for the account"),
    Api("cloudtrail:DescribeTrails", "region", "trails, including organization and multi-region trails"),
    Api("cloudtrail:GetTrailStatus", "region-target", "whether a trail is logging (target: trail ARN)"),
    Api("cloudtrail:GetEventSelectors", "region-target", "what a trail records (target: trail ARN)"),
    Api("access-analyzer:ListAnalyzers", "region", "IAM Access Analyzer analyzers"),
    Api("config:DescribeConfigurationRecorders", "region", "AWS Config recorders"),
    Api("config:DescribeConfigurationRecorderStatus", "region", "whether each recorder is recording"),
    Api("ec2:DescribeInstances", "region", "instances, their instance profiles and IMDS settings"),
    Api(
        "ec2:DescribeInstanceAttribute",
        "region-target",
        "user data of each instance, searched for access keys (target: instance id)",
    ),
    Api("lambda:ListFunctions", "region", "functions, their roles and environment variables"),
    Api("organizations:DescribeOrganization", "account", "the organization (null when not in one)"),
    Api("organizations:ListRoots", "account", "the organization root"),
    Api("organizations:ListParents", "account-target", "the account's OU path (target: child id)"),
    Api("organizations:ListPolicies", "account-target", "SCPs and RCPs (target: policy type)"),
    Api("organizations:DescribePolicy", "account-target", "an SCP or RCP document (target: policy id)"),
    Api(
        "organizations:ListTargetsForPolicy",
        "account-target",
        "where a policy is attached (target: policy id)",
    ),
)

API_BY_KEY: dict[str, Api] = {api.key: api for api in APIS}


def api(key: str) -> Api:
    """The :class:`Api` named ``key`` (``KeyError`` for an unknown one)."""
    return API_BY_KEY[key]
