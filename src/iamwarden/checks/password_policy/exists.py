"""password_policy.exists - the account has a password policy.

What it does: GetAccountPasswordPolicy answered with a policy (``NoSuchEntity`` means none).
Why is this bad? Without one, IAM users may choose any 8-character password and never change it.
Example: ``null`` response (NoSuchEntity) fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.context import AnalysisContext
from iamwarden.checks.base import Check, CheckMetadata, Outcome, Remediation, Severity, account_arn, passed
from iamwarden.checks.config import Thresholds
from iamwarden.checks.password_policy._common import CONSOLE, policy_or_outcome

METADATA = CheckMetadata(
    id="password_policy.exists",
    title="The account has an IAM password policy",
    practice=9,
    severity=Severity.MEDIUM,
    resource_type="AwsAccount",
    why="Without a password policy IAM users' passwords only need the AWS default (8 characters, mixed types), with "
    "no reuse prevention.",
    remediation=Remediation(
        "Set a password policy (length 14+, reuse prevention 24).",
        cli=(
            "aws iam update-account-password-policy --minimum-password-length 14 --password-reuse-prevention 24 "
            "--require-uppercase-characters --require-lowercase-characters --require-numbers --require-symbols "
            "--allow-users-to-change-password",
        ),
        console=CONSOLE,
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    policy = policy_or_outcome(account)
    if isinstance(policy, Outcome):
        yield policy
    else:
        yield passed(account_arn(account), "a password policy is set", minimum_length=policy.minimum_length)


CHECK = Check(METADATA, evaluate)
