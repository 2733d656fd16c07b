"""Typed access to a snapshot's stored responses: each API read here with the raw shape its responses have.

:func:`iamwarden.collect.raw.validate_calls` checked every stored response against ``raw.SHAPES[api]`` when the
snapshot was read, so an :class:`Api` hands them out typed as that shape (``T``) instead of ``Any``: the one place
where validated data takes its type, rather than a ``cast`` at each read. Each is made with its shape, which must be
the one ``raw.SHAPES`` validates its responses against (or that shape without ``None``): a mismatch fails at import.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

from iamwarden.collect import raw
from iamwarden.collect.apis import GLOBAL, NO_TARGET
from iamwarden.collect.snapshot import Snapshot

T = TypeVar("T")


class Api(Generic[T]):
    """An API whose stored responses have the raw shape ``T`` (``None`` where AWS answers "there is none")."""

    __slots__ = ("name", "shape")

    def __init__(self, name: str, shape: type[T] | Any) -> None:
        if raw.SHAPES.get(name) is not shape and raw.SHAPES.get(name) != shape | None:
            raise ValueError(f"{name}: its responses are validated as {raw.SHAPES.get(name)!r}, not {shape!r}")
        self.name = name
        self.shape = shape

    def targets(self, snapshot: Snapshot, region: str = GLOBAL) -> Mapping[str, T | None]:
        """The responses stored for ``region``, by target."""
        found: Mapping[str, T | None] = snapshot.calls.get(self.name, {}).get(region, {})
        return found

    def get(self, snapshot: Snapshot, region: str = GLOBAL, target: str = NO_TARGET) -> T | None:
        """The stored response, or ``None`` when it is absent (absence is in the gaps)."""
        return self.targets(snapshot, region).get(target)

    def regional(self, snapshot: Snapshot) -> Iterator[tuple[str, T]]:
        """(region, response) for each region answered without a target, in region order."""
        for region in sorted(snapshot.calls.get(self.name, {})):
            response = self.get(snapshot, region)
            if response is not None:
                yield region, response


AUTHORIZATION_DETAILS = Api[raw.AuthorizationDetails]("iam:GetAccountAuthorizationDetails", raw.AuthorizationDetails)
CREDENTIAL_REPORT = Api[raw.CredentialReport]("iam:GetCredentialReport", raw.CredentialReport)
PASSWORD_POLICY = Api[raw.PasswordPolicyResponse]("iam:GetAccountPasswordPolicy", raw.PasswordPolicyResponse)
ACCOUNT_SUMMARY = Api[raw.AccountSummary]("iam:GetAccountSummary", raw.AccountSummary)
ACCOUNT_ALIASES = Api[raw.AccountAliases]("iam:ListAccountAliases", raw.AccountAliases)
VIRTUAL_MFA_DEVICES = Api[raw.VirtualMFADevices]("iam:ListVirtualMFADevices", raw.VirtualMFADevices)
ACCESS_KEYS = Api[raw.AccessKeys]("iam:ListAccessKeys", raw.AccessKeys)
ACCESS_KEY_LAST_USED = Api[raw.AccessKeyLastUsed]("iam:GetAccessKeyLastUsed", raw.AccessKeyLastUsed)
MFA_DEVICES = Api[raw.MFADevices]("iam:ListMFADevices", raw.MFADevices)
LOGIN_PROFILE = Api[raw.LoginProfile]("iam:GetLoginProfile", raw.LoginProfile)
SERVER_CERTIFICATES = Api[raw.ServerCertificates]("iam:ListServerCertificates", raw.ServerCertificates)
SAML_PROVIDERS = Api[raw.SAMLProviders]("iam:ListSAMLProviders", raw.SAMLProviders)
OIDC_PROVIDERS = Api[raw.OIDCProviders]("iam:ListOpenIDConnectProviders", raw.OIDCProviders)
OIDC_PROVIDER = Api[raw.OIDCProvider]("iam:GetOpenIDConnectProvider", raw.OIDCProvider)
ORGANIZATIONS_FEATURES = Api[raw.OrganizationsFeatures]("iam:ListOrganizationsFeatures", raw.OrganizationsFeatures)
SERVICE_LAST_ACCESSED = Api[raw.ServiceLastAccessedDetails](
    "iam:GetServiceLastAccessedDetails", raw.ServiceLastAccessedDetails
)
TRAILS = Api[raw.Trails]("cloudtrail:DescribeTrails", raw.Trails)
TRAIL_STATUS = Api[raw.TrailStatus]("cloudtrail:GetTrailStatus", raw.TrailStatus)
EVENT_SELECTORS = Api[raw.EventSelectors]("cloudtrail:GetEventSelectors", raw.EventSelectors)
ANALYZERS = Api[raw.Analyzers]("access-analyzer:ListAnalyzers", raw.Analyzers)
RECORDERS = Api[raw.ConfigurationRecorders]("config:DescribeConfigurationRecorders", raw.ConfigurationRecorders)
RECORDER_STATUS = Api[raw.ConfigurationRecorderStatus](
    "config:DescribeConfigurationRecorderStatus", raw.ConfigurationRecorderStatus
)
INSTANCES = Api[raw.Reservations]("ec2:DescribeInstances", raw.Reservations)
INSTANCE_ATTRIBUTE = Api[raw.InstanceAttribute]("ec2:DescribeInstanceAttribute", raw.InstanceAttribute)
FUNCTIONS = Api[raw.LambdaFunctions]("lambda:ListFunctions", raw.LambdaFunctions)
ORGANIZATION = Api[raw.Organization]("organizations:DescribeOrganization", raw.Organization)
PARENTS = Api[raw.Parents]("organizations:ListParents", raw.Parents)
ORG_POLICIES = Api[raw.OrgPolicies]("organizations:ListPolicies", raw.OrgPolicies)
ORG_POLICY = Api[raw.OrgPolicy]("organizations:DescribePolicy", raw.OrgPolicy)
POLICY_TARGETS = Api[raw.PolicyTargets]("organizations:ListTargetsForPolicy", raw.PolicyTargets)

APIS: tuple[Api[Any], ...] = tuple(v for v in list(globals().values()) if isinstance(v, Api))
"""Every API the model reads."""
