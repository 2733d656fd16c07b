"""least_privilege.unused_users - IAM users are used, or removed.

What it does: a user created at least ``unused_principal_days`` (90) before the snapshot with no password or key use
in that time (credential report) fails.
Why is this bad? Dormant users keep their credentials and permissions; departed staff and old integrations are
common ways in.
Example: last sign-in 300 days ago, keys never used - fails.
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
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import AUTH_DETAILS, inventory_missing, report_row_missing, user_last_activity

METADATA = CheckMetadata(
    id="least_privilege.unused_users",
    title="IAM users unused for 90 days are removed",
    practice=1,
    severity=Severity.MEDIUM,
    resource_type="AwsIamUser",
    why="Dormant users (departed staff, abandoned integrations) keep working credentials and permissions that nobody "
    "would miss, or notice being used.",
    remediation=Remediation(
        "Confirm with the owner, then remove the user's credentials and delete the user.",
        cli=(
            "aws iam delete-login-profile --user-name <user>",
            "aws iam delete-access-key --user-name <user> --access-key-id <key-id>",
            "aws iam delete-user --user-name <user>",
        ),
        console=("IAM console > Users: sort by Last activity; delete users that are not needed.",),
    ),
    security_hub=("IAM.8",),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    limit = thresholds.unused_principal_days
    now = account.collected_at
    for user in account.users:
        known, last = user_last_activity(user)
        facts = {"created": iso(user.created), "last_activity": iso(last), "threshold_days": limit}
        if user.created is not None and days_between(user.created, now) < limit:
            yield passed(user.arn, f"user is younger than {limit} days", **facts)
        elif not known:
            yield report_row_missing(account, user.arn)
        elif last is None:
            yield failed(user.arn, "user has never signed in or used a key", **facts)
        elif days_between(last, now) >= limit:
            yield failed(user.arn, f"user last active {days_between(last, now)} days ago", **facts)
        else:
            yield passed(user.arn, f"user active {days_between(last, now)} days ago", **facts)


CHECK = Check(METADATA, evaluate)
