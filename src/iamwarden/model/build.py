"""Build the domain model (:class:`Account`) from a validated :class:`Snapshot`.

The snapshot's responses have already been checked against their raw shapes (:mod:`iamwarden.collect.raw`), so this
module reads them without re-validating; it decides what each response means and links things together.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from iamwarden.collect import raw
from iamwarden.collect.apis import GLOBAL, NO_TARGET
from iamwarden.collect.snapshot import Snapshot
from iamwarden.model.entities import (
    AccessKey,
    Account,
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
    Organization,
    OrgPolicy,
    PasswordPolicy,
    PolicyVersion,
    Role,
    RootUser,
    SamlProvider,
    ServerCertificate,
    ServiceLastAccessed,
    Tag,
    Trail,
    TrailStatus,
    User,
)
from iamwarden.runtime import gc_paused

_NO_DATE = ("", "N/A", "no_information", "not_supported")


def timestamp(value: str | None) -> datetime | None:
    """An AWS timestamp as an aware datetime (naive ones are UTC); ``None`` for AWS's "no date" markers."""
    if value is None or value in _NO_DATE:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _tags(items: Iterable[raw.Tag] | None) -> tuple[Tag, ...]:
    return tuple(Tag(t["Key"], t["Value"]) for t in items or ())


def _inline(items: Iterable[raw.InlinePolicy] | None) -> tuple[InlinePolicy, ...]:
    return tuple(InlinePolicy(p["PolicyName"], raw.decode_policy_document(p["PolicyDocument"])) for p in items or ())


def _attached(items: Iterable[raw.AttachedPolicy] | None) -> tuple[str, ...]:
    return tuple(p["PolicyArn"] for p in items or ())


def _boundary(boundary: raw.PermissionsBoundary | None) -> str | None:
    return boundary["PermissionsBoundaryArn"] if boundary else None


def _get(snapshot: Snapshot, api: str, region: str = GLOBAL, target: str = NO_TARGET) -> Any:
    """The stored response, or ``None`` when it is absent (absence is in the gaps)."""
    return snapshot.calls.get(api, {}).get(region, {}).get(target)


