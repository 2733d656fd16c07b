"""Raw AWS response shapes, validated apart from the domain model.

These are the responses as boto3 / the AWS CLI return them (pages merged), typed as ``TypedDict`` and checked by
pydantic: lenient (unknown fields are kept and ignored), but every field the model reads must have the right type.
:func:`validate_calls` returns every problem found, each at its JSON path in the snapshot.
"""

from __future__ import annotations

import csv
import io
import urllib.parse
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, NotRequired, cast

import orjson
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    with_config,
)
from typing_extensions import TypedDict

from iamwarden.errors import Problem, json_path


def _check_timestamp(value: str) -> str:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from None
    return value


EPOCH_TIMESTAMPS = "epoch_timestamps"
"""Validation context flag (``context={EPOCH_TIMESTAMPS: True}``): accept epoch seconds where a timestamp goes and turn
them into ISO 8601 text. AWS CLI v1 prints the timestamps of JSON-protocol services (CloudTrail, Config) that way; an
import sets it, a snapshot never needs it (it always holds ISO 8601 text)."""


def _epoch_timestamp(value: Any, info: ValidationInfo) -> Any:
    if not (isinstance(info.context, dict) and info.context.get(EPOCH_TIMESTAMPS)):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"not a timestamp: {value!r}") from None
    return value


def _policy_document(value: Any) -> Any:
    """IAM returns policy documents URL-encoded; boto3 and the AWS CLI decode them. Accept both."""
    if isinstance(value, str):
        try:
            return orjson.loads(urllib.parse.unquote(value))
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"policy document is not valid JSON: {exc.msg}") from None
    if not isinstance(value, dict):
        raise ValueError("a policy document is a JSON object or a (URL-encoded) JSON string")
    return value


Timestamp = Annotated[str, BeforeValidator(_epoch_timestamp), AfterValidator(_check_timestamp)]
PolicyDocument = Annotated[dict[str, Any], BeforeValidator(_policy_document)]

_LENIENT = ConfigDict(extra="allow")


@with_config(_LENIENT)
class Tag(TypedDict):
    Key: str
    Value: str


@with_config(_LENIENT)
class AttachedPolicy(TypedDict):
    PolicyName: str
    PolicyArn: str


@with_config(_LENIENT)
class InlinePolicy(TypedDict):
    PolicyName: str
    PolicyDocument: PolicyDocument


@with_config(_LENIENT)
class PermissionsBoundary(TypedDict):
    PermissionsBoundaryType: NotRequired[str]
    PermissionsBoundaryArn: str


@with_config(_LENIENT)
class UserDetail(TypedDict):
    Path: str
    UserName: str
    UserId: str
    Arn: str
    CreateDate: Timestamp
    UserPolicyList: NotRequired[list[InlinePolicy]]
    GroupList: NotRequired[list[str]]
    AttachedManagedPolicies: NotRequired[list[AttachedPolicy]]
    PermissionsBoundary: NotRequired[PermissionsBoundary]
    Tags: NotRequired[list[Tag]]


@with_config(_LENIENT)
class GroupDetail(TypedDict):
    Path: str
    GroupName: str
    GroupId: str
    Arn: str
    CreateDate: Timestamp
    GroupPolicyList: NotRequired[list[InlinePolicy]]
    AttachedManagedPolicies: NotRequired[list[AttachedPolicy]]


@with_config(_LENIENT)
class RoleLastUsed(TypedDict):
    LastUsedDate: NotRequired[Timestamp]
    Region: NotRequired[str]


@with_config(_LENIENT)
class InstanceProfile(TypedDict):
    Path: str
    InstanceProfileName: str
    InstanceProfileId: str
    Arn: str
    CreateDate: NotRequired[Timestamp]
    Roles: NotRequired[list[dict[str, Any]]]


@with_config(_LENIENT)
class RoleDetail(TypedDict):
    Path: str
    RoleName: str
    RoleId: str
    Arn: str
    CreateDate: Timestamp
    AssumeRolePolicyDocument: NotRequired[PolicyDocument]
    InstanceProfileList: NotRequired[list[InstanceProfile]]
    RolePolicyList: NotRequired[list[InlinePolicy]]
    AttachedManagedPolicies: NotRequired[list[AttachedPolicy]]
    PermissionsBoundary: NotRequired[PermissionsBoundary]
    Tags: NotRequired[list[Tag]]
    RoleLastUsed: NotRequired[RoleLastUsed]
    MaxSessionDuration: NotRequired[int]
    Description: NotRequired[str]


