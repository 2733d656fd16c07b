"""Small organizations for the cross-account tests: each account a real snapshot (read back through validation), its
``Organization`` filled from the organization's OU tree and SCPs/RCPs as the bundle reader fills it from org.json."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from iamwarden.collect.snapshot import Snapshot, SnapshotBuilder, snapshot_from_json
from iamwarden.model import Account, Organization, build_account
from iamwarden.model.entities import OrgPolicy

Json = dict[str, Any]
ORG_ID = "o-testorg001"
ROOT = "r-t001"
DATE = "2024-01-01T00:00:00+00:00"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"


def doc(*statements: Mapping[str, Any]) -> Json:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions: str | Sequence[str], resource: str | Sequence[str] = "*", **extra: Any) -> Json:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


def deny(actions: str | Sequence[str], resource: str | Sequence[str] = "*", **extra: Any) -> Json:
    return {"Effect": "Deny", "Action": actions, "Resource": resource, **extra}


def trust(principal: Any, **extra: Any) -> Json:
    return doc({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole", **extra})


FULL_ACCESS = doc(allow("*"))


@dataclass
class AccountSpec:
    account_id: str
    users: list[Json] = field(default_factory=list)
    roles: list[Json] = field(default_factory=list)

    def arn(self, kind: str, name: str) -> str:
        return f"arn:aws:iam::{self.account_id}:{kind}/{name}"

    def user(self, name: str, inline: Mapping[str, Json] | None = None, attached: Sequence[str] = ()) -> str:
        self.users.append(
            {
                "Path": "/",
                "UserName": name,
                "UserId": f"AIDA{name.upper():0<16}"[:20],
                "Arn": self.arn("user", name),
                "CreateDate": DATE,
                "GroupList": [],
                "UserPolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in (inline or {}).items()],
                "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in attached],
            }
        )
        return self.arn("user", name)

    def role(
        self, name: str, trust_policy: Json, inline: Mapping[str, Json] | None = None, attached: Sequence[str] = ()
    ) -> str:
        self.roles.append(
            {
                "Path": "/",
                "RoleName": name,
                "RoleId": f"AROA{name.upper():0<16}"[:20],
                "Arn": self.arn("role", name),
                "CreateDate": DATE,
                "AssumeRolePolicyDocument": trust_policy,
                "InstanceProfileList": [],
                "RolePolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in (inline or {}).items()],
                "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in attached],
                "RoleLastUsed": {},
            }
        )
        return self.arn("role", name)


@dataclass
class OrgSpec:
    """An organization: accounts under OUs (``parents``: account or OU id -> parent id), SCPs and RCPs by target."""

    management: str
    parents: dict[str, str] = field(default_factory=dict)
    policies: list[OrgPolicy] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.policies.append(
            OrgPolicy("p-FullAWSAccess", "FullAWSAccess", "SERVICE_CONTROL_POLICY", True, FULL_ACCESS, ())
        )

    def place(self, node: str, parent: str) -> None:
        self.parents[node] = parent
        full = self.policies[0]
        self.policies[0] = replace(full, target_ids=(*full.target_ids, node))

    def scp(self, name: str, document: Json, *targets: str, kind: str = "SERVICE_CONTROL_POLICY") -> None:
        self.policies.append(OrgPolicy(f"p-{name}", name, kind, False, document, targets))

    def path(self, account_id: str) -> tuple[str, ...]:
        out = [account_id]
        while out[-1] in self.parents:
            out.append(self.parents[out[-1]])
        return tuple(reversed(out))

    def organization(self, account_id: str) -> Organization:
        if ROOT not in self.policies[0].target_ids:
            self.policies[0] = replace(self.policies[0], target_ids=(ROOT, *self.policies[0].target_ids))
        return Organization(ORG_ID, self.management, "ALL", self.path(account_id), tuple(self.policies), None)

    def account(self, spec: AccountSpec) -> Account:
        return replace(build_account(self.snapshot(spec)), organization=self.organization(spec.account_id))

    def snapshot(self, spec: AccountSpec) -> Snapshot:
        builder = SnapshotBuilder(
            account_id=spec.account_id,
            regions=["us-east-1"],
            source="generated",
            collected_at=datetime(2026, 11, 28, tzinfo=UTC),
        )
        builder.record(
            "iam:GetAccountAuthorizationDetails",
            {
                "UserDetailList": spec.users,
                "GroupDetailList": [],
                "RoleDetailList": spec.roles,
                "Policies": [
                    {
                        "PolicyName": "AdministratorAccess",
                        "PolicyId": "ANPAADMINISTRATOR000",
                        "Arn": ADMIN_POLICY,
                        "Path": "/",
                        "DefaultVersionId": "v1",
                        "AttachmentCount": 1,
                        "IsAttachable": True,
                        "CreateDate": DATE,
                        "UpdateDate": DATE,
                        "PolicyVersionList": [
                            {"Document": FULL_ACCESS, "VersionId": "v1", "IsDefaultVersion": True, "CreateDate": DATE}
                        ],
                    }
                ],
            },
        )
        return snapshot_from_json(builder.build().to_json(), "test")

    def write_bundle(self, directory: Path, specs: Sequence[AccountSpec]) -> Path:
        """The organization as an org bundle (org.json and one snapshot per account) written by the bundle writer."""
        from iamwarden.collect.bundle import (
            BundleAccount,
            BundleOrganization,
            BundlePolicy,
            BundleRoot,
            BundleUnit,
            OrgBundle,
            write_account_snapshot,
            write_bundle,
        )

        self.organization(self.management)  # FullAWSAccess on the root too
        directory.mkdir(parents=True, exist_ok=True)
        units = sorted({p for p in self.parents.values() if p.startswith("ou-")})
        accounts = []
        for spec in specs:
            name = write_account_snapshot(directory, self.snapshot(spec))
            path = self.path(spec.account_id)[:-1]
            accounts.append(
                BundleAccount(spec.account_id, f"a{spec.account_id[:3]}", "a@example.com", "ACTIVE", path, name, None)
            )
        bundle = OrgBundle(
            datetime(2026, 11, 28, tzinfo=UTC),
            BundleOrganization(
                ORG_ID, f"arn:aws:organizations::{self.management}:organization/{ORG_ID}", self.management, "ALL"
            ),
            (BundleRoot(ROOT, f"arn:aws:organizations::{self.management}:root/{ORG_ID}/{ROOT}", "Root"),),
            tuple(BundleUnit(u, u, self.parents[u]) for u in units),
            tuple(accounts),
            tuple(
                BundlePolicy(p.policy_id, p.name, p.type, p.aws_managed, dict(p.document or {}), p.target_ids)
                for p in self.policies
            ),
        )
        write_bundle(bundle, directory)
        return directory
