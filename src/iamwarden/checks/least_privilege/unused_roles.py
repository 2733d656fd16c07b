"""least_privilege.unused_roles - roles are used, or removed.

What it does: a role (not service-linked) created at least ``unused_principal_days`` (90) before the snapshot whose
``RoleLastUsed`` is older than that, or absent (never used in IAM's tracking period), fails.
Why is this bad? Unused roles keep their permissions and trust relationships; each is a path nobody watches.
Example: created two years ago, last used 200 days ago - fails.
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
    days_between,
    failed,
    iso,
    missing,
    not_applicable,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import AUTH_DETAILS, inventory_missing

METADATA = CheckMetadata(
    id="least_privilege.unused_roles",
    title="IAM roles unused for 90 days are removed",
    practice=1,
    severity=Severity.LOW,
    resource_type="AwsIamRole",
    why="An unused role still carries its permissions and trust policy; removing it shrinks what an attacker can "
    "assume and what you have to review.",
    remediation=Remediation(
        "Confirm the role is not needed (CloudTrail, owners), then delete it with its instance profiles and policies.",
        cli=(
            "aws iam get-role --role-name <role> --query Role.RoleLastUsed",
            "aws iam delete-role --role-name <role>",
        ),
        console=("IAM console > Roles: sort by Last activity; delete roles that are not needed.",),
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    limit = thresholds.unused_principal_days
    now = account.collected_at
    for role in account.roles:
        facts = {"created": iso(role.created), "last_used": iso(role.last_used), "threshold_days": limit}
        if role.service_linked:
            yield not_applicable(role.arn, "service-linked role (managed by its service)")
        elif role.created is not None and days_between(role.created, now) < limit:
            yield passed(role.arn, f"role is younger than {limit} days", **facts)
        elif role.last_used is None:
            yield failed(role.arn, "role has no recorded use", **facts)
        elif days_between(role.last_used, now) >= limit:
            yield failed(role.arn, f"role last used {days_between(role.last_used, now)} days ago", **facts)
        else:
            yield passed(role.arn, f"role used {days_between(role.last_used, now)} days ago", **facts)


CHECK = Check(METADATA, evaluate)