@with_config(_LENIENT)
class PolicyVersion(TypedDict):
    Document: PolicyDocument
    VersionId: str
    IsDefaultVersion: bool
    CreateDate: NotRequired[Timestamp]


@with_config(_LENIENT)
class ManagedPolicyDetail(TypedDict):
    PolicyName: str
    PolicyId: NotRequired[str]  # read by nothing; an answer without it is a gap ``Incomplete`` on the policy's ARN
    Arn: str
    Path: str
    DefaultVersionId: str
    AttachmentCount: NotRequired[int]
    PermissionsBoundaryUsageCount: NotRequired[int]
    IsAttachable: NotRequired[bool]
    Description: NotRequired[str]
    CreateDate: NotRequired[Timestamp]
    UpdateDate: NotRequired[Timestamp]
    PolicyVersionList: list[PolicyVersion]


@with_config(_LENIENT)
class AuthorizationDetails(TypedDict):
    UserDetailList: list[UserDetail]
    GroupDetailList: list[GroupDetail]
    RoleDetailList: list[RoleDetail]
    Policies: list[ManagedPolicyDetail]


CREDENTIAL_REPORT_COLUMNS = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)


def _check_credential_report_csv(value: str) -> str:
    parse_credential_report(value)
    return value


@with_config(_LENIENT)
class CredentialReport(TypedDict):
    """``GetCredentialReport`` with ``Content`` decoded to the CSV text."""

    Content: Annotated[str, AfterValidator(_check_credential_report_csv)]
    ReportFormat: NotRequired[str]
    GeneratedTime: NotRequired[Timestamp]


class CredentialReportError(ValueError):
    """A credential report CSV that cannot be read; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}")


_BOOL_COLUMNS = ("password_enabled", "mfa_active", "access_key_1_active", "access_key_2_active")
_DATE_COLUMNS = (
    "user_creation_time",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "cert_1_last_rotated",
    "cert_2_last_rotated",
)
_NOT_A_DATE = ("N/A", "not_supported", "no_information", "")


def parse_credential_report(text: str) -> list[dict[str, str]]:
    """Rows of a credential report CSV, each a dict by column; raises :class:`CredentialReportError`."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise CredentialReportError(1, "empty credential report") from None
    except csv.Error as exc:
        raise CredentialReportError(1, f"malformed CSV ({exc})") from None
    missing = [c for c in ("user", "arn", "password_enabled", "mfa_active") if c not in header]
    if missing:
        raise CredentialReportError(1, f"header lacks column(s) {', '.join(missing)}")
    rows = []
    try:
        for row in reader:
            if not row:
                continue
            line = reader.line_num
            if len(row) != len(header):
                raise CredentialReportError(line, f"{len(row)} fields where the header has {len(header)}")
            record = dict(zip(header, row, strict=True))
            for col in _BOOL_COLUMNS:
                if col in record and record[col] not in ("true", "false", "not_supported"):
                    raise CredentialReportError(line, f"{col} is {record[col]!r}, not true or false")
            for col in _DATE_COLUMNS:
                value = record.get(col, "")
                if value not in _NOT_A_DATE:
                    try:
                        datetime.fromisoformat(value)
                    except ValueError:
                        raise CredentialReportError(line, f"{col} is not a timestamp: {value!r}") from None
            rows.append(record)
    except csv.Error as exc:
        raise CredentialReportError(reader.line_num, f"malformed CSV ({exc})") from None
    return rows


@with_config(_LENIENT)
class PasswordPolicy(TypedDict):
    MinimumPasswordLength: NotRequired[int]
    RequireSymbols: NotRequired[bool]
    RequireNumbers: NotRequired[bool]
    RequireUppercaseCharacters: NotRequired[bool]
    RequireLowercaseCharacters: NotRequired[bool]
    AllowUsersToChangePassword: NotRequired[bool]
    ExpirePasswords: NotRequired[bool]
    MaxPasswordAge: NotRequired[int]
    PasswordReusePrevention: NotRequired[int]
    HardExpiry: NotRequired[bool]


