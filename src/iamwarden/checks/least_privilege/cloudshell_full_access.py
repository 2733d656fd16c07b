"""least_privilege.cloudshell_full_access - nobody has AWSCloudShellFullAccess attached.

What it does: fails users, groups and roles with ``arn:aws:iam::aws:policy/AWSCloudShellFullAccess`` attached.
Why is this bad? Full CloudShell access includes file upload and download and an internet-connected shell with sudo:
a ready channel to move data out of the account.
Example: a group with AWSCloudShellFullAccess fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from iamwarden.analysis.context import AnalysisContext
from iamwarden.checks.base import (
    Check,
    CheckMetadata,
    Outcome,
    Remediation,
    Severity,
    account_arn,
    failed,
    missing,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import AUTH_DETAILS, inventory_missing
from iamwarden.model import Group, Role, User

METADATA = CheckMetadata(
    id="least_privilege.cloudshell_full_access",
    title="No identity has AWSCloudShellFullAccess attached",
    practice=1,
    severity=Severity.MEDIUM,
    resource_type="AwsIamPrincipal",
    why="AWSCloudShellFullAccess allows file transfer between CloudShell and the user's machine and an "
    "internet-connected shell with sudo, a ready path for data exfiltration.",
    remediation=Remediation(
        "Detach AWSCloudShellFullAccess; grant a custom CloudShell policy that denies file upload/download if "
        "CloudShell is needed.",
        cli=(
            "aws iam list-entities-for-policy --policy-arn arn:aws:iam::aws:policy/AWSCloudShellFullAccess",
            "aws iam detach-role-policy --role-name <role> "
            "--policy-arn arn:aws:iam::aws:policy/AWSCloudShellFullAccess",
        ),
        console=("IAM console > Policies > AWSCloudShellFullAccess > Entities attached > Detach.",),
    ),
    cis_aws_v6=("2.21",),
    security_hub=("IAM.27",),
    references=("https://docs.aws.amazon.com/cloudshell/latest/userguide/sec-auth-with-identities.html",),
)

_TYPES = {User: "AwsIamUser", Group: "AwsIamGroup", Role: "AwsIamRole"}


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    arn = f"arn:{account.partition}:iam::aws:policy/AWSCloudShellFullAccess"
    principals: list[User | Group | Role] = [*account.users, *account.groups, *account.roles]
    holders = [p for p in principals if arn in p.attached_policy_arns]
    for principal in holders:
        yield replace(
            failed(principal.arn, "AWSCloudShellFullAccess is attached", policy=arn),
            resource_type=_TYPES[type(principal)],
        )
    if not holders:
        yield replace(
            passed(account_arn(account), "no identity has AWSCloudShellFullAccess"), resource_type="AwsAccount"
        )


CHECK = Check(METADATA, evaluate)
