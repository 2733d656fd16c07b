"""organization.member_iam_users - member accounts have no IAM users.

What it does: counts each scanned member account's IAM users (GetAccountAuthorizationDetails).
Why is this bad? In an organization, people sign in through IAM Identity Center (or a federated identity provider)
and workloads use roles; an IAM user is a long-term credential to rotate, protect and remember to remove.
Example: a member account with a ``ci`` user fails; the management account is not judged here.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.organization import OrganizationFacts
from iamwarden.checks.base import CheckMetadata, Outcome, Remediation, Severity, failed, passed, unknown
from iamwarden.checks.config import Thresholds
from iamwarden.checks.organization._common import OrgCheck

METADATA = CheckMetadata(
    id="organization.member_iam_users",
    title="Member accounts have no IAM users",
    practice=5,
    severity=Severity.MEDIUM,
    resource_type="AwsAccount",
    why="IAM users carry long-term passwords and keys; in an organization, people should sign in through IAM "
    "Identity Center and workloads use roles.",
    remediation=Remediation(
        "Move people to IAM Identity Center and workloads to roles, then delete the member accounts' IAM users.",
        cli=("aws iam list-users --query 'Users[].UserName'",),
        console=("IAM Identity Center console > Users: create the people; IAM console > Users: delete the old ones.",),
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-users-federation-idp",),
)


def evaluate(facts: OrganizationFacts, thresholds: Thresholds) -> Iterator[Outcome]:
    for member in facts.members.values():
        if member.account_id == facts.management_account_id:
            continue
        resource = facts.account_arn(member.account_id)
        where = {"account": member.account_id, "ou_path": list(member.ou_path)}
        if member.gap is not None:
            yield unknown(resource, f"evidence missing: the account was not scanned ({member.gap})", **where)
        elif member.iam_users is None:
            yield unknown(resource, f"evidence missing: {member.users_gap}", **where)
        elif member.iam_users:
            users = f"{member.iam_users} IAM user{'' if member.iam_users == 1 else 's'}"
            yield failed(resource, f"{users} in a member account", users=member.iam_users, **where)
        else:
            yield passed(resource, "no IAM users", **where)


CHECK = OrgCheck(METADATA, evaluate)