def _credential_rows(snapshot: Snapshot) -> tuple[CredentialReportRow, ...] | None:
    report = cast("raw.CredentialReport | None", _get(snapshot, "iam:GetCredentialReport"))
    if report is None:
        return None
    rows = []
    for r in raw.parse_credential_report(report["Content"]):
        password = r.get("password_enabled", "false")
        rows.append(
            CredentialReportRow(
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
        )
    return tuple(rows)


def _service_last_accessed(snapshot: Snapshot, arn: str) -> tuple[ServiceLastAccessed, ...] | None:
    details = cast(
        "raw.ServiceLastAccessedDetails | None", _get(snapshot, "iam:GetServiceLastAccessedDetails", GLOBAL, arn)
    )
    if details is None:
        return None
    return tuple(
        ServiceLastAccessed(
            service_namespace=s["ServiceNamespace"],
            service_name=s["ServiceName"],
            last_authenticated=timestamp(s.get("LastAuthenticated")),
            last_authenticated_entity=s.get("LastAuthenticatedEntity"),
            last_authenticated_region=s.get("LastAuthenticatedRegion"),
        )
        for s in details["ServicesLastAccessed"]
    )


def _virtual_mfa(snapshot: Snapshot) -> tuple[MfaDevice, ...] | None:
    resp = cast("raw.VirtualMFADevices | None", _get(snapshot, "iam:ListVirtualMFADevices"))
    if resp is None:
        return None
    devices = []
    for d in resp["VirtualMFADevices"]:
        user = d.get("User") or {}
        name = user.get("UserName")
        if name is None and str(user.get("Arn", "")).endswith(":root"):
            name = "<root_account>"
        devices.append(MfaDevice(d["SerialNumber"], name, timestamp(d.get("EnableDate")), virtual=True))
    return tuple(devices)


def _virtual_index(
    virtual: tuple[MfaDevice, ...] | None,
) -> tuple[frozenset[str], dict[str | None, tuple[MfaDevice, ...]]]:
    """Serials of the virtual devices, and the devices by user name: built once, not once per user."""
    by_user: dict[str | None, list[MfaDevice]] = {}
    for d in virtual or ():
        by_user.setdefault(d.user_name, []).append(d)
    return frozenset(d.serial for d in virtual or ()), {k: tuple(v) for k, v in by_user.items()}


def _user_mfa(
    snapshot: Snapshot,
    name: str,
    virtual: tuple[MfaDevice, ...] | None,
    report: CredentialReportRow | None,
    index: tuple[frozenset[str], dict[str | None, tuple[MfaDevice, ...]]],
) -> tuple[MfaDevice, ...] | None:
    listed = cast("raw.MFADevices | None", _get(snapshot, "iam:ListMFADevices", GLOBAL, name))
    virtual_serials = index[0]
    if listed is not None:
        return tuple(
            MfaDevice(
                d["SerialNumber"], name, timestamp(d.get("EnableDate")), virtual=d["SerialNumber"] in virtual_serials
            )
            for d in listed["MFADevices"]
        )
    if virtual is not None:
        mine = index[1].get(name, ())
        if mine or (report is not None and not report.mfa_active):
            return mine
    return None


def _access_keys(snapshot: Snapshot, name: str) -> tuple[AccessKey, ...] | None:
    listed = cast("raw.AccessKeys | None", _get(snapshot, "iam:ListAccessKeys", GLOBAL, name))
    if listed is None:
        return None
    keys = []
    for k in listed["AccessKeyMetadata"]:
        used = cast(
            "raw.AccessKeyLastUsed | None", _get(snapshot, "iam:GetAccessKeyLastUsed", GLOBAL, k["AccessKeyId"])
        )
        detail = used["AccessKeyLastUsed"] if used else None
        service = detail.get("ServiceName") if detail else None
        region = detail.get("Region") if detail else None
        keys.append(
            AccessKey(
                key_id=k["AccessKeyId"],
                user_name=name,
                status=k["Status"],
                created=timestamp(k.get("CreateDate")),
                last_used=timestamp(detail.get("LastUsedDate")) if detail else None,
                last_used_service=None if service in (None, "N/A") else service,
                last_used_region=None if region in (None, "N/A") else region,
                last_used_known=used is not None,
            )
        )
    return tuple(keys)


def _login_profile(snapshot: Snapshot, name: str) -> tuple[bool, LoginProfile | None]:
    """(known, profile): GetLoginProfile answered for this user, and what it said."""
    targets = snapshot.calls.get("iam:GetLoginProfile", {}).get(GLOBAL, {})
    if name not in targets:
        return False, None
    resp = cast("raw.LoginProfile | None", targets[name])
    if resp is None:
        return True, None
    lp = resp["LoginProfile"]
    return True, LoginProfile(timestamp(lp.get("CreateDate")), bool(lp.get("PasswordResetRequired", False)))


def _password_policy(snapshot: Snapshot) -> PasswordPolicy | None:
    resp = cast("raw.PasswordPolicyResponse | None", _get(snapshot, "iam:GetAccountPasswordPolicy"))
    if resp is None:
        return None
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


def _policies(details: raw.AuthorizationDetails | None) -> tuple[ManagedPolicy, ...]:
    if details is None:
        return ()
    out = []
    for p in details["Policies"]:
        versions = tuple(
            PolicyVersion(
                version_id=v["VersionId"],
                is_default=v["IsDefaultVersion"],
                document=raw.decode_policy_document(v["Document"]),
                created=timestamp(v.get("CreateDate")),
            )
            for v in p["PolicyVersionList"]
        )
        out.append(
            ManagedPolicy(
                arn=p["Arn"],
                name=p["PolicyName"],
                policy_id=p.get("PolicyId"),
                path=p["Path"],
                default_version_id=p["DefaultVersionId"],
                versions=versions,
                attachment_count=p.get("AttachmentCount"),
                boundary_usage_count=p.get("PermissionsBoundaryUsageCount"),
                created=timestamp(p.get("CreateDate")),
                updated=timestamp(p.get("UpdateDate")),
                description=p.get("Description", ""),
            )
        )
    return tuple(out)


def _regional(snapshot: Snapshot, api: str) -> Iterable[tuple[str, Any]]:
    for region, targets in sorted(snapshot.calls.get(api, {}).items()):
        if NO_TARGET in targets and targets[NO_TARGET] is not None:
            yield region, targets[NO_TARGET]


def _trails(snapshot: Snapshot) -> tuple[Trail, ...]:
    trails: dict[str, Trail] = {}
    for region, resp in _regional(snapshot, "cloudtrail:DescribeTrails"):
        for t in cast("raw.Trails", resp)["trailList"]:
            arn = t["TrailARN"]
            home = t.get("HomeRegion", region)
            if arn in trails and home != region:
                continue  # a shadow copy of a trail already seen in its home region
            status_raw = cast("raw.TrailStatus | None", _get(snapshot, "cloudtrail:GetTrailStatus", region, arn))
            status = (
                TrailStatus(
                    is_logging=status_raw["IsLogging"],
                    latest_delivery_error=status_raw.get("LatestDeliveryError") or None,
                    latest_delivery_time=timestamp(status_raw.get("LatestDeliveryTime")),
                    latest_cloudwatch_logs_delivery_time=timestamp(status_raw.get("LatestCloudWatchLogsDeliveryTime")),
                )
                if status_raw
                else None
            )
            trails[arn] = Trail(
                name=t["Name"],
                arn=arn,
                home_region=home,
                seen_in_region=region,
                s3_bucket=t.get("S3BucketName"),
                multi_region=t.get("IsMultiRegionTrail", False),
                organization_trail=t.get("IsOrganizationTrail", False),
                include_global_service_events=t.get("IncludeGlobalServiceEvents", False),
                log_file_validation=t.get("LogFileValidationEnabled", False),
                kms_key_id=t.get("KmsKeyId"),
                cloudwatch_logs_group_arn=t.get("CloudWatchLogsLogGroupArn"),
                status=status,
                event_selectors=cast(
                    "Mapping[str, Any] | None", _get(snapshot, "cloudtrail:GetEventSelectors", region, arn)
                ),
            )
    return tuple(trails.values())


def _config_recorders(snapshot: Snapshot) -> tuple[ConfigRecorder, ...]:
    out = []
    for region, resp in _regional(snapshot, "config:DescribeConfigurationRecorders"):
        statuses = cast(
            "raw.ConfigurationRecorderStatus | None",
            _get(snapshot, "config:DescribeConfigurationRecorderStatus", region),
        )
        by_name = {s["name"]: s for s in statuses["ConfigurationRecordersStatus"]} if statuses else {}
        for rec in cast("raw.ConfigurationRecorders", resp)["ConfigurationRecorders"]:
            name = str(rec.get("name", ""))
            group = rec.get("recordingGroup") or {}
            status = by_name.get(name)
            out.append(
                ConfigRecorder(
                    name=name,
                    region=region,
                    recording=status.get("recording") if status else None,
                    all_supported=group.get("allSupported"),
                    include_global_resource_types=group.get("includeGlobalResourceTypes"),
                    last_status=status.get("lastStatus") if status else None,
                )
            )
    return tuple(out)


def _user_data(snapshot: Snapshot, region: str, instance_id: str) -> str | None:
    attr = cast("raw.InstanceAttribute | None", _get(snapshot, "ec2:DescribeInstanceAttribute", region, instance_id))
    if not attr:
        return None
    value = (attr.get("UserData") or {}).get("Value")
    if not value:
        return None
    try:
        return base64.b64decode(value, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return str(value)


def _instances(snapshot: Snapshot) -> tuple[Ec2Instance, ...]:
    out = []
    for region, resp in _regional(snapshot, "ec2:DescribeInstances"):
        for reservation in cast("raw.Reservations", resp)["Reservations"]:
            for i in reservation["Instances"]:
                profile = i.get("IamInstanceProfile") or {}
                out.append(
                    Ec2Instance(
                        instance_id=i["InstanceId"],
                        region=region,
                        state=(i.get("State") or {}).get("Name"),
                        instance_profile_arn=profile.get("Arn"),
                        http_tokens=(i.get("MetadataOptions") or {}).get("HttpTokens"),
                        user_data=_user_data(snapshot, region, i["InstanceId"]),
                        tags=_tags(i.get("Tags")),
                    )
                )
    return tuple(out)


def _functions(snapshot: Snapshot) -> tuple[LambdaFunction, ...]:
    out = []
    for region, resp in _regional(snapshot, "lambda:ListFunctions"):
        for f in cast("raw.LambdaFunctions", resp)["Functions"]:
            env = (f.get("Environment") or {}).get("Variables") or {}
            out.append(
                LambdaFunction(
                    name=f["FunctionName"],
                    arn=f["FunctionArn"],
                    region=region,
                    role_arn=f.get("Role"),
                    runtime=f.get("Runtime"),
                    environment={str(k): str(v) for k, v in env.items()},
                )
            )
    return tuple(out)


def _organization(snapshot: Snapshot, account_id: str) -> Organization | None:
    resp = cast("raw.Organization | None", _get(snapshot, "organizations:DescribeOrganization"))
    if resp is None:
        return None
    org = resp["Organization"]
    # Walk ListParents from the account up to the root.
    path = [account_id]
    parents = snapshot.calls.get("organizations:ListParents", {}).get(GLOBAL, {})
    node = account_id
    complete = False
    for _ in range(10):  # Organizations nests OUs at most five deep
        listed = cast("raw.Parents | None", parents.get(node))
        if not listed or not listed["Parents"]:
            break
        parent = listed["Parents"][0]
        path.append(parent["Id"])
        node = parent["Id"]
        if parent["Type"] == "ROOT":
            complete = True
            break
    policies = []
    for policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        listed_policies = cast(
            "raw.OrgPolicies | None", _get(snapshot, "organizations:ListPolicies", GLOBAL, policy_type)
        )
        for summary in listed_policies["Policies"] if listed_policies else ():
            described = cast(
                "raw.OrgPolicy | None", _get(snapshot, "organizations:DescribePolicy", GLOBAL, summary["Id"])
            )
            targets = cast(
                "raw.PolicyTargets | None", _get(snapshot, "organizations:ListTargetsForPolicy", GLOBAL, summary["Id"])
            )
            policies.append(
                OrgPolicy(
                    policy_id=summary["Id"],
                    name=summary["Name"],
                    type=summary.get("Type", policy_type),
                    aws_managed=summary.get("AwsManaged", False),
                    document=raw.decode_policy_document(described["Policy"]["Content"]) if described else None,
                    target_ids=tuple(t["TargetId"] for t in targets["Targets"]) if targets else (),
                )
            )
    features = cast("raw.OrganizationsFeatures | None", _get(snapshot, "iam:ListOrganizationsFeatures"))
    return Organization(
        org_id=org["Id"],
        management_account_id=org.get("MasterAccountId"),
        feature_set=org.get("FeatureSet"),
        path=tuple(reversed(path)) if complete else (),
        policies=tuple(policies),
        root_credentials_management=("RootCredentialsManagement" in features["EnabledFeatures"]) if features else None,
    )


def build_account(snapshot: Snapshot) -> Account:
    """The :class:`Account` a snapshot describes."""
    with gc_paused():
        return _build_account(snapshot)


def _build_account(snapshot: Snapshot) -> Account:
    details = cast("raw.AuthorizationDetails | None", _get(snapshot, "iam:GetAccountAuthorizationDetails"))
    report_rows = _credential_rows(snapshot)
    report_by_arn = {r.arn: r for r in report_rows or ()}
    virtual = _virtual_mfa(snapshot)
    virtual_index = _virtual_index(virtual)
    summary_resp = cast("raw.AccountSummary | None", _get(snapshot, "iam:GetAccountSummary"))
    summary = dict(summary_resp["SummaryMap"]) if summary_resp else {}

    users = []
    for u in details["UserDetailList"] if details else ():
        report = report_by_arn.get(u["Arn"])
        known, profile = _login_profile(snapshot, u["UserName"])
        has_password: bool | None
        if known:
            has_password = profile is not None
        elif report is not None:
            has_password = report.password_enabled
        else:
            has_password = None
        users.append(
            User(
                name=u["UserName"],
                user_id=u["UserId"],
                arn=u["Arn"],
                path=u["Path"],
                created=timestamp(u["CreateDate"]),
                inline_policies=_inline(u.get("UserPolicyList")),
                attached_policy_arns=_attached(u.get("AttachedManagedPolicies")),
                group_names=tuple(u.get("GroupList", ())),
                permissions_boundary_arn=_boundary(u.get("PermissionsBoundary")),
                tags=_tags(u.get("Tags")),
                access_keys=_access_keys(snapshot, u["UserName"]),
                mfa_devices=_user_mfa(snapshot, u["UserName"], virtual, report, virtual_index),
                login_profile=profile,
                has_console_password=has_password,
                credential_report=report,
                service_last_accessed=_service_last_accessed(snapshot, u["Arn"]),
            )
        )

    members: dict[str, list[str]] = {}
    for user in users:
        for g in user.group_names:
            members.setdefault(g, []).append(user.name)
    groups = tuple(
        Group(
            name=g["GroupName"],
            group_id=g["GroupId"],
            arn=g["Arn"],
            path=g["Path"],
            created=timestamp(g["CreateDate"]),
            inline_policies=_inline(g.get("GroupPolicyList")),
            attached_policy_arns=_attached(g.get("AttachedManagedPolicies")),
            member_names=tuple(members.get(g["GroupName"], ())),
            service_last_accessed=_service_last_accessed(snapshot, g["Arn"]),
        )
        for g in (details["GroupDetailList"] if details else ())
    )

    roles = []
    for r in details["RoleDetailList"] if details else ():
        last_used = r.get("RoleLastUsed") or {}
        trust = r.get("AssumeRolePolicyDocument")
        roles.append(
            Role(
                name=r["RoleName"],
                role_id=r["RoleId"],
                arn=r["Arn"],
                path=r["Path"],
                created=timestamp(r["CreateDate"]),
                trust_policy=raw.decode_policy_document(trust) if trust is not None else None,
                inline_policies=_inline(r.get("RolePolicyList")),
                attached_policy_arns=_attached(r.get("AttachedManagedPolicies")),
                permissions_boundary_arn=_boundary(r.get("PermissionsBoundary")),
                tags=_tags(r.get("Tags")),
                instance_profiles=tuple(
                    InstanceProfile(
                        ip["InstanceProfileName"],
                        ip["Arn"],
                        tuple(str(x.get("RoleName", "")) for x in ip.get("Roles", ())),
                    )
                    for ip in r.get("InstanceProfileList", ())
                ),
                last_used=timestamp(last_used.get("LastUsedDate")),
                last_used_region=last_used.get("Region"),
                max_session_duration=r.get("MaxSessionDuration"),
                description=r.get("Description", ""),
                service_last_accessed=_service_last_accessed(snapshot, r["Arn"]),
            )
        )

    root_arn = f"arn:{snapshot.partition}:iam::{snapshot.account_id}:root"
    root_row = next((row for row in report_rows or () if row.is_root), None)
    root = RootUser(
        arn=root_arn,
        mfa_enabled=bool(summary["AccountMFAEnabled"]) if "AccountMFAEnabled" in summary else None,
        virtual_mfa_serials=tuple(d.serial for d in virtual or () if d.user_name == "<root_account>"),
        access_keys_present=bool(summary["AccountAccessKeysPresent"])
        if "AccountAccessKeysPresent" in summary
        else None,
        credential_report=root_row,
    )

    aliases = cast("raw.AccountAliases | None", _get(snapshot, "iam:ListAccountAliases"))
    certs = cast("raw.ServerCertificates | None", _get(snapshot, "iam:ListServerCertificates"))
    saml = cast("raw.SAMLProviders | None", _get(snapshot, "iam:ListSAMLProviders"))
    oidc = cast("raw.OIDCProviders | None", _get(snapshot, "iam:ListOpenIDConnectProviders"))
    policies = _policies(details)
    user_t, role_t = tuple(users), tuple(roles)

    analyzers = tuple(
        Analyzer(a["arn"], a["name"], a["type"], a.get("status"), region)
        for region, resp in _regional(snapshot, "access-analyzer:ListAnalyzers")
        for a in cast("raw.Analyzers", resp)["analyzers"]
    )
    principals: dict[str, User | Role | Group] = {}
    principals.update((u.arn, u) for u in user_t)
    principals.update((r.arn, r) for r in role_t)
    principals.update((g.arn, g) for g in groups)

    return Account(
        account_id=snapshot.account_id,
        partition=snapshot.partition,
        alias=aliases["AccountAliases"][0] if aliases and aliases["AccountAliases"] else None,
        collected_at=snapshot.collected_at,
        regions=snapshot.regions,
        source=snapshot.source,
        root=root,
        users=user_t,
        groups=groups,
        roles=role_t,
        policies=policies,
        password_policy=_password_policy(snapshot),
        summary=summary,
        credential_report=report_rows,
        virtual_mfa_devices=virtual,
        server_certificates=(
            tuple(
                ServerCertificate(
                    c["ServerCertificateName"], c["Arn"], timestamp(c.get("UploadDate")), timestamp(c.get("Expiration"))
                )
                for c in certs["ServerCertificateMetadataList"]
            )
            if certs
            else None
        ),
        saml_providers=(
            tuple(
                SamlProvider(str(p.get("Arn", "")), timestamp(cast("str | None", p.get("ValidUntil"))))
                for p in saml["SAMLProviderList"]
            )
            if saml
            else None
        ),
        oidc_providers=(
            tuple(_oidc(snapshot, ref["Arn"]) for ref in oidc["OpenIDConnectProviderList"]) if oidc else None
        ),
        trails=_trails(snapshot),
        analyzers=analyzers,
        config_recorders=_config_recorders(snapshot),
        instances=_instances(snapshot),
        functions=_functions(snapshot),
        organization=_organization(snapshot, snapshot.account_id),
        gaps=snapshot.gaps,
        collected=frozenset((api, region) for api, regions in snapshot.calls.items() for region in regions),
        users_by_name={u.name: u for u in user_t},
        groups_by_name={g.name: g for g in groups},
        roles_by_name={r.name: r for r in role_t},
        policies_by_arn={p.arn: p for p in policies},
        principals_by_arn=principals,
    )


def _oidc(snapshot: Snapshot, arn: str) -> OidcProvider:
    detail = cast("raw.OIDCProvider | None", _get(snapshot, "iam:GetOpenIDConnectProvider", GLOBAL, arn))
    if detail is None:
        return OidcProvider(arn, None, ())
    return OidcProvider(arn, detail.get("Url"), tuple(detail.get("ClientIDList", ())))


def load_account(path: str) -> Account:
    """Read, validate and model a snapshot file in one step."""
    from iamwarden.collect.snapshot import read_snapshot

    return build_account(read_snapshot(path))


__all__ = ["build_account", "load_account", "timestamp"]
