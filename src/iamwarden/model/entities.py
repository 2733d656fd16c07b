"""The domain model: frozen, typed facts about one AWS account, built from a snapshot by :mod:`.build`.

Policy documents stay as JSON objects here; :mod:`iamwarden.policy` parses and evaluates them. A value that was not
collected is ``None`` *and* the account's gaps say why (``Account.was_collected`` / ``Account.gaps_for``); checks must
ask before they conclude anything from a ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from iamwarden.collect.apis import GLOBAL
from iamwarden.collect.secrets.report_file import LeakedKey
from iamwarden.collect.snapshot import Gap, gaps_for

JSONObject = Mapping[str, Any]

DEFAULT_REGION = "us-east-1"
"""The region of an account whose snapshot names none (an authorization-details file, an IAM-only import): requests
are simulated there (``aws:RequestedRegion``) and findings on global resources filed there. It is where the endpoints
of IAM and the other global services of the ``aws`` partition live."""


@dataclass(frozen=True, slots=True)
class Tag:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class InlinePolicy:
    """A policy embedded in a user, group or role."""

    name: str
    document: JSONObject


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    version_id: str
    is_default: bool
    document: JSONObject
    created: datetime | None


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """A customer- or AWS-managed policy with all its stored versions."""

    arn: str
    name: str
    policy_id: str | None
    """None when the answer left it out (a gap ``Incomplete`` on the policy's ARN says so)."""
    path: str
    default_version_id: str
    versions: tuple[PolicyVersion, ...]
    attachment_count: int | None
    boundary_usage_count: int | None
    created: datetime | None
    updated: datetime | None
    description: str = ""

    @property
    def aws_managed(self) -> bool:
        return self.arn.split(":")[4:5] == ["aws"]

    @property
    def default_version(self) -> PolicyVersion | None:
        for version in self.versions:
            if version.version_id == self.default_version_id:
                return version
        return next((v for v in self.versions if v.is_default), None)

    @property
    def document(self) -> JSONObject | None:
        """The default version's document (``None`` if the snapshot lacks it)."""
        version = self.default_version
        return version.document if version else None


@dataclass(frozen=True, slots=True)
class AccessKey:
    key_id: str
    user_name: str
    status: Literal["Active", "Inactive"] | str
    created: datetime | None
    last_used: datetime | None
    last_used_service: str | None
    last_used_region: str | None
    last_used_known: bool
    """False when GetAccessKeyLastUsed was not collected for this key (then ``last_used`` says nothing)."""

    @property
    def active(self) -> bool:
        return self.status == "Active"

    @property
    def masked_id(self) -> str:
        """The key id as reports show it: the first four and last four characters."""
        return mask_key_id(self.key_id)


def mask_key_id(key_id: str) -> str:
    return key_id if len(key_id) <= 8 else f"{key_id[:4]}{'*' * (len(key_id) - 8)}{key_id[-4:]}"


@dataclass(frozen=True, slots=True)
class MfaDevice:
    serial: str
    user_name: str | None
    enabled: datetime | None
    virtual: bool
    """True for a virtual (authenticator app) device, False for hardware, FIDO or unknown kinds."""


@dataclass(frozen=True, slots=True)
class CredentialReportRow:
    """One decoded row of the credential report. Dates are ``None`` for N/A, ``no_information`` or ``not_supported``."""

    user: str
    arn: str
    user_creation_time: datetime | None
    password_enabled: bool | None
    """``None`` for the root user (``not_supported``)."""
    password_last_used: datetime | None
    password_last_changed: datetime | None
    password_next_rotation: datetime | None
    mfa_active: bool
    access_key_1_active: bool
    access_key_1_last_rotated: datetime | None
    access_key_1_last_used: datetime | None
    access_key_2_active: bool
    access_key_2_last_rotated: datetime | None
    access_key_2_last_used: datetime | None
    cert_1_active: bool
    cert_2_active: bool

    @property
    def is_root(self) -> bool:
        return self.user == "<root_account>"


@dataclass(frozen=True, slots=True)
class LoginProfile:
    created: datetime | None
    password_reset_required: bool


@dataclass(frozen=True, slots=True)
class ServiceLastAccessed:
    service_namespace: str
    service_name: str
    last_authenticated: datetime | None
    last_authenticated_entity: str | None
    last_authenticated_region: str | None


@dataclass(frozen=True, slots=True)
class User:
    name: str
    user_id: str
    arn: str
    path: str
    created: datetime | None
    inline_policies: tuple[InlinePolicy, ...]
    attached_policy_arns: tuple[str, ...]
    group_names: tuple[str, ...]
    permissions_boundary_arn: str | None
    tags: tuple[Tag, ...]
    access_keys: tuple[AccessKey, ...] | None
    """``None`` when ListAccessKeys was not collected for this user."""
    mfa_devices: tuple[MfaDevice, ...] | None
    """``None`` when neither ListMFADevices nor ListVirtualMFADevices told us."""
    login_profile: LoginProfile | None
    has_console_password: bool | None
    """From GetLoginProfile or the credential report; ``None`` when neither was collected."""
    credential_report: CredentialReportRow | None
    service_last_accessed: tuple[ServiceLastAccessed, ...] | None = None


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    group_id: str
    arn: str
    path: str
    created: datetime | None
    inline_policies: tuple[InlinePolicy, ...]
    attached_policy_arns: tuple[str, ...]
    member_names: tuple[str, ...]
    service_last_accessed: tuple[ServiceLastAccessed, ...] | None = None


@dataclass(frozen=True, slots=True)
class InstanceProfile:
    name: str
    arn: str
    role_names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    role_id: str
    arn: str
    path: str
    created: datetime | None
    trust_policy: JSONObject | None
    inline_policies: tuple[InlinePolicy, ...]
    attached_policy_arns: tuple[str, ...]
    permissions_boundary_arn: str | None
    tags: tuple[Tag, ...]
    instance_profiles: tuple[InstanceProfile, ...]
    last_used: datetime | None
    last_used_region: str | None
    max_session_duration: int | None
    description: str = ""
    service_last_accessed: tuple[ServiceLastAccessed, ...] | None = None

    @property
    def service_linked(self) -> bool:
        return self.path.startswith("/aws-service-role/")


@dataclass(frozen=True, slots=True)
class RootUser:
    arn: str
    mfa_enabled: bool | None
    """AccountMFAEnabled from GetAccountSummary (``None`` when not collected)."""
    virtual_mfa_serials: tuple[str, ...]
    """Virtual MFA devices assigned to the root user; MFA on with none of these means hardware MFA."""
    access_keys_present: bool | None
    """AccountAccessKeysPresent from GetAccountSummary."""
    credential_report: CredentialReportRow | None

    @property
    def hardware_mfa(self) -> bool | None:
        if self.mfa_enabled is None:
            return None
        return self.mfa_enabled and not self.virtual_mfa_serials


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    minimum_length: int
    require_symbols: bool
    require_numbers: bool
    require_uppercase: bool
    require_lowercase: bool
    allow_users_to_change: bool
    expire_passwords: bool
    max_age_days: int | None
    reuse_prevention: int | None
    hard_expiry: bool


@dataclass(frozen=True, slots=True)
class ServerCertificate:
    name: str
    arn: str
    uploaded: datetime | None
    expiration: datetime | None


@dataclass(frozen=True, slots=True)
class OidcProvider:
    arn: str
    url: str | None
    client_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SamlProvider:
    arn: str
    valid_until: datetime | None


@dataclass(frozen=True, slots=True)
class TrailStatus:
    is_logging: bool
    latest_delivery_error: str | None
    latest_delivery_time: datetime | None
    latest_cloudwatch_logs_delivery_time: datetime | None


@dataclass(frozen=True, slots=True)
class Trail:
    name: str
    arn: str
    home_region: str
    seen_in_region: str
    s3_bucket: str | None
    multi_region: bool
    organization_trail: bool
    include_global_service_events: bool
    log_file_validation: bool
    kms_key_id: str | None
    cloudwatch_logs_group_arn: str | None
    status: TrailStatus | None
    event_selectors: JSONObject | None
    """GetEventSelectors' response (EventSelectors or AdvancedEventSelectors); ``None`` when not collected."""


@dataclass(frozen=True, slots=True)
class Analyzer:
    arn: str
    name: str
    type: str
    status: str | None
    region: str


@dataclass(frozen=True, slots=True)
class ConfigRecorder:
    name: str
    region: str
    recording: bool | None
    all_supported: bool | None
    include_global_resource_types: bool | None
    last_status: str | None


@dataclass(frozen=True, slots=True)
class Ec2Instance:
    instance_id: str
    region: str
    state: str | None
    instance_profile_arn: str | None
    http_tokens: str | None
    """IMDS: ``required`` means IMDSv2 only."""
    user_data: str | None
    """Decoded user data (``None`` when there is none or it was not collected)."""
    tags: tuple[Tag, ...]


@dataclass(frozen=True, slots=True)
class LambdaFunction:
    name: str
    arn: str
    region: str
    role_arn: str | None
    runtime: str | None
    environment: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class OrgPolicy:
    policy_id: str
    name: str
    type: Literal["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"] | str
    aws_managed: bool
    document: JSONObject | None
    target_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Organization:
    org_id: str
    management_account_id: str | None
    feature_set: str | None
    path: tuple[str, ...]
    """Ids from the root down to the account: ``("r-abcd", "ou-abcd-1", ..., "111122223333")``; empty when unknown."""
    policies: tuple[OrgPolicy, ...]
    root_credentials_management: bool | None
    """IAM's centralized root access (RootCredentialsManagement enabled); ``None`` when not collected."""

    def levels(self, policy_type: str) -> tuple[tuple[OrgPolicy, ...], ...]:
        """Policies of ``policy_type`` attached at each level of :attr:`path`, root first."""
        return tuple(
            tuple(p for p in self.policies if p.type == policy_type and node in p.target_ids) for node in self.path
        )


@dataclass(frozen=True)
class Account:
    """One AWS account as a snapshot saw it. Look-ups by name or ARN are dictionaries built once."""

    account_id: str
    partition: str
    alias: str | None
    collected_at: datetime
    regions: tuple[str, ...]
    source: str
    root: RootUser
    users: tuple[User, ...]
    groups: tuple[Group, ...]
    roles: tuple[Role, ...]
    policies: tuple[ManagedPolicy, ...]
    password_policy: PasswordPolicy | None
    """``None``: the account has none — or it was not collected (ask :meth:`was_collected`)."""
    summary: Mapping[str, int]
    credential_report: tuple[CredentialReportRow, ...] | None
    virtual_mfa_devices: tuple[MfaDevice, ...] | None
    server_certificates: tuple[ServerCertificate, ...] | None
    saml_providers: tuple[SamlProvider, ...] | None
    oidc_providers: tuple[OidcProvider, ...] | None
    trails: tuple[Trail, ...]
    analyzers: tuple[Analyzer, ...]
    config_recorders: tuple[ConfigRecorder, ...]
    instances: tuple[Ec2Instance, ...]
    functions: tuple[LambdaFunction, ...]
    organization: Organization | None
    """``None``: not in an organization — or not collected."""
    gaps: tuple[Gap, ...]
    collected: frozenset[tuple[str, str]] = field(repr=False)
    """(api, region) pairs for which at least one response is stored."""
    users_by_name: Mapping[str, User] = field(repr=False)
    groups_by_name: Mapping[str, Group] = field(repr=False)
    roles_by_name: Mapping[str, Role] = field(repr=False)
    policies_by_arn: Mapping[str, ManagedPolicy] = field(repr=False)
    principals_by_arn: Mapping[str, User | Role | Group] = field(repr=False)
    code_leaks: tuple[LeakedKey, ...] | None = field(default=None, repr=False)
    """Access keys a secrets report (``iamwarden secrets scan``, given with ``scan --secrets``) found in code;
    ``None`` when no report was given."""

    def leaks_of(self, key_id: str) -> tuple[LeakedKey, ...]:
        """The secrets report's finds of this key id (none without a report)."""
        return tuple(leak for leak in self.code_leaks or () if leak.is_key(key_id))

    def was_collected(self, api: str, region: str = GLOBAL) -> bool:
        return (api, region) in self.collected

    def gaps_for(self, api: str, region: str | None = None, target: str | None = None) -> list[Gap]:
        """:func:`iamwarden.collect.snapshot.gaps_for` over the account's gaps."""
        return gaps_for(self.gaps, api, region, target)

    @property
    def first_region(self) -> str:
        """The first region the snapshot covered, else :data:`DEFAULT_REGION`: the region requests are simulated in."""
        return self.regions[0] if self.regions else DEFAULT_REGION

    def user_groups(self, user: User) -> tuple[Group, ...]:
        return tuple(self.groups_by_name[n] for n in user.group_names if n in self.groups_by_name)

    def managed_policies_of(self, principal: User | Group | Role) -> tuple[ManagedPolicy, ...]:
        """Attached managed policies found in the snapshot (an ARN missing from it is skipped; see its gaps)."""
        return tuple(self.policies_by_arn[a] for a in principal.attached_policy_arns if a in self.policies_by_arn)

    @property
    def in_organization(self) -> bool:
        return self.organization is not None
