"""audit.support_role - a role with AWSSupportAccess exists for incidents.

What it does: looks for a role (or, weaker, a group or user) with ``arn:aws:iam::aws:policy/AWSSupportAccess``
attached.
Why is this bad? When an incident needs AWS Support, someone must be able to open and manage cases without
borrowing admin or root credentials.
Example: no role carries AWSSupportAccess - fails.
"""

from __future__ import annotations

from collections.abc import Iterator

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
from iamwarden.model import Group, User

METADATA = CheckMetadata(
    id="audit.support_role",
    title="A support role with AWSSupportAccess exists",
    practice=11,
    severity=Severity.LOW,
    resource_type="AwsAccount",
    why="Incident handling with AWS Support should use a dedicated least-privilege role, not administrator or root "
    "credentials.",
    remediation=Remediation(
        "Create a role that your incident responders can assume and attach AWSSupportAccess to it.",
        cli=(
            "aws iam create-role --role-name aws-support --assume-role-policy-document file://trust.json",
            "aws iam attach-role-policy --role-name aws-support --policy-arn arn:aws:iam::aws:policy/AWSSupportAccess",
        ),
        console=("IAM console > Roles > Create role > attach AWSSupportAccess.",),
    ),
    cis_aws_v6=("2.16",),
    security_hub=("IAM.18",),
    references=("https://docs.aws.amazon.com/awssupport/latest/user/accessing-support.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    resource = account_arn(account)
    if inventory_missing(account):
        yield missing(account, resource, AUTH_DETAILS)
        return
    arn = f"arn:{account.partition}:iam::aws:policy/AWSSupportAccess"
    roles = [r.arn for r in account.roles if arn in r.attached_policy_arns]
    people: list[User | Group] = [*account.users, *account.groups]
    others = [p.arn for p in people if arn in p.attached_policy_arns]
    if roles:
        yield passed(resource, f"{len(roles)} role(s) have AWSSupportAccess", roles=roles, users_and_groups=others)
    else:
        yield failed(resource, "no role has AWSSupportAccess attached", roles=[], users_and_groups=others)


CHECK = Check(METADATA, evaluate)
