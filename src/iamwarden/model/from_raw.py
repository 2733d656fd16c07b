"""Each domain entity from its raw AWS shape (:mod:`iamwarden.collect.raw`): a typed ``*_from_raw`` per entity.

These read one validated response item and decide what it means (AWS's "no date" markers, ``N/A`` services, defaults
of absent fields); :mod:`iamwarden.model.build` finds the items in the snapshot and links the entities together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from iamwarden.collect import raw
from iamwarden.model.entities import (
    AccessKey,
    Analyzer,
    ConfigRecorder,
    CredentialReportRow,
    Ec2Instance,
    Group,
    InlinePolicy,
    InstanceProfile,
    LambdaFunction,
    LoginProfile,
    ManagedPolicy,
    MfaDevice,
    OidcProvider,
    OrgPolicy,
    PasswordPolicy,
    PolicyVersion,
    Role,
    SamlProvider,
    ServerCertificate,
    ServiceLastAccessed,
    Tag,
    Trail,
    TrailStatus,
    User,
)

_NO_DATE = ("", "N/A", "no_information", "not_supported")


def timestamp(value: str | None) -> datetime | None:
    """An AWS timestamp as an aware datetime (naive ones are UTC); ``None`` for AWS's "no date" markers."""
    if value is None or value in _NO_DATE:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def tags_from_raw(items: Iterable[raw.Tag] | None) -> tuple[Tag, ...]:
    return tuple(Tag(t["Key"], t["Value"]) for t in items or ())


def inline_policies_from_raw(items: Iterable[raw.InlinePolicy] | None) -> tuple[InlinePolicy, ...]:
    return tuple(InlinePolicy(p["PolicyName"], raw.decode_policy_document(p["PolicyDocument"])) for p in items or ())


def attached_from_raw(items: Iterable[raw.AttachedPolicy] | None) -> tuple[str, ...]:
    return tuple(p["PolicyArn"] for p in items or ())


def boundary_from_raw(boundary: raw.PermissionsBoundary | None) -> str | None:
    return boundary["PermissionsBoundaryArn"] if boundary else None


def credential_row_from_raw(r: Mapping[str, str]) -> CredentialReportRow:
    """One row of :func:`iamwarden.collect.raw.parse_credential_report`."""
    password = r.get("password_enabled", "false")
    return CredentialReportRow(
        user=r["user"],
        arn=r["arn"],
        user_creation_time=timestamp(r.get("user_creation_time")),
        password_enabled=None if password == "not_supported" else password == "true",
        password_last_used=timestamp(r.get("password_last_used")),
        password_last_changed=timestamp(r.get("password_last_changed")),
        password_next_rotation=timestamp(r.get("password_next_rotation")),
        mfa_active=r.get("mfa_active") == "true",
        access_key_1_active=r.get("access_key_1_active") == "true",
        access_key_1_last_rotated=timestamp(r.get("access_key_1_last_rotated")),
        access_key_1_last_used=timestamp(r.get("access_key_1_last_used_date")),
        access_key_2_active=r.get("access_key_2_active") == "true",
        access_key_2_last_rotated=timestamp(r.get("access_key_2_last_rotated")),
        access_key_2_last_used=timestamp(r.get("access_key_2_last_used_date")),
        cert_1_active=r.get("cert_1_active") == "true",
        cert_2_active=r.get("cert_2_active") == "true",
    )


def service_last_accessed_from_raw(s: raw.ServiceLastAccessed) -> ServiceLastAccessed:
    return ServiceLastAccessed(
        service_namespace=s["ServiceNamespace"],
        service_name=s["ServiceName"],
        last_authenticated=timestamp(s.get("LastAuthenticated")),
        last_authenticated_entity=s.get("LastAuthenticatedEntity"),
        last_authenticated_region=s.get("LastAuthenticatedRegion"),
    )


def virtual_mfa_from_raw(d: raw.VirtualMFADevice) -> MfaDevice:
    """A virtual MFA device; its user is ``<root_account>`` when the root user holds it."""
    user = d.get("User") or {}
    name = user.get("UserName")
    if name is None and str(user.get("Arn", "")).endswith(":root"):
        name = "<root_account>"
    return MfaDevice(d["SerialNumber"], name, timestamp(d.get("EnableDate")), virtual=True)


def mfa_device_from_raw(d: raw.MFADevice, user_name: str, virtual_serials: frozenset[str]) -> MfaDevice:
    """A device ListMFADevices names for ``user_name``: virtual when ListVirtualMFADevices lists its serial."""
    return MfaDevice(
        d["SerialNumber"], user_name, timestamp(d.get("EnableDate")), virtual=d["SerialNumber"] in virtual_serials
    )


def access_key_from_raw(k: raw.AccessKeyMetadata, user_name: str, used: raw.AccessKeyLastUsed | None) -> AccessKey:
    """An access key and what GetAccessKeyLastUsed said of it (``None``: not asked)."""
    detail = used["AccessKeyLastUsed"] if used else None
    service = detail.get("ServiceName") if detail else None
    region = detail.get("Region") if detail else None
    return AccessKey(
        key_id=k["AccessKeyId"],
        user_name=user_name,
        status=k["Status"],
        created=timestamp(k.get("CreateDate")),
        last_used=timestamp(detail.get("LastUsedDate")) if detail else None,
        last_used_service=None if service in (None, "N/A") else service,
        last_used_region=None if region in (None, "N/A") else region,
        last_used_known=used is not None,
    )


