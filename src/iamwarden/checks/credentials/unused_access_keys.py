"""credentials.unused_access_keys - active access keys are in use.

What it does: an active key whose last use (or, never used, its creation) is ``access_key_unused_days`` (45) or more
before the snapshot fails.
Why is this bad? An unused active key is pure risk: nobody would notice it being abused, and nothing breaks when it is
removed.
Example: an active key last used 60 days ago fails.
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
    missing,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.credentials._common import KEYS_CONSOLE
from iamwarden.checks.facts import users_keys

METADATA = CheckMetadata(
    id="credentials.unused_access_keys",
    title="Active access keys have been used recently",
    practice=6,
    severity=Severity.MEDIUM,
    resource_type="AwsIamUser",
    why="Credentials nobody uses can only be used by someone who should not; deactivating them shrinks the window "
    "for a leaked or abandoned key.",
    remediation=Remediation(
        "Deactivate keys not used within the threshold; delete them once nothing breaks.",
        cli=(
            "aws iam get-access-key-last-used --access-key-id <key-id>",
            "aws iam update-access-key --user-name <user> --access-key-id <key-id> --status Inactive",
        ),
        console=KEYS_CONSOLE,
    ),
    cis_aws_v6=("2.11",),
    security_hub=("IAM.22",),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    limit = thresholds.access_key_unused_days
    for item in users_keys(account, active_only=True, last_use=True):
        if isinstance(item, Outcome):
            yield item
            continue
        user, active = item
        if any(k.last_used is None and k.created is None for k in active):
            yield missing(account, user.arn, "iam:ListAccessKeys", target=user.name)  # never used, age unknown
            continue
        ages = {k.label: days_between(k.last_used or k.created, account.collected_at) for k in active}
        stale = [
            f"{k.label} ({'last used' if k.last_used else 'never used, created'} {ages[k.label]} days ago)"
            for k in active
            if ages[k.label] >= limit
        ]
        evidence = {"keys": [k.to_json() for k in active], "threshold_days": limit}
        if stale:
            yield failed(user.arn, f"active key(s) unused for {limit}+ days: {', '.join(stale)}", **evidence)
        else:
            yield passed(user.arn, f"active keys used (or, never used, created) within {limit} days", **evidence)


CHECK = Check(METADATA, evaluate)