@with_config(_LENIENT)
class PasswordPolicyResponse(TypedDict):
    PasswordPolicy: PasswordPolicy


@with_config(_LENIENT)
class AccountSummary(TypedDict):
    SummaryMap: dict[str, int]


@with_config(_LENIENT)
class AccountAliases(TypedDict):
    AccountAliases: list[str]


@with_config(_LENIENT)
class VirtualMFADevice(TypedDict):
    SerialNumber: str
    User: NotRequired[dict[str, Any]]
    EnableDate: NotRequired[Timestamp]


@with_config(_LENIENT)
class VirtualMFADevices(TypedDict):
    VirtualMFADevices: list[VirtualMFADevice]


@with_config(_LENIENT)
class MFADevice(TypedDict):
    UserName: NotRequired[str]
    SerialNumber: str
    EnableDate: NotRequired[Timestamp]


@with_config(_LENIENT)
class MFADevices(TypedDict):
    MFADevices: list[MFADevice]


@with_config(_LENIENT)
class AccessKeyMetadata(TypedDict):
    UserName: NotRequired[str]
    AccessKeyId: str
    Status: str
    CreateDate: NotRequired[Timestamp]


@with_config(_LENIENT)
class AccessKeys(TypedDict):
    AccessKeyMetadata: list[AccessKeyMetadata]


@with_config(_LENIENT)
class AccessKeyLastUsedDetail(TypedDict):
    LastUsedDate: NotRequired[Timestamp]
    ServiceName: NotRequired[str]
    Region: NotRequired[str]


@with_config(_LENIENT)
class AccessKeyLastUsed(TypedDict):
    UserName: NotRequired[str]
    AccessKeyLastUsed: AccessKeyLastUsedDetail


@with_config(_LENIENT)
class LoginProfileDetail(TypedDict):
    UserName: str
    CreateDate: NotRequired[Timestamp]
    PasswordResetRequired: NotRequired[bool]


@with_config(_LENIENT)
class LoginProfile(TypedDict):
    LoginProfile: LoginProfileDetail


@with_config(_LENIENT)
class ServerCertificateMetadata(TypedDict):
    Path: NotRequired[str]
    ServerCertificateName: str
    ServerCertificateId: NotRequired[str]
    Arn: str
    UploadDate: NotRequired[Timestamp]
    Expiration: NotRequired[Timestamp]


@with_config(_LENIENT)
class ServerCertificates(TypedDict):
    ServerCertificateMetadataList: list[ServerCertificateMetadata]


@with_config(_LENIENT)
class SAMLProviders(TypedDict):
    SAMLProviderList: list[dict[str, Any]]


@with_config(_LENIENT)
class OIDCProviderRef(TypedDict):
    Arn: str


@with_config(_LENIENT)
class OIDCProviders(TypedDict):
    OpenIDConnectProviderList: list[OIDCProviderRef]


@with_config(_LENIENT)
class OIDCProvider(TypedDict):
    Url: NotRequired[str]
    ClientIDList: NotRequired[list[str]]
    ThumbprintList: NotRequired[list[str]]
    CreateDate: NotRequired[Timestamp]


@with_config(_LENIENT)
class OrganizationsFeatures(TypedDict):
    OrganizationId: NotRequired[str]
    EnabledFeatures: list[str]


@with_config(_LENIENT)
class ServiceLastAccessed(TypedDict):
    ServiceName: str
    ServiceNamespace: str
    LastAuthenticated: NotRequired[Timestamp]
    LastAuthenticatedEntity: NotRequired[str]
    LastAuthenticatedRegion: NotRequired[str]
    TotalAuthenticatedEntities: NotRequired[int]


@with_config(_LENIENT)
class ServiceLastAccessedDetails(TypedDict):
    JobStatus: str
    JobCompletionDate: NotRequired[Timestamp]
    ServicesLastAccessed: list[ServiceLastAccessed]


@with_config(_LENIENT)
class Regions(TypedDict):
    Regions: list[dict[str, Any]]


