"""password_policy.minimum_length - passwords must be at least ``password_min_length`` (14) characters.

What it does: compares ``MinimumPasswordLength`` with the threshold.
Why is this bad? Length is what makes passwords resist guessing and cracking.
Example: ``MinimumPasswordLength: 8`` fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.context import AnalysisContext
from iamwarden.checks.base import Check, CheckMetadata, Outcome, Remediation, Severity, account_arn, failed, passed
from iamwarden.checks.config import Thresholds
from iamwarden.checks.password_policy._common import CONSOLE, policy_or_outcome

METADATA = CheckMetadata(
    id="password_policy.minimum_length",
    title="The password policy requires at least 14 characters",
    practice=9,
    severity=Severity.MEDIUM,
    resource_type="AwsAccount",
    why="Short passwords fall to brute force and credential stuffing; length is the strongest single property.",
    remediation=Remediation(
        "Raise the minimum password length.",
        cli=("aws iam update-account-password-policy --minimum-password-length 14 <other current settings>",),
        console=CONSOLE,
    ),
    cis_aws_v6=("2.7",),
    security_hub=("IAM.15",),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    policy = policy_or_outcome(account)
    if isinstance(policy, Outcome):
        yield policy
        return
    need = thresholds.password_min_length
    facts = {"minimum_length": policy.minimum_length, "required": need}
    if policy.minimum_length >= need:
        yield passed(account_arn(account), f"minimum length {policy.minimum_length} >= {need}", **facts)
    else:
        yield failed(account_arn(account), f"minimum length {policy.minimum_length} < {need}", **facts)


CHECK = Check(METADATA, evaluate)
