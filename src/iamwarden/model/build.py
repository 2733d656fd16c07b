"""Build the domain model (:class:`Account`) from a validated :class:`Snapshot`.

The snapshot's responses have already been checked against their raw shapes (:mod:`iamwarden.collect.raw`), so this
module reads them without re-validating; it decides what each response means and links things together.
"""

from __future__ import annotations

import base64
import binascii

from iamwarden.collect import raw
from iamwarden.collect.apis import GLOBAL
from iamwarden.collect.snapshot import Snapshot
from iamwarden.model import responses as api
from iamwarden.model.entities import (
    AccessKey,
    Account,
    ConfigRecorder,
    CredentialReportRow,
    Ec2Instance,
    Group,
    LambdaFunction,
    LoginProfile,
    ManagedPolicy,
    MfaDevice,
    Organization,
    PasswordPolicy,
    Role,
    RootUser,
    ServiceLastAccessed,
    Trail,
    User,
)
from iamwarden.model.from_raw import (
    access_key_from_raw,
    analyzer_from_raw,
    config_recorder_from_raw,
    credential_row_from_raw,
    ec2_instance_from_raw,
    group_from_raw,
    lambda_function_from_raw,
    login_profile_from_raw,
    managed_policy_from_raw,
    mfa_device_from_raw,
    oidc_provider_from_raw,
    org_policy_from_raw,
    password_policy_from_raw,
    role_from_raw,
    saml_provider_from_raw,
    server_certificate_from_raw,
    service_last_accessed_from_raw,
    timestamp,
    trail_from_raw,
    trail_status_from_raw,
    user_from_raw,
    virtual_mfa_from_raw,
)
from iamwarden.runtime import gc_paused


def _credential_rows(snapshot: Snapshot) -> tuple[CredentialReportRow, ...] | None:
    report = api.CREDENTIAL_REPORT.get(snapshot)
    if report is None:
        return None
    return tuple(credential_row_from_raw(r) for r in raw.parse_credential_report(report["Content"]))


def _service_last_accessed(snapshot: Snapshot, arn: str) -> tuple[ServiceLastAccessed, ...] | None:
    details = api.SERVICE_LAST_ACCESSED.get(snapshot, GLOBAL, arn)
    if details is None:
        return None
    return tuple(service_last_accessed_from_raw(s) for s in details["ServicesLastAccessed"])


def _virtual_mfa(snapshot: Snapshot) -> tuple[MfaDevice, ...] | None:
    resp = api.VIRTUAL_MFA_DEVICES.get(snapshot)
    if resp is None:
        return None
    return tuple(virtual_mfa_from_raw(d) for d in resp["VirtualMFADevices"])


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
    listed = api.MFA_DEVICES.get(snapshot, GLOBAL, name)
    if listed is not None:
        return tuple(mfa_device_from_raw(d, name, index[0]) for d in listed["MFADevices"])
    if virtual is not None:
        mine = index[1].get(name, ())
        if mine or (report is not None and not report.mfa_active):
            return mine
    return None


def _access_keys(snapshot: Snapshot, name: str) -> tuple[AccessKey, ...] | None:
    listed = api.ACCESS_KEYS.get(snapshot, GLOBAL, name)
    if listed is None:
        return None
    return tuple(
        access_key_from_raw(k, name, api.ACCESS_KEY_LAST_USED.get(snapshot, GLOBAL, k["AccessKeyId"]))
        for k in listed["AccessKeyMetadata"]
    )


def _login_profile(snapshot: Snapshot, name: str) -> tuple[bool, LoginProfile | None]:
    """(known, profile): GetLoginProfile answered for this user, and what it said."""
    targets = api.LOGIN_PROFILE.targets(snapshot)
    if name not in targets:
        return False, None
    resp = targets[name]
    return True, login_profile_from_raw(resp) if resp is not None else None


def _password_policy(snapshot: Snapshot) -> PasswordPolicy | None:
    resp = api.PASSWORD_POLICY.get(snapshot)
    return password_policy_from_raw(resp) if resp is not None else None


def _policies(details: raw.AuthorizationDetails | None) -> tuple[ManagedPolicy, ...]:
    if details is None:
        return ()
    return tuple(managed_policy_from_raw(p) for p in details["Policies"])


def _trails(snapshot: Snapshot) -> tuple[Trail, ...]:
    trails: dict[str, Trail] = {}
    for region, resp in api.TRAILS.regional(snapshot):
        for t in resp["trailList"]:
            arn = t["TrailARN"]
            home = t.get("HomeRegion", region)
            if arn in trails and home != region:
                continue  # a shadow copy of a trail already seen in its home region
            status_raw = api.TRAIL_STATUS.get(snapshot, region, arn)
            trails[arn] = trail_from_raw(
                t,
                home_region=home,
                seen_in_region=region,
                status=trail_status_from_raw(status_raw) if status_raw else None,
                event_selectors=api.EVENT_SELECTORS.get(snapshot, region, arn),
            )
    return tuple(trails.values())


def _config_recorders(snapshot: Snapshot) -> tuple[ConfigRecorder, ...]:
    out = []
    for region, resp in api.RECORDERS.regional(snapshot):
        statuses = api.RECORDER_STATUS.get(snapshot, region)
        by_name = {s["name"]: s for s in statuses["ConfigurationRecordersStatus"]} if statuses else {}
        for rec in resp["ConfigurationRecorders"]:
            out.append(config_recorder_from_raw(rec, region, by_name.get(str(rec.get("name", "")))))
    return tuple(out)