@with_config(_LENIENT)
class Trail(TypedDict):
    Name: str
    TrailARN: str
    HomeRegion: NotRequired[str]
    S3BucketName: NotRequired[str]
    IsMultiRegionTrail: NotRequired[bool]
    IsOrganizationTrail: NotRequired[bool]
    IncludeGlobalServiceEvents: NotRequired[bool]
    LogFileValidationEnabled: NotRequired[bool]
    KmsKeyId: NotRequired[str]
    CloudWatchLogsLogGroupArn: NotRequired[str]
    CloudWatchLogsRoleArn: NotRequired[str]


@with_config(_LENIENT)
class Trails(TypedDict):
    trailList: list[Trail]


@with_config(_LENIENT)
class TrailStatus(TypedDict):
    IsLogging: bool
    LatestDeliveryError: NotRequired[str]
    LatestDeliveryTime: NotRequired[Timestamp]
    LatestCloudWatchLogsDeliveryTime: NotRequired[Timestamp]
    LatestCloudWatchLogsDeliveryError: NotRequired[str]


@with_config(_LENIENT)
class EventSelectors(TypedDict):
    TrailARN: NotRequired[str]
    EventSelectors: NotRequired[list[dict[str, Any]]]
    AdvancedEventSelectors: NotRequired[list[dict[str, Any]]]


@with_config(_LENIENT)
class Analyzer(TypedDict):
    arn: str
    name: str
    type: str
    status: NotRequired[str]


@with_config(_LENIENT)
class Analyzers(TypedDict):
    analyzers: list[Analyzer]


@with_config(_LENIENT)
class ConfigurationRecorders(TypedDict):
    ConfigurationRecorders: list[dict[str, Any]]


@with_config(_LENIENT)
class RecorderStatus(TypedDict):
    name: str
    recording: NotRequired[bool]
    lastStatus: NotRequired[str]


@with_config(_LENIENT)
class ConfigurationRecorderStatus(TypedDict):
    ConfigurationRecordersStatus: list[RecorderStatus]


@with_config(_LENIENT)
class Instance(TypedDict):
    InstanceId: str
    State: NotRequired[dict[str, Any]]
    IamInstanceProfile: NotRequired[dict[str, Any]]
    MetadataOptions: NotRequired[dict[str, Any]]
    Tags: NotRequired[list[Tag]]
    LaunchTime: NotRequired[Timestamp]


@with_config(_LENIENT)
class Reservation(TypedDict):
    Instances: list[Instance]


@with_config(_LENIENT)
class Reservations(TypedDict):
    Reservations: list[Reservation]


@with_config(_LENIENT)
class InstanceAttribute(TypedDict):
    InstanceId: NotRequired[str]
    UserData: NotRequired[dict[str, Any]]


@with_config(_LENIENT)
class LambdaFunction(TypedDict):
    FunctionName: str
    FunctionArn: str
    Role: NotRequired[str]
    Runtime: NotRequired[str]
    Environment: NotRequired[dict[str, Any]]
    LastModified: NotRequired[str]


@with_config(_LENIENT)
class LambdaFunctions(TypedDict):
    Functions: list[LambdaFunction]


@with_config(_LENIENT)
class OrganizationDetail(TypedDict):
    Id: str
    Arn: NotRequired[str]
    MasterAccountId: NotRequired[str]
    MasterAccountArn: NotRequired[str]
    FeatureSet: NotRequired[str]
    AvailablePolicyTypes: NotRequired[list[dict[str, Any]]]


@with_config(_LENIENT)
class Organization(TypedDict):
    Organization: OrganizationDetail


@with_config(_LENIENT)
class Roots(TypedDict):
    Roots: list[dict[str, Any]]


@with_config(_LENIENT)
class Parent(TypedDict):
    Id: str
    Type: str


@with_config(_LENIENT)
class Parents(TypedDict):
    Parents: list[Parent]


@with_config(_LENIENT)
class PolicySummary(TypedDict):
    Id: str
    Arn: NotRequired[str]
    Name: str
    Type: NotRequired[str]
    AwsManaged: NotRequired[bool]


@with_config(_LENIENT)
class OrgPolicies(TypedDict):
    Policies: list[PolicySummary]


@with_config(_LENIENT)
class OrgPolicyDetail(TypedDict):
    PolicySummary: PolicySummary
    Content: PolicyDocument