def login_profile_from_raw(resp: raw.LoginProfile) -> LoginProfile:
    lp = resp["LoginProfile"]
    return LoginProfile(timestamp(lp.get("CreateDate")), bool(lp.get("PasswordResetRequired", False)))


def password_policy_from_raw(resp: raw.PasswordPolicyResponse) -> PasswordPolicy:
    """The policy with IAM's defaults for what it leaves out."""
    p = resp["PasswordPolicy"]
    return PasswordPolicy(
        minimum_length=p.get("MinimumPasswordLength", 8),
        require_symbols=p.get("RequireSymbols", False),
        require_numbers=p.get("RequireNumbers", False),
        require_uppercase=p.get("RequireUppercaseCharacters", False),
        require_lowercase=p.get("RequireLowercaseCharacters", False),
        allow_users_to_change=p.get("AllowUsersToChangePassword", False),
        expire_passwords=p.get("ExpirePasswords", False),
        max_age_days=p.get("MaxPasswordAge"),
        reuse_prevention=p.get("PasswordReusePrevention"),
        hard_expiry=p.get("HardExpiry", False),
    )


def policy_version_from_raw(v: raw.PolicyVersion) -> PolicyVersion:
    return PolicyVersion(
        version_id=v["VersionId"],
        is_default=v["IsDefaultVersion"],
        document=raw.decode_policy_document(v["Document"]),
        created=timestamp(v.get("CreateDate")),
    )


def managed_policy_from_raw(p: raw.ManagedPolicyDetail) -> ManagedPolicy:
    return ManagedPolicy(
        arn=p["Arn"],
        name=p["PolicyName"],
        policy_id=p.get("PolicyId"),
        path=p["Path"],
        default_version_id=p["DefaultVersionId"],
        versions=tuple(policy_version_from_raw(v) for v in p["PolicyVersionList"]),
        attachment_count=p.get("AttachmentCount"),
        boundary_usage_count=p.get("PermissionsBoundaryUsageCount"),
        created=timestamp(p.get("CreateDate")),
        updated=timestamp(p.get("UpdateDate")),
        description=p.get("Description", ""),
    )


def user_from_raw(
    u: raw.UserDetail,
    *,
    access_keys: tuple[AccessKey, ...] | None,
    mfa_devices: tuple[MfaDevice, ...] | None,
    login_profile: LoginProfile | None,
    has_console_password: bool | None,
    credential_report: CredentialReportRow | None,
    service_last_accessed: tuple[ServiceLastAccessed, ...] | None,
) -> User:
    """A user from its authorization details and what other APIs said of it."""
    return User(
        name=u["UserName"],
        user_id=u["UserId"],
        arn=u["Arn"],
        path=u["Path"],
        created=timestamp(u["CreateDate"]),
        inline_policies=inline_policies_from_raw(u.get("UserPolicyList")),
        attached_policy_arns=attached_from_raw(u.get("AttachedManagedPolicies")),
        group_names=tuple(u.get("GroupList", ())),
        permissions_boundary_arn=boundary_from_raw(u.get("PermissionsBoundary")),
        tags=tags_from_raw(u.get("Tags")),
        access_keys=access_keys,
        mfa_devices=mfa_devices,
        login_profile=login_profile,
        has_console_password=has_console_password,
        credential_report=credential_report,
        service_last_accessed=service_last_accessed,
    )


def group_from_raw(
    g: raw.GroupDetail, member_names: tuple[str, ...], service_last_accessed: tuple[ServiceLastAccessed, ...] | None
) -> Group:
    return Group(
        name=g["GroupName"],
        group_id=g["GroupId"],
        arn=g["Arn"],
        path=g["Path"],
        created=timestamp(g["CreateDate"]),
        inline_policies=inline_policies_from_raw(g.get("GroupPolicyList")),
        attached_policy_arns=attached_from_raw(g.get("AttachedManagedPolicies")),
        member_names=member_names,
        service_last_accessed=service_last_accessed,
    )


def instance_profile_from_raw(ip: raw.InstanceProfile) -> InstanceProfile:
    return InstanceProfile(
        ip["InstanceProfileName"], ip["Arn"], tuple(str(x.get("RoleName", "")) for x in ip.get("Roles", ()))
    )


