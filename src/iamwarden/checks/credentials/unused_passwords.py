"""credentials.unused_passwords - console passwords are in use.

What it does: for users with a password (credential report), the last sign-in (or, never used, the last password
change) against ``password_unused_days`` (45).
Why is this bad? A password nobody uses is an open door nobody watches.
Example: ``password_last_used`` 100 days before the snapshot fails.
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
    unknown,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import AUTH_DETAILS, inventory_missing, report_row_missing

METADATA = CheckMetadata(
    id="credentials.unused_passwords",
    title="Console passwords have been used recently",
    practice=6,
    severity=Severity.MEDIUM,
    resource_type="AwsIamUser",
    why="A console password that is not used only serves an attacker; removing it closes a sign-in path nobody "
    "watches.",
    remediation=Remediation(
        "Delete the user's console password (login profile), or the user if it is no longer needed.",
        cli=("aws iam delete-login-profile --user-name <user>",),
        console=("IAM console > Users > <user> > Security credentials > Console sign-in > Disable.",),
    ),
    cis_aws_v6=("2.11",),
    security_hub=("IAM.22",),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    limit = thresholds.password_unused_days
    for user in account.users:
        row = user.credential_report
        if user.has_console_password is False:
            yield not_applicable(user.arn, "user has no console password")
            continue
        if row is None:
            yield report_row_missing(account, user.arn)
            continue
        if not row.password_enabled:
            yield not_applicable(user.arn, "user has no console password")
            continue
        since = row.password_last_used or row.password_last_changed or row.user_creation_time
        evidence = {
            "password_last_used": iso(row.password_last_used),
            "password_last_changed": iso(row.password_last_changed),
            "threshold_days": limit,
        }
        if since is None:
            text = f"the credential report row of {user.arn} has no password dates"
            yield unknown(user.arn, f"evidence missing: {text}", missing_api="iam:GetCredentialReport", gap=text)
            continue
        age = days_between(since, account.collected_at)
        what = "last used" if row.password_last_used else "never used; set"
        if age >= limit:
            yield failed(user.arn, f"console password {what} {age} days ago", days=age, **evidence)
        else:
            yield passed(user.arn, f"console password {what} {age} days ago (within {limit})", days=age, **evidence)


CHECK = Check(METADATA, evaluate)
