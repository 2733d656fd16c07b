"""groups.group_has_policies - every group grants something.

What it does: fails groups with neither attached nor inline policies.
Why is this bad? A group without policies does nothing for permission management; its members get their access from
somewhere else, usually policies attached to the users themselves.
Example: ``AttachedManagedPolicies: [], GroupPolicyList: []`` fails.
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
    id="groups.group_has_policies",
    title="Every IAM group has policies",
    practice=4,
    severity=Severity.INFO,
    resource_type="AwsIamGroup",
    why="A group without policies grants nothing, so membership is meaningless for access control and permissions "
    "end up attached elsewhere.",
    remediation=Remediation(
        "Attach the job function's policies to the group, or delete the group.",
        cli=("aws iam attach-group-policy --group-name <group> --policy-arn <arn>",),
        console=("IAM console > User groups > <group> > Permissions > Add permissions.",),
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    for group in account.groups:
        attached = list(group.attached_policy_arns)
        inline = [p.name for p in group.inline_policies]
        if attached or inline:
            yield passed(group.arn, "group has policies", attached_policies=attached, inline_policies=inline)
        else:
            yield failed(group.arn, "group has no policies", members=list(group.member_names))


CHECK = Check(METADATA, evaluate)
