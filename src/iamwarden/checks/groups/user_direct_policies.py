"""groups.user_direct_policies - users get permissions only through groups.

What it does: fails users with inline policies or directly attached managed policies.
Why is this bad? Permissions scattered over individual users drift apart and are hard to review; a group per job
function keeps them in one place.
Example: a user with ``AttachedManagedPolicies: [ReadOnlyAccess]`` fails.
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
    id="groups.user_direct_policies",
    title="IAM users receive permissions only through groups",
    practice=4,
    severity=Severity.LOW,
    resource_type="AwsIamUser",
    why="Policies attached to individual users are hard to review and drift apart; managing permissions per group "
    "(job function) keeps them consistent and makes removal of access a single step.",
    remediation=Remediation(
        "Move the user's policies to a group for the job function, add the user to it, then detach/delete the "
        "user's own policies.",
        cli=(
            "aws iam attach-group-policy --group-name <group> --policy-arn <arn>",
            "aws iam add-user-to-group --user-name <user> --group-name <group>",
            "aws iam detach-user-policy --user-name <user> --policy-arn <arn>",
            "aws iam delete-user-policy --user-name <user> --policy-name <name>",
        ),
        console=(
            "IAM console > Users > <user> > Permissions: remove direct policies after adding the user to a group.",
        ),
    ),
    cis_aws_v6=("2.14",),
    security_hub=("IAM.2",),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    for user in account.users:
        inline = [p.name for p in user.inline_policies]
        attached = list(user.attached_policy_arns)
        if inline or attached:
            yield failed(
                user.arn,
                f"user has {len(attached)} attached and {len(inline)} inline policies of its own",
                attached_policies=attached,
                inline_policies=inline,
            )
        else:
            yield passed(user.arn, "user has no policies of its own", groups=list(user.group_names))


CHECK = Check(METADATA, evaluate)
