"""root.not_recently_used - the root user has not been used recently.

What it does: the latest of ``password_last_used`` and the access keys' last use in the root row of the credential
report, compared with the snapshot time and ``root_unused_days``.
Why is this bad? Everyday work as root means the most powerful credential is exposed every day, and actions cannot be
attributed to a person.
Example: root signed in 3 days before the snapshot fails with the default 90 days.
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
    days_between,
    failed,
    iso,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import report_row_missing

METADATA = CheckMetadata(
    id="root.not_recently_used",
    title="The root user has not been used recently",
    practice=2,
    severity=Severity.HIGH,
    resource_type="AwsAccount",
    why="The root user cannot be limited by IAM policies; using it for daily or administrative work exposes it and "
    "loses accountability. Only the few tasks that require root should use it.",
    remediation=Remediation(
        "Do administrative work through IAM Identity Center or IAM roles; keep the root credentials locked away and "
        "alarm on root sign-in.",
        cli=(
            "aws iam generate-credential-report",
            "aws iam get-credential-report --query Content --output text | base64 -d | cut -d, -f1,5,11,16 "
            "| grep '<root_account>'",
        ),
        console=("IAM console > Credential report > Download; read password_last_used for <root_account>.",),
    ),
    cis_aws_v6=("2.6",),
    security_hub=("IAM.20",),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    root = account.root
    row = root.credential_report
    if row is None:
        yield report_row_missing(account, root.arn)
        return
    uses = [d for d in (row.password_last_used, row.access_key_1_last_used, row.access_key_2_last_used) if d]
    evidence = {
        "password_last_used": iso(row.password_last_used),
        "access_key_1_last_used": iso(row.access_key_1_last_used),
        "access_key_2_last_used": iso(row.access_key_2_last_used),
        "threshold_days": thresholds.root_unused_days,
    }
    if not uses:
        yield passed(root.arn, "root user has no recorded use", **evidence)
        return
    last = max(uses)
    age = days_between(last, account.collected_at)
    if age < thresholds.root_unused_days:
        yield failed(root.arn, f"root user was used {age} day(s) before the snapshot", days_since_use=age, **evidence)
    else:
        yield passed(root.arn, f"root user last used {age} days before the snapshot", days_since_use=age, **evidence)


CHECK = Check(METADATA, evaluate)
