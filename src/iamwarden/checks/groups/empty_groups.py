"""groups.empty_groups - no group is left without members.

What it does: fails groups no user belongs to.
Why is this bad? Empty groups are leftovers; whoever is added to one later inherits forgotten permissions.
Example: a group with an attached policy and no members fails.
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
    id="groups.empty_groups",
    title="No IAM group is empty",
    practice=4,
    severity=Severity.LOW,
    resource_type="AwsIamGroup",
    why="An empty group is clutter at best; at worst it holds forgotten permissions that the next member inherits.",
    remediation=Remediation(
        "Delete groups nobody needs (detach their policies first).",
        cli=(
            "aws iam list-attached-group-policies --group-name <group>",
            "aws iam detach-group-policy --group-name <group> --policy-arn <arn>",
            "aws iam delete-group --group-name <group>",
        ),
        console=("IAM console > User groups > select the group > Delete.",),
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage_delete.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    for group in account.groups:
        if group.member_names:
            yield passed(group.arn, f"group has {len(group.member_names)} member(s)", members=list(group.member_names))
        else:
            yield failed(
                group.arn,
                "group has no members",
                members=[],
                attached_policies=list(group.attached_policy_arns),
                inline_policies=[p.name for p in group.inline_policies],
            )


CHECK = Check(METADATA, evaluate)
