"""credentials.access_key_rotation - active access keys are younger than the maximum age.

What it does: for each user's active keys, the creation date (ListAccessKeys, else ``access_key_N_last_rotated``)
against ``access_key_max_age_days`` (90): older fails.
Why is this bad? The longer a key lives, the more places it has been copied to and the longer a leak stays useful.
Example: an active key created 200 days before the snapshot fails.
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
from iamwarden.checks.credentials._common import KEYS_CONSOLE, ROTATE_CLI
from iamwarden.checks.facts import users_keys

METADATA = CheckMetadata(
    id="credentials.access_key_rotation",
    title="Active access keys are rotated within the maximum age",
    practice=6,
    severity=Severity.MEDIUM,
    resource_type="AwsIamUser",
    why="Old keys have had time to leak into laptops, CI logs and repositories; rotating them limits how long a "
    "leaked key stays useful. Better still, replace long-term keys with roles.",
    remediation=Remediation(
        "Create a new key, move every consumer to it, deactivate the old key, then delete it.",
        cli=ROTATE_CLI,
        console=KEYS_CONSOLE,
    ),
    cis_aws_v6=("2.13",),
    security_hub=("IAM.3",),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console",
    ),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    limit = thresholds.access_key_max_age_days
    for item in users_keys(account, active_only=True):
        if isinstance(item, Outcome):
            yield item
            continue
        user, active = item
        undated = [k for k in active if k.created is None]
        old = [k for k in active if k.created is not None and days_between(k.created, account.collected_at) > limit]
        evidence = {"keys": [k.to_json() for k in active], "threshold_days": limit}
        if old:
            ages = ", ".join(
                f"{k.label} ({days_between(k.created, account.collected_at)} days)" for k in old if k.created
            )
            yield failed(user.arn, f"active key(s) older than {limit} days: {ages}", **evidence)
        elif undated:
            yield missing(account, user.arn, "iam:ListAccessKeys", target=user.name)
        else:
            yield passed(user.arn, f"all active keys are at most {limit} days old", **evidence)


CHECK = Check(METADATA, evaluate)