def role_from_raw(r: raw.RoleDetail, service_last_accessed: tuple[ServiceLastAccessed, ...] | None) -> Role:
    last_used = r.get("RoleLastUsed") or {}
    trust = r.get("AssumeRolePolicyDocument")
    return Role(
        name=r["RoleName"],
        role_id=r["RoleId"],
        arn=r["Arn"],
        path=r["Path"],
        created=timestamp(r["CreateDate"]),
        trust_policy=raw.decode_policy_document(trust) if trust is not None else None,
        inline_policies=inline_policies_from_raw(r.get("RolePolicyList")),
        attached_policy_arns=attached_from_raw(r.get("AttachedManagedPolicies")),
        permissions_boundary_arn=boundary_from_raw(r.get("PermissionsBoundary")),
        tags=tags_from_raw(r.get("Tags")),
        instance_profiles=tuple(instance_profile_from_raw(ip) for ip in r.get("InstanceProfileList", ())),
        last_used=timestamp(last_used.get("LastUsedDate")),
        last_used_region=last_used.get("Region"),
        max_session_duration=r.get("MaxSessionDuration"),
        description=r.get("Description", ""),
        service_last_accessed=service_last_accessed,
    )


def trail_status_from_raw(s: raw.TrailStatus) -> TrailStatus:
    return TrailStatus(
        is_logging=s["IsLogging"],
        latest_delivery_error=s.get("LatestDeliveryError") or None,
        latest_delivery_time=timestamp(s.get("LatestDeliveryTime")),
        latest_cloudwatch_logs_delivery_time=timestamp(s.get("LatestCloudWatchLogsDeliveryTime")),
    )


def trail_from_raw(
    t: raw.Trail,
    *,
    home_region: str,
    seen_in_region: str,
    status: TrailStatus | None,
    event_selectors: raw.EventSelectors | None,
) -> Trail:
    return Trail(
        name=t["Name"],
        arn=t["TrailARN"],
        home_region=home_region,
        seen_in_region=seen_in_region,
        s3_bucket=t.get("S3BucketName"),
        multi_region=t.get("IsMultiRegionTrail", False),
        organization_trail=t.get("IsOrganizationTrail", False),
        include_global_service_events=t.get("IncludeGlobalServiceEvents", False),
        log_file_validation=t.get("LogFileValidationEnabled", False),
        kms_key_id=t.get("KmsKeyId"),
        cloudwatch_logs_group_arn=t.get("CloudWatchLogsLogGroupArn"),
        status=status,
        event_selectors=event_selectors,
    )


def config_recorder_from_raw(rec: Mapping[str, Any], region: str, status: raw.RecorderStatus | None) -> ConfigRecorder:
    group = rec.get("recordingGroup") or {}
    return ConfigRecorder(
        name=str(rec.get("name", "")),
        region=region,
        recording=status.get("recording") if status else None,
        all_supported=group.get("allSupported"),
        include_global_resource_types=group.get("includeGlobalResourceTypes"),
        last_status=status.get("lastStatus") if status else None,
    )


def ec2_instance_from_raw(i: raw.Instance, region: str, user_data: str | None) -> Ec2Instance:
    profile = i.get("IamInstanceProfile") or {}
    return Ec2Instance(
        instance_id=i["InstanceId"],
        region=region,
        state=(i.get("State") or {}).get("Name"),
        instance_profile_arn=profile.get("Arn"),
        http_tokens=(i.get("MetadataOptions") or {}).get("HttpTokens"),
        user_data=user_data,
        tags=tags_from_raw(i.get("Tags")),
    )


def lambda_function_from_raw(f: raw.LambdaFunction, region: str) -> LambdaFunction:
    env = (f.get("Environment") or {}).get("Variables") or {}
    return LambdaFunction(
        name=f["FunctionName"],
        arn=f["FunctionArn"],
        region=region,
        role_arn=f.get("Role"),
        runtime=f.get("Runtime"),
        environment={str(k): str(v) for k, v in env.items()},
    )


def org_policy_from_raw(
    summary: raw.PolicySummary, policy_type: str, described: raw.OrgPolicy | None, targets: raw.PolicyTargets | None
) -> OrgPolicy:
    """An organization policy from ListPolicies, with its content (DescribePolicy) and targets when collected."""
    return OrgPolicy(
        policy_id=summary["Id"],
        name=summary["Name"],
        type=summary.get("Type", policy_type),
        aws_managed=summary.get("AwsManaged", False),
        document=raw.decode_policy_document(described["Policy"]["Content"]) if described else None,
        target_ids=tuple(t["TargetId"] for t in targets["Targets"]) if targets else (),
    )


def server_certificate_from_raw(c: raw.ServerCertificateMetadata) -> ServerCertificate:
    return ServerCertificate(
        c["ServerCertificateName"], c["Arn"], timestamp(c.get("UploadDate")), timestamp(c.get("Expiration"))
    )


def saml_provider_from_raw(p: Mapping[str, Any]) -> SamlProvider:
    return SamlProvider(str(p.get("Arn", "")), timestamp(p.get("ValidUntil")))


def oidc_provider_from_raw(arn: str, detail: raw.OIDCProvider | None) -> OidcProvider:
    if detail is None:
        return OidcProvider(arn, None, ())
    return OidcProvider(arn, detail.get("Url"), tuple(detail.get("ClientIDList", ())))


def analyzer_from_raw(a: raw.Analyzer, region: str) -> Analyzer:
    return Analyzer(a["arn"], a["name"], a["type"], a.get("status"), region)
