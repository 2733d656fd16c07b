"""credentials.inactive_keys - deactivated access keys are deleted.

What it does: fails users holding keys with ``Status: Inactive``.
Why is this bad? An inactive key can be re-activated by anyone with ``iam:UpdateAccessKey``; once its rotation is
finished it should be deleted.
Example: one key ``Inactive`` fails.
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
    id="credentials.inactive_keys",
    title="Inactive access keys are deleted",
    practice=6,
    severity=Severity.LOW,
    resource_type="AwsIamUser",
    why="A deactivated key is one API call away from working again; leftover keys also confuse key inventories.",
    remediation=Remediation(
        "Delete inactive access keys once you are sure nothing needs them.",
        cli=("aws iam delete-access-key --user-name <user> --access-key-id <key-id>",),
        console=KEYS_CONSOLE,
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    for item in users_keys(account):
        if isinstance(item, Outcome):
            yield item
            continue
        user, keys = item
        inactive = [k for k in keys if not k.active]
        if inactive:
            labels = ", ".join(k.label for k in inactive)
            yield failed(user.arn, f"inactive key(s) not deleted: {labels}", keys=[k.to_json() for k in keys])
        else:
            yield passed(user.arn, "no inactive keys", keys=[k.to_json() for k in keys])


CHECK = Check(METADATA, evaluate)
