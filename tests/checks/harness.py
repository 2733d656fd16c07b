"""Build a snapshot from a short case description (tests as data, see cases/*.yaml).

Every response is a real AWS response shape (what boto3 returns), recorded with :class:`SnapshotBuilder` and read back
through JSON validation as a file would be; the shorthands only fill in fields a case does not care about (ids, paths,
dates). Keys of a case's ``snapshot``:

``collected_at``, ``regions``; ``summary`` (SummaryMap); ``users`` / ``groups`` / ``roles`` / ``policies``
(GetAccountAuthorizationDetails entries, recorded unless ``no_authorization_details: true``); ``credential_report``
(rows, columns defaulting to N/A / false); ``access_keys`` ({user: [{id, status, created, last_used, service}]});
``login_profiles`` ({user: created date or null}); ``mfa_devices`` ({user: [serial]}); ``virtual_mfa`` ([{serial,
user}]); ``password_policy`` (PasswordPolicy or null); ``records`` ([{api, region, target, response}]);
``gaps`` ([{api, error_code, region, target}]); ``code_leaks`` (see :func:`build_case_account`).

Expected resources may be short: ``root`` is the account root ARN, ``user/alice`` gets the IAM ARN prefix; anything
starting with ``arn:`` is taken as is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

import orjson

from iamwarden.collect.raw import CREDENTIAL_REPORT_COLUMNS
from iamwarden.collect.secrets.keys import fingerprint, mask
from iamwarden.collect.secrets.report_file import CodeLocation, LeakedKey
from iamwarden.collect.snapshot import Snapshot, SnapshotBuilder, snapshot_from_json
from iamwarden.model import Account, build_account

ACCOUNT = "111122223333"
PREFIX = f"arn:aws:iam::{ACCOUNT}:"
DEFAULT_DATE = "2024-01-01T00:00:00+00:00"
REPORT_COLUMNS = list(CREDENTIAL_REPORT_COLUMNS)
FALSE_COLUMNS = {
    "password_enabled",
    "mfa_active",
    "access_key_1_active",
    "access_key_2_active",
    "cert_1_active",
    "cert_2_active",
}


def resource(short: str) -> str:
    if short == "root":
        return f"{PREFIX}root"
    return short if short.startswith("arn:") else PREFIX + short


def _user(spec: Mapping[str, Any]) -> dict[str, Any]:
    name = spec["name"]
    out: dict[str, Any] = {
        "Path": spec.get("path", "/"),
        "UserName": name,
        "UserId": f"AIDA{name.upper():0<16}"[:20],
        "Arn": f"{PREFIX}user/{name}",
        "CreateDate": spec.get("created", DEFAULT_DATE),
        "GroupList": spec.get("groups", []),
        "UserPolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in spec.get("inline", {}).items()],
        "AttachedManagedPolicies": [
            {"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in spec.get("attached", [])
        ],
    }
    if "boundary" in spec:
        out["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": spec["boundary"]}
    return out


def _group(spec: Mapping[str, Any]) -> dict[str, Any]:
    name = spec["name"]
    return {
        "Path": "/",
        "GroupName": name,
        "GroupId": f"AGPA{name.upper():0<16}"[:20],
        "Arn": f"{PREFIX}group/{name}",
        "CreateDate": spec.get("created", DEFAULT_DATE),
        "GroupPolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in spec.get("inline", {}).items()],
        "AttachedManagedPolicies": [
            {"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in spec.get("attached", [])
        ],
    }


def _role(spec: Mapping[str, Any]) -> dict[str, Any]:
    name = spec["name"]
    path = spec.get("path", "/")
    trust = spec.get(
        "trust",
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        },
    )
    out: dict[str, Any] = {
        "Path": path,
        "RoleName": name,
        "RoleId": f"AROA{name.upper():0<16}"[:20],
        "Arn": f"{PREFIX}role{path}{name}",
        "CreateDate": spec.get("created", DEFAULT_DATE),
        "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": [],
        "RolePolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in spec.get("inline", {}).items()],
        "AttachedManagedPolicies": [
            {"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in spec.get("attached", [])
        ],
        "RoleLastUsed": {"LastUsedDate": spec["last_used"]} if spec.get("last_used") else {},
    }
    if "boundary" in spec:
        out["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": spec["boundary"]}
    return out


def _policy(spec: Mapping[str, Any]) -> dict[str, Any]:
    arn = spec.get("arn") or f"{PREFIX}policy/{spec['name']}"
    return {
        "PolicyName": arn.rsplit("/", 1)[-1],
        "PolicyId": "ANPA" + f"{arn.rsplit('/', 1)[-1].upper():0<16}"[:16],
        "Arn": arn,
        "Path": "/",
        "DefaultVersionId": "v1",
        "AttachmentCount": spec.get("attachment_count", 1),
        "PolicyVersionList": [{"Document": spec["document"], "VersionId": "v1", "IsDefaultVersion": True}],
    }


def _report(rows: list[Mapping[str, Any]]) -> str:
    lines = [",".join(REPORT_COLUMNS)]
    for row in rows:
        user = row["user"]
        values = {
            "arn": f"{PREFIX}root" if user == "<root_account>" else f"{PREFIX}user/{user}",
            "user_creation_time": DEFAULT_DATE,
        }
        if user == "<root_account>":
            values.update(
                password_enabled="not_supported",
                password_last_changed="not_supported",
                password_next_rotation="not_supported",
            )
        values.update({k: ("true" if v is True else "false" if v is False else str(v)) for k, v in row.items()})
        lines.append(",".join(values.get(c, "false" if c in FALSE_COLUMNS else "N/A") for c in REPORT_COLUMNS))
    return "\n".join(lines) + "\n"


def build_case_account(spec: Mapping[str, Any]) -> Account:
    """The modelled account of a case's ``snapshot`` spec; ``code_leaks`` (a secrets report's keys: [{key, account,
    secret_exposed, locations: [{path, line, commit}]}]) is set on it as ``scan --secrets`` does."""
    account = build_account(build_case_snapshot(spec))
    if "code_leaks" not in spec:
        return account
    leaks = tuple(
        LeakedKey(
            fingerprint(leak["key"]),
            mask(leak["key"]),
            leak.get("account", ACCOUNT),
            leak.get("secret_exposed", False),
            leak.get("example", False),
            tuple(CodeLocation(**loc) for loc in leak.get("locations", [{"path": "app.env", "line": 1}])),
        )
        for leak in spec["code_leaks"] or ()
    )
    return replace(account, code_leaks=leaks)


def build_case_snapshot(spec: Mapping[str, Any]) -> Snapshot:
    """The snapshot of a case's ``snapshot`` spec, read back through JSON validation as a file would be."""
    collected = datetime.fromisoformat(spec.get("collected_at", "2026-11-28T00:00:00+00:00"))
    b = SnapshotBuilder(
        account_id=ACCOUNT, regions=spec.get("regions", ["us-east-1"]), source="generated", collected_at=collected
    )
    if not spec.get("no_authorization_details"):
        b.record(
            "iam:GetAccountAuthorizationDetails",
            {
                "UserDetailList": [_user(u) for u in spec.get("users", [])],
                "GroupDetailList": [_group(g) for g in spec.get("groups", [])],
                "RoleDetailList": [_role(r) for r in spec.get("roles", [])],
                "Policies": [_policy(p) for p in spec.get("policies", [])],
            },
        )
    if "summary" in spec:
        b.record("iam:GetAccountSummary", {"SummaryMap": spec["summary"]})
    if "credential_report" in spec:
        b.record("iam:GetCredentialReport", {"Content": _report(spec["credential_report"]), "ReportFormat": "text/csv"})
    for user, keys in spec.get("access_keys", {}).items():
        b.record(
            "iam:ListAccessKeys",
            {
                "AccessKeyMetadata": [
                    {
                        "UserName": user,
                        "AccessKeyId": k["id"],
                        "Status": k.get("status", "Active"),
                        "CreateDate": k.get("created", DEFAULT_DATE),
                    }
                    for k in keys
                ]
            },
            target=user,
        )
        for k in keys:
            if k.get("last_used_known", True):
                detail: dict[str, Any] = {"ServiceName": k.get("service", "N/A"), "Region": k.get("region", "N/A")}
                if k.get("last_used"):
                    detail["LastUsedDate"] = k["last_used"]
                b.record("iam:GetAccessKeyLastUsed", {"UserName": user, "AccessKeyLastUsed": detail}, target=k["id"])
    for user, created in spec.get("login_profiles", {}).items():
        response = None if created is None else {"LoginProfile": {"UserName": user, "CreateDate": created}}
        b.record("iam:GetLoginProfile", response, target=user)
    for user, serials in spec.get("mfa_devices", {}).items():
        b.record(
            "iam:ListMFADevices",
            {"MFADevices": [{"UserName": user, "SerialNumber": s, "EnableDate": DEFAULT_DATE} for s in serials]},
            target=user,
        )
    if "virtual_mfa" in spec:
        devices = []
        for d in spec["virtual_mfa"]:
            device: dict[str, Any] = {"SerialNumber": d["serial"]}
            if d.get("user") == "<root_account>":
                device["User"] = {"Arn": f"{PREFIX}root", "UserId": ACCOUNT}
            elif d.get("user"):
                device["User"] = {
                    "UserName": d["user"],
                    "Arn": f"{PREFIX}user/{d['user']}",
                    "UserId": "AIDAX",
                    "Path": "/",
                    "CreateDate": DEFAULT_DATE,
                }
            devices.append(device)
        b.record("iam:ListVirtualMFADevices", {"VirtualMFADevices": devices})
    if "password_policy" in spec:
        policy = spec["password_policy"]
        b.record("iam:GetAccountPasswordPolicy", None if policy is None else {"PasswordPolicy": policy})
    for rec in spec.get("records", []):
        b.record(rec["api"], rec["response"], region=rec.get("region", "global"), target=rec.get("target", "_"))
    for gap in spec.get("gaps", []):
        b.gap(
            gap["api"],
            gap.get("error_code", "AccessDenied"),
            gap.get("message", ""),
            region=gap.get("region", "global"),
            target=gap.get("target", "_"),
        )
    doc = orjson.loads(orjson.dumps(b.build().to_json()))
    return snapshot_from_json(doc, "case")
