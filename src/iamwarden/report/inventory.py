"""What an account holds, as plain rows: :func:`inventory` turns an :class:`Account` into an :class:`Inventory`.

Pure and deterministic (rows sorted by name), so ``inventory.json`` is stable across runs. No judgement here: the
checks decide what is wrong; the inventory only says what is there and what could not be collected (the gaps).
Access key ids appear masked (``AKIA************MPLE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import orjson

from iamwarden.collect.apis import GLOBAL
from iamwarden.model import Account, Role, User
from iamwarden.runtime import write_atomically

MfaKind = Literal["hardware", "virtual", "none", "unknown"]


@dataclass(frozen=True, slots=True)
class AccountHeader:
    account_id: str
    partition: str
    alias: str | None
    source: str
    collected_at: datetime
    regions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RootRow:
    mfa: MfaKind
    access_keys_present: bool | None
    last_used: datetime | None
    """The root password's last use (credential report)."""


@dataclass(frozen=True, slots=True)
class UserRow:
    name: str
    console: bool | None
    mfa: MfaKind
    access_keys: int | None
    active_access_keys: int | None
    groups: tuple[str, ...]
    attached_policies: int
    inline_policies: int
    permissions_boundary: bool
    password_last_used: datetime | None


@dataclass(frozen=True, slots=True)
class RoleRow:
    name: str
    trusted: tuple[str, ...]
    """Who may assume it: ``service:ec2.amazonaws.com``, ``aws:arn:...``, ``federated:...``, ``*``."""
    attached_policies: int
    inline_policies: int
    permissions_boundary: bool
    instance_profiles: tuple[str, ...]
    service_linked: bool
    last_used: datetime | None
    last_used_region: str | None


@dataclass(frozen=True, slots=True)
class GroupRow:
    name: str
    members: tuple[str, ...]
    attached_policies: int
    inline_policies: int


@dataclass(frozen=True, slots=True)
class PolicyRow:
    name: str
    arn: str
    aws_managed: bool
    attachments: int | None
    boundary_uses: int | None
    versions: int


@dataclass(frozen=True, slots=True)
class AccessKeyRow:
    user: str
    key_id: str
    """Masked."""
    status: str
    created: datetime | None
    age_days: int | None
    last_used: datetime | None
    last_used_service: str | None
    last_used_known: bool


@dataclass(frozen=True, slots=True)
class MfaRow:
    owner: str
    kind: MfaKind
    serial: str
    enabled: datetime | None


@dataclass(frozen=True, slots=True)
class TrailRow:
    name: str
    home_region: str
    multi_region: bool
    organization_trail: bool
    logging: bool | None
    log_file_validation: bool
    kms: bool
    cloudwatch_logs: bool


@dataclass(frozen=True, slots=True)
class RegionRow:
    """What watches one collected region: analyzers and Config recorders."""

    region: str
    analyzers: tuple[str, ...]
    config_recorders: tuple[str, ...]
    config_recording: bool | None
    """True when a recorder is recording; None when neither recorders nor their status were collected."""


@dataclass(frozen=True, slots=True)
class WorkloadRow:
    kind: Literal["ec2", "lambda"]
    name: str
    region: str
    role: str | None
    """Instance profile or execution role ARN; None when the workload has none."""


@dataclass(frozen=True, slots=True)
class OrganizationInfo:
    org_id: str
    management_account_id: str | None
    path: tuple[str, ...]
    scps_by_level: tuple[tuple[str, tuple[str, ...]], ...]
    """(node id, names of the SCPs attached there), root first."""


@dataclass(frozen=True, slots=True)
class GapRow:
    api: str
    region: str
    target: str
    error_code: str
    message: str


@dataclass(frozen=True, slots=True)
class Inventory:
    account: AccountHeader
    root: RootRow
    users: tuple[UserRow, ...]
    roles: tuple[RoleRow, ...]
    groups: tuple[GroupRow, ...]
    policies: tuple[PolicyRow, ...]
    access_keys: tuple[AccessKeyRow, ...]
    mfa_devices: tuple[MfaRow, ...]
    trails: tuple[TrailRow, ...]
    regions: tuple[RegionRow, ...]
    workloads: tuple[WorkloadRow, ...]
    organization: OrganizationInfo | None
    organization_known: bool
    """False when DescribeOrganization was not collected (then ``organization`` None says nothing)."""
    gaps: tuple[GapRow, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "users": len(self.users),
            "roles": len(self.roles),
            "groups": len(self.groups),
            "customer_policies": sum(1 for p in self.policies if not p.aws_managed),
            "aws_policies": sum(1 for p in self.policies if p.aws_managed),
            "access_keys": len(self.access_keys),
            "mfa_devices": len(self.mfa_devices),
            "trails": len(self.trails),
            "workloads": len(self.workloads),
            "gaps": len(self.gaps),
        }


