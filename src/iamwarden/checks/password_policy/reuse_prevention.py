"""password_policy.reuse_prevention - the policy remembers ``password_reuse_prevention`` (24) passwords.

What it does: compares ``PasswordReusePrevention`` with the threshold (absent means no prevention).
Why is this bad? Without it users cycle back to a password that has already leaked.
Example: ``PasswordReusePrevention: 5`` fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.context import AnalysisContext
from iamwarden.checks.base import Check, CheckMetadata, Outcome, Remediation, Severity, account_arn, failed, passed
from iamwarden.checks.config import Thresholds
from iamwarden.checks.password_policy._common import CONSOLE, policy_or_outcome

METADATA = CheckMetadata(
    id="password_policy.reuse_prevention",
    title="The password policy prevents reuse of the last 24 passwords",
    practice=9,
    severity=Severity.LOW,
    resource_type="AwsAccount",
    why="Reuse prevention stops users from returning to old, possibly leaked, passwords.",
    remediation=Remediation(
        "Set password reuse prevention to 24.",
        cli=("aws iam update-account-password-policy --password-reuse-prevention 24 <other current settings>",),
        console=CONSOLE,
    ),
    cis_aws_v6=("2.8",),
    security_hub=("IAM.16",),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    policy = policy_or_outcome(account)
    if isinstance(policy, Outcome):
        yield policy
        return
    need = thresholds.password_reuse_prevention
    have = policy.reuse_prevention or 0
    facts = {"reuse_prevention": policy.reuse_prevention, "required": need}
    if have >= need:
        yield passed(account_arn(account), f"remembers {have} passwords", **facts)
    else:
        yield failed(account_arn(account), f"remembers {have} passwords, fewer than {need}", **facts)


CHECK = Check(METADATA, evaluate)
