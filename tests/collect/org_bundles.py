"""A small org bundle written with the bundle writer, for the tests of the reader, the model and the commands.

Four accounts: the management account at the root, ``prod`` and ``dev`` in sibling OUs under ``Workloads`` (an SCP on
``Prod`` denies ``iam:CreateUser``), and ``sandbox``, recorded as a gap (its role could not be assumed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from iamwarden.collect.bundle import (
    AccountGap,
    BundleAccount,
    BundleOrganization,
    BundlePolicy,
    BundleRoot,
    BundleUnit,
    DelegatedAdministrator,
    OrgBundle,
    write_account_snapshot,
    write_bundle,
)
from iamwarden.collect.snapshot import Snapshot, SnapshotBuilder

COLLECTED_AT = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
MANAGEMENT = "111111111111"
PROD = "222222222222"
DEV = "333333333333"
SANDBOX = "444444444444"
ROOT = "r-ab12"
WORKLOADS = "ou-ab12-11111111"
PROD_OU = "ou-ab12-22222222"
DEV_OU = "ou-ab12-33333333"
FULL_ACCESS = "p-FullAWSAccess"
DENY_CREATE_USER = "p-deny0create"
EVERY_NODE = (ROOT, WORKLOADS, PROD_OU, DEV_OU, MANAGEMENT, PROD, DEV, SANDBOX)
"""Where AWS attaches FullAWSAccess: the root, every OU and every account."""
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
DENY_USERS = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]}
ASSUME_DENIED = AccountGap(
    "AccessDenied",
    f"User: arn:aws:iam::{MANAGEMENT}:user/auditor is not authorized to perform: sts:AssumeRole on resource: "
    f"arn:aws:iam::{SANDBOX}:role/iamwarden-member",
)


@dataclass(frozen=True)
class WrittenBundle:
    directory: Path
    bundle: OrgBundle


def account_snapshot(account_id: str, user: str) -> Snapshot:
    """An account with one user, ``user``, allowed everything (the rest not collected: gaps are not needed here)."""
    builder = SnapshotBuilder(account_id=account_id, regions=["us-east-1"], collected_at=COLLECTED_AT)
    builder.record(
        "iam:GetAccountAuthorizationDetails",
        {
            "UserDetailList": [
                {
                    "UserName": user,
                    "UserId": f"AIDA{account_id}",
                    "Arn": f"arn:aws:iam::{account_id}:user/{user}",
                    "Path": "/",
                    "CreateDate": "2026-01-01T00:00:00Z",
                    "GroupList": [],
                    "AttachedManagedPolicies": [],
                    "UserPolicyList": [{"PolicyName": "all", "PolicyDocument": ALLOW_ALL}],
                }
            ],
            "GroupDetailList": [],
            "RoleDetailList": [],
            "Policies": [],
        },
    )
    return builder.build()


def org_bundle(accounts: tuple[BundleAccount, ...]) -> OrgBundle:
    return OrgBundle(
        collected_at=COLLECTED_AT,
        organization=BundleOrganization(
            "o-abcdef1234", f"arn:aws:organizations::{MANAGEMENT}:organization/o-abcdef1234", MANAGEMENT, "ALL", None
        ),
        roots=(BundleRoot(ROOT, f"arn:aws:organizations::{MANAGEMENT}:root/o-abcdef1234/{ROOT}", "Root"),),
        organizational_units=(
            BundleUnit(WORKLOADS, "Workloads", ROOT),
            BundleUnit(PROD_OU, "Prod", WORKLOADS),
            BundleUnit(DEV_OU, "Dev", WORKLOADS),
        ),
        accounts=accounts,
        policies=(
            BundlePolicy(FULL_ACCESS, "FullAWSAccess", "SERVICE_CONTROL_POLICY", True, ALLOW_ALL, EVERY_NODE),
            BundlePolicy(DENY_CREATE_USER, "deny-create-user", "SERVICE_CONTROL_POLICY", False, DENY_USERS, (PROD_OU,)),
        ),
        delegated_administrators=(DelegatedAdministrator(PROD, "guardduty.amazonaws.com"),),
    )


def write_test_bundle(directory: Path) -> WrittenBundle:
    """The four-account bundle, its snapshots and org.json written with the bundle writer."""
    paths = {}
    for account_id, user in ((MANAGEMENT, "admin"), (PROD, "deployer"), (DEV, "developer")):
        paths[account_id] = write_account_snapshot(directory, account_snapshot(account_id, user))
    bundle = org_bundle(
        (
            BundleAccount(MANAGEMENT, "management", "m@example.com", "ACTIVE", (ROOT,), paths[MANAGEMENT], None),
            BundleAccount(PROD, "prod", "p@example.com", "ACTIVE", (ROOT, WORKLOADS, PROD_OU), paths[PROD], None),
            BundleAccount(DEV, "dev", "d@example.com", "ACTIVE", (ROOT, WORKLOADS, DEV_OU), paths[DEV], None),
            BundleAccount(SANDBOX, "sandbox", "s@example.com", "ACTIVE", (ROOT,), None, ASSUME_DENIED),
        )
    )
    write_bundle(bundle, directory)
    return WrittenBundle(directory, bundle)
