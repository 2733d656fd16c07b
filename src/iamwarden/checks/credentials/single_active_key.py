"""credentials.single_active_key - no user has two active access keys.

What it does: counts each user's active keys.
Why is this bad? Two active keys double the exposure and usually mean a rotation was never finished.
Example: two keys with ``Status: Active`` fail.
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
    failed,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.credentials._common import KEYS_CONSOLE
from iamwarden.checks.facts import users_keys

METADATA = CheckMetadata(
    id="credentials.single_active_key",
    title="No IAM user has more than one active access key",
    practice=6,
    severity=Severity.MEDIUM,
    resource_type="AwsIamUser",
    why="A second active key doubles what can leak, and usually marks a rotation that was started and never finished.",
    remediation=Remediation(
        "Keep the key in use, deactivate the other, and delete it once nothing breaks.",
        cli=("aws iam update-access-key --user-name <user> --access-key-id <unused-key-id> --status Inactive",),
        console=KEYS_CONSOLE,
    ),
    cis_aws_v6=("2.12",),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    for item in users_keys(account):
        if isinstance(item, Outcome):
            yield item
            continue
        user, keys = item
        active = [k for k in keys if k.active]
        evidence = {"keys": [k.to_json() for k in keys]}
        if len(active) > 1:
            yield failed(user.arn, f"user has {len(active)} active access keys", **evidence)
        else:
            yield passed(user.arn, f"user has {len(active)} active access key", **evidence)


CHECK = Check(METADATA, evaluate)