@with_config(_LENIENT)
class OrgPolicy(TypedDict):
    Policy: OrgPolicyDetail


@with_config(_LENIENT)
class PolicyTarget(TypedDict):
    TargetId: str
    Arn: NotRequired[str]
    Name: NotRequired[str]
    Type: str


@with_config(_LENIENT)
class PolicyTargets(TypedDict):
    Targets: list[PolicyTarget]


@with_config(_LENIENT)
class CallerIdentity(TypedDict):
    Account: str
    Arn: str
    UserId: NotRequired[str]


SHAPES: dict[str, Any] = {
    "sts:GetCallerIdentity": CallerIdentity,
    "iam:GetAccountAuthorizationDetails": AuthorizationDetails,
    "iam:GetCredentialReport": CredentialReport,
    "iam:GetAccountPasswordPolicy": PasswordPolicyResponse | None,
    "iam:GetAccountSummary": AccountSummary,
    "iam:ListAccountAliases": AccountAliases,
    "iam:ListVirtualMFADevices": VirtualMFADevices,
    "iam:ListAccessKeys": AccessKeys,
    "iam:GetAccessKeyLastUsed": AccessKeyLastUsed,
    "iam:ListMFADevices": MFADevices,
    "iam:GetLoginProfile": LoginProfile | None,
    "iam:ListServerCertificates": ServerCertificates,
    "iam:ListSAMLProviders": SAMLProviders,
    "iam:ListOpenIDConnectProviders": OIDCProviders,
    "iam:GetOpenIDConnectProvider": OIDCProvider,
    "iam:ListOrganizationsFeatures": OrganizationsFeatures,
    "iam:GetServiceLastAccessedDetails": ServiceLastAccessedDetails,
    "ec2:DescribeRegions": Regions,
    "cloudtrail:DescribeTrails": Trails,
    "cloudtrail:GetTrailStatus": TrailStatus,
    "cloudtrail:GetEventSelectors": EventSelectors,
    "access-analyzer:ListAnalyzers": Analyzers,
    "config:DescribeConfigurationRecorders": ConfigurationRecorders,
    "config:DescribeConfigurationRecorderStatus": ConfigurationRecorderStatus,
    "ec2:DescribeInstances": Reservations,
    "ec2:DescribeInstanceAttribute": InstanceAttribute,
    "lambda:ListFunctions": LambdaFunctions,
    "organizations:DescribeOrganization": Organization | None,
    "organizations:ListRoots": Roots,
    "organizations:ListParents": Parents,
    "organizations:ListPolicies": OrgPolicies,
    "organizations:DescribePolicy": OrgPolicy,
    "organizations:ListTargetsForPolicy": PolicyTargets,
}
"""The raw shape of every API's response. ``None`` allowed where AWS answers "there is none"."""

_ADAPTERS: dict[str, TypeAdapter[Any]] = {}
"""Each API's validator, built on first use (building all of them took a third of the process start)."""


def adapter(api: str) -> TypeAdapter[Any]:
    """The validator of ``api``'s response shape (``KeyError`` for an API not in :data:`SHAPES`)."""
    found = _ADAPTERS.get(api)
    if found is None:
        found = _ADAPTERS[api] = TypeAdapter(SHAPES[api])
    return found


def validate_calls(calls: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> list[Problem]:
    """Check every stored response against its API's shape; every problem, at its JSON path."""
    from iamwarden.collect.snapshot import problems_from_validation

    problems: list[Problem] = []
    for api, regions in calls.items():
        if api not in SHAPES:
            problems.append(Problem(json_path(("calls", api)), "unknown API (not one iamwarden collects)"))
            continue
        for region, targets in regions.items():
            for target, response in targets.items():
                prefix: tuple[int | str, ...] = ("calls", api, region, target)
                try:
                    adapter(api).validate_python(response)
                except ValidationError as exc:
                    problems.extend(problems_from_validation(exc, prefix))
    return problems


def decode_policy_document(value: Any) -> dict[str, Any]:
    """A stored policy document as a JSON object (URL-encoded strings decoded). The value must have been validated."""
    return cast("dict[str, Any]", _policy_document(value))
