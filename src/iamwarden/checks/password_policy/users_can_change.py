"""password_policy.users_can_change - users may change their own password.

What it does: ``AllowUsersToChangePassword`` in the password policy.
Why is this bad? Users who cannot change their password cannot react when they suspect it leaked.
Example: ``AllowUsersToChangePassword: false`` fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.context import AnalysisContext
from iamwarden.checks.base import Check, CheckMetadata, Outcome, Remediation, Severity, account_arn, failed, passed
from iamwarden.checks.config import Thresholds
from iamwarden.checks.password_policy._common import CONSOLE, policy_or_outcome

METADATA = CheckMetadata(
    id="password_policy.users_can_change",
    title="IAM users can change their own password",
    practice=9,
    severity=Severity.LOW,
    resource_type="AwsAccount",
    why="Users must be able to change a password they suspect is compromised without waiting for an administrator.",
    remediation=Remediation(
        "Allow users to change their own password.",
        cli=("aws iam update-account-password-policy --allow-users-to-change-password <other current settings>",),
        console=CONSOLE,
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_enable-user-change.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    policy = policy_or_outcome(account)
    if isinstance(policy, Outcome):
        yield policy
    elif policy.allow_users_to_change:
        yield passed(account_arn(account), "users can change their own password", allow_users_to_change=True)
    else:
        yield failed(account_arn(account), "users cannot change their own password", allow_users_to_change=False)


CHECK = Check(METADATA, evaluate)
