"""groups.user_in_group - every IAM user belongs to at least one group.

What it does: fails users whose GroupList is empty.
Why is this bad? A user in no group either has no permissions (then why does it exist?) or has them attached directly.
Example: ``GroupList: []`` fails.
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

METADATA = CheckMetadata(
    id="groups.user_in_group",
    title="Every IAM user belongs to a group",
    practice=4,
    severity=Severity.LOW,
    resource_type="AwsIamUser",
    why="Users outside groups escape group-based permission management: they are either unused or carry their own "
    "policies.",
    remediation=Remediation(
        "Add the user to the group for its job function (or delete the user if it is not needed).",
        cli=("aws iam add-user-to-group --user-name <user> --group-name <group>",),
        console=("IAM console > User groups > <group> > Add users.",),
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage_add-remove-users.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    for user in account.users:
        if user.group_names:
            yield passed(user.arn, f"user is in {len(user.group_names)} group(s)", groups=list(user.group_names))
        else:
            yield failed(user.arn, "user is in no group", groups=[])


CHECK = Check(METADATA, evaluate)