def _user_data(snapshot: Snapshot, region: str, instance_id: str) -> str | None:
    attr = api.INSTANCE_ATTRIBUTE.get(snapshot, region, instance_id)
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
    return tuple(
        ec2_instance_from_raw(i, region, _user_data(snapshot, region, i["InstanceId"]))
        for region, resp in api.INSTANCES.regional(snapshot)
        for reservation in resp["Reservations"]
        for i in reservation["Instances"]
    )


def _functions(snapshot: Snapshot) -> tuple[LambdaFunction, ...]:
    return tuple(
        lambda_function_from_raw(f, region)
        for region, resp in api.FUNCTIONS.regional(snapshot)
        for f in resp["Functions"]
    )


def _organization(snapshot: Snapshot, account_id: str) -> Organization | None:
    resp = api.ORGANIZATION.get(snapshot)
    if resp is None:
        return None
    org = resp["Organization"]
    # Walk ListParents from the account up to the root.
    path = [account_id]
    parents = api.PARENTS.targets(snapshot)
    node = account_id
    complete = False
    for _ in range(10):  # Organizations nests OUs at most five deep
        listed = parents.get(node)
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
        listed_policies = api.ORG_POLICIES.get(snapshot, GLOBAL, policy_type)
        for summary in listed_policies["Policies"] if listed_policies else ():
            described = api.ORG_POLICY.get(snapshot, GLOBAL, summary["Id"])
            targets = api.POLICY_TARGETS.get(snapshot, GLOBAL, summary["Id"])
            policies.append(org_policy_from_raw(summary, policy_type, described, targets))
    features = api.ORGANIZATIONS_FEATURES.get(snapshot)
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


def _users(
    snapshot: Snapshot,
    details: raw.AuthorizationDetails | None,
    report_rows: tuple[CredentialReportRow, ...] | None,
    virtual: tuple[MfaDevice, ...] | None,
) -> tuple[User, ...]:
    report_by_arn = {r.arn: r for r in report_rows or ()}
    virtual_index = _virtual_index(virtual)
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
            user_from_raw(
                u,
                access_keys=_access_keys(snapshot, u["UserName"]),
                mfa_devices=_user_mfa(snapshot, u["UserName"], virtual, report, virtual_index),
                login_profile=profile,
                has_console_password=has_password,
                credential_report=report,
                service_last_accessed=_service_last_accessed(snapshot, u["Arn"]),
            )
        )
    return tuple(users)


def _build_account(snapshot: Snapshot) -> Account:
    details = api.AUTHORIZATION_DETAILS.get(snapshot)
    report_rows = _credential_rows(snapshot)
    virtual = _virtual_mfa(snapshot)
    summary_resp = api.ACCOUNT_SUMMARY.get(snapshot)
    summary = dict(summary_resp["SummaryMap"]) if summary_resp else {}

    user_t = _users(snapshot, details, report_rows, virtual)
    members: dict[str, list[str]] = {}
    for user in user_t:
        for g in user.group_names:
            members.setdefault(g, []).append(user.name)
    groups = tuple(
        group_from_raw(g, tuple(members.get(g["GroupName"], ())), _service_last_accessed(snapshot, g["Arn"]))
        for g in (details["GroupDetailList"] if details else ())
    )
    role_t = tuple(
        role_from_raw(r, _service_last_accessed(snapshot, r["Arn"]))
        for r in (details["RoleDetailList"] if details else ())
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

    aliases = api.ACCOUNT_ALIASES.get(snapshot)
    certs = api.SERVER_CERTIFICATES.get(snapshot)
    saml = api.SAML_PROVIDERS.get(snapshot)
    oidc = api.OIDC_PROVIDERS.get(snapshot)
    policies = _policies(details)

    analyzers = tuple(
        analyzer_from_raw(a, region) for region, resp in api.ANALYZERS.regional(snapshot) for a in resp["analyzers"]
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
            tuple(server_certificate_from_raw(c) for c in certs["ServerCertificateMetadataList"]) if certs else None
        ),
        saml_providers=tuple(saml_provider_from_raw(p) for p in saml["SAMLProviderList"]) if saml else None,
        oidc_providers=(
            tuple(
                oidc_provider_from_raw(ref["Arn"], api.OIDC_PROVIDER.get(snapshot, GLOBAL, ref["Arn"]))
                for ref in oidc["OpenIDConnectProviderList"]
            )
            if oidc
            else None
        ),
        trails=_trails(snapshot),
        analyzers=analyzers,
        config_recorders=_config_recorders(snapshot),
        instances=_instances(snapshot),
        functions=_functions(snapshot),
        organization=_organization(snapshot, snapshot.account_id),
        gaps=snapshot.gaps,
        collected=frozenset((api_name, region) for api_name, regions in snapshot.calls.items() for region in regions),
        users_by_name={u.name: u for u in user_t},
        groups_by_name={g.name: g for g in groups},
        roles_by_name={r.name: r for r in role_t},
        policies_by_arn={p.arn: p for p in policies},
        principals_by_arn=principals,
    )


def load_account(path: str) -> Account:
    """Read, validate and model a snapshot file in one step."""
    from iamwarden.collect.snapshot import read_snapshot

    return build_account(read_snapshot(path))


__all__ = ["build_account", "load_account", "timestamp"]