def _mfa_kind(user: User) -> MfaKind:
    if user.mfa_devices is None:
        if user.credential_report is not None:
            return "unknown" if user.credential_report.mfa_active else "none"
        return "unknown"
    if not user.mfa_devices:
        return "none"
    return "hardware" if any(not d.virtual for d in user.mfa_devices) else "virtual"


def trusted_principals(role: Role) -> tuple[str, ...]:
    """Every principal an Allow statement of the trust policy names, as ``kind:value`` (``*`` for anyone)."""
    found: set[str] = set()
    statements = (role.trust_policy or {}).get("Statement", [])
    for st in statements if isinstance(statements, list) else [statements]:
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal")
        if principal == "*":
            found.add("*")
        elif isinstance(principal, dict):
            for kind, values in principal.items():
                for value in [values] if isinstance(values, str) else values or ():
                    found.add("*" if value == "*" else f"{str(kind).lower()}:{value}")
    return tuple(sorted(found))


def _age_days(created: datetime | None, now: datetime) -> int | None:
    return None if created is None else max(0, (now - created).days)


def inventory(account: Account) -> Inventory:
    """The inventory of ``account``: every row sorted, nothing judged."""
    now = account.collected_at
    root_report = account.root.credential_report
    root_mfa: MfaKind
    if account.root.mfa_enabled is None:
        root_mfa = "unknown"
    elif not account.root.mfa_enabled:
        root_mfa = "none"
    else:
        root_mfa = "hardware" if account.root.hardware_mfa else "virtual"
    users = tuple(
        UserRow(
            name=u.name,
            console=u.has_console_password,
            mfa=_mfa_kind(u),
            access_keys=None if u.access_keys is None else len(u.access_keys),
            active_access_keys=None if u.access_keys is None else sum(1 for k in u.access_keys if k.active),
            groups=tuple(sorted(u.group_names)),
            attached_policies=len(u.attached_policy_arns),
            inline_policies=len(u.inline_policies),
            permissions_boundary=u.permissions_boundary_arn is not None,
            password_last_used=u.credential_report.password_last_used if u.credential_report else None,
        )
        for u in sorted(account.users, key=lambda u: u.name)
    )
    roles = tuple(
        RoleRow(
            name=r.name,
            trusted=trusted_principals(r),
            attached_policies=len(r.attached_policy_arns),
            inline_policies=len(r.inline_policies),
            permissions_boundary=r.permissions_boundary_arn is not None,
            instance_profiles=tuple(sorted(p.name for p in r.instance_profiles)),
            service_linked=r.service_linked,
            last_used=r.last_used,
            last_used_region=r.last_used_region,
        )
        for r in sorted(account.roles, key=lambda r: r.name)
    )
    groups = tuple(
        GroupRow(g.name, tuple(sorted(g.member_names)), len(g.attached_policy_arns), len(g.inline_policies))
        for g in sorted(account.groups, key=lambda g: g.name)
    )
    policies = tuple(
        PolicyRow(p.name, p.arn, p.aws_managed, p.attachment_count, p.boundary_usage_count, len(p.versions))
        for p in sorted(account.policies, key=lambda p: (p.aws_managed, p.name))
    )
    keys = tuple(
        AccessKeyRow(
            user=u.name,
            key_id=k.masked_id,
            status=str(k.status),
            created=k.created,
            age_days=_age_days(k.created, now),
            last_used=k.last_used,
            last_used_service=k.last_used_service,
            last_used_known=k.last_used_known,
        )
        for u in sorted(account.users, key=lambda u: u.name)
        for k in sorted(u.access_keys or (), key=lambda k: (k.created is None, k.created, k.key_id))
    )
    mfa: list[MfaRow] = []
    for u in sorted(account.users, key=lambda u: u.name):
        for d in u.mfa_devices or ():
            mfa.append(MfaRow(u.name, "virtual" if d.virtual else "hardware", d.serial, d.enabled))
    for d in account.virtual_mfa_devices or ():
        if d.user_name == "<root_account>":
            mfa.append(MfaRow("<root_account>", "virtual", d.serial, d.enabled))
    trails = tuple(
        TrailRow(
            name=t.name,
            home_region=t.home_region,
            multi_region=t.multi_region,
            organization_trail=t.organization_trail,
            logging=t.status.is_logging if t.status else None,
            log_file_validation=t.log_file_validation,
            kms=bool(t.kms_key_id),
            cloudwatch_logs=bool(t.cloudwatch_logs_group_arn),
        )
        for t in sorted(account.trails, key=lambda t: (t.home_region, t.name))
    )
    regions = []
    for region in sorted(account.regions):
        recorders = [c for c in account.config_recorders if c.region == region]
        recording: bool | None = any(c.recording for c in recorders)
        if not recorders and not account.was_collected("config:DescribeConfigurationRecorders", region):
            recording = None
        regions.append(
            RegionRow(
                region=region,
                analyzers=tuple(sorted(f"{a.name} ({a.type})" for a in account.analyzers if a.region == region)),
                config_recorders=tuple(sorted(c.name for c in recorders)),
                config_recording=recording,
            )
        )
    workloads = sorted(
        [
            WorkloadRow("ec2", _instance_name(i.instance_id, i.tags), i.region, i.instance_profile_arn)
            for i in account.instances
        ]
        + [WorkloadRow("lambda", f.name, f.region, f.role_arn) for f in account.functions],
        key=lambda w: (w.kind, w.region, w.name),
    )
    org = account.organization
    organization = None
    if org is not None:
        organization = OrganizationInfo(
            org_id=org.org_id,
            management_account_id=org.management_account_id,
            path=org.path,
            scps_by_level=tuple(
                (node, tuple(sorted(p.name for p in level)))
                for node, level in zip(org.path, org.levels("SERVICE_CONTROL_POLICY"), strict=True)
            ),
        )
    gaps = tuple(
        GapRow(g.api, g.region, g.target, g.error_code, g.message)
        for g in sorted(account.gaps, key=lambda g: (g.api, g.region, g.target))
    )
    return Inventory(
        account=AccountHeader(
            account.account_id, account.partition, account.alias, account.source, now, tuple(account.regions)
        ),
        root=RootRow(
            root_mfa, account.root.access_keys_present, root_report.password_last_used if root_report else None
        ),
        users=users,
        roles=roles,
        groups=groups,
        policies=policies,
        access_keys=keys,
        mfa_devices=tuple(mfa),
        trails=trails,
        regions=tuple(regions),
        workloads=tuple(workloads),
        organization=organization,
        organization_known=account.was_collected("organizations:DescribeOrganization", GLOBAL),
        gaps=gaps,
    )


