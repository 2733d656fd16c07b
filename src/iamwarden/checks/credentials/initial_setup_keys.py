"""credentials.initial_setup_keys - no access key created with its user sits unused.

What it does: a key created within ``initial_key_window_seconds`` (600) of its user and never used fails.
Why is this bad? Keys created "just in case" at user setup are rarely needed; they live on in onboarding notes and
password managers, unused and unwatched.
Example: user created 10:00:00, key created 10:00:05, ``LastUsedDate`` absent - fails.
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
    iso,
    missing,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.credentials._common import KEYS_CONSOLE
from iamwarden.checks.facts import users_keys

METADATA = CheckMetadata(
    id="credentials.initial_setup_keys",
    title="No access key created at user setup is left unused",
    practice=6,
    severity=Severity.LOW,
    resource_type="AwsIamUser",
    why="Keys handed out when a user is created, before anyone needs them, are long-term credentials with no owner "
    "process; if unused they should not exist.",
    remediation=Remediation(
        "Delete keys that were created with the user and never used; create keys only when a need is shown.",
        cli=("aws iam delete-access-key --user-name <user> --access-key-id <key-id>",),
        console=KEYS_CONSOLE,
    ),
    cis_aws_v6=("2.10",),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_create.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    window = thresholds.initial_key_window_seconds
    for item in users_keys(account):
        if isinstance(item, Outcome):
            yield item
            continue
        user, keys = item
        if user.created is None or any(k.created is None for k in keys):
            yield missing(account, user.arn, "iam:ListAccessKeys", target=user.name)
            continue
        if not all(k.last_used_known for k in keys):
            yield missing(account, user.arn, "iam:GetAccessKeyLastUsed")
            continue
        at_setup = [
            k
            for k in keys
            if k.created is not None
            and 0 <= (k.created - user.created).total_seconds() <= window
            and k.last_used is None
        ]
        evidence = {"user_created": iso(user.created), "keys": [k.to_json() for k in keys], "window_seconds": window}
        if at_setup:
            labels = ", ".join(k.label for k in at_setup)
            yield failed(user.arn, f"key(s) created with the user and never used: {labels}", **evidence)
        else:
            yield passed(user.arn, "no unused key from user setup", **evidence)


CHECK = Check(METADATA, evaluate)