def _instance_name(instance_id: str, tags: Any) -> str:
    name = next((t.value for t in tags if t.key == "Name"), None)
    return f"{name} ({instance_id})" if name else instance_id


def inventory_json(inv: Inventory) -> bytes:
    """``inventory.json``: the inventory with its counts, keys in a fixed order, dates in ISO 8601."""
    return orjson.dumps(
        {"format": "iamwarden-inventory", "format_version": 1, "counts": inv.counts, "inventory": inv},
        option=orjson.OPT_INDENT_2 | orjson.OPT_UTC_Z | orjson.OPT_APPEND_NEWLINE,
    )


def write_inventory(inv: Inventory, path: Path) -> None:
    """Write ``inventory.json`` atomically (:func:`iamwarden.runtime.write_atomically`), readable like any report."""
    write_atomically(path, inventory_json(inv), "the inventory")


__all__ = [
    "AccessKeyRow",
    "AccountHeader",
    "GapRow",
    "GroupRow",
    "Inventory",
    "MfaRow",
    "OrganizationInfo",
    "PolicyRow",
    "RegionRow",
    "RoleRow",
    "RootRow",
    "TrailRow",
    "UserRow",
    "WorkloadRow",
    "inventory",
    "inventory_json",
    "trusted_principals",
    "write_inventory",
]
