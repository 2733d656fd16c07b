"""root.mfa_enabled - the root user signs in with MFA.

What it does: reads ``AccountMFAEnabled`` (and ``AccountPasswordPresent``) from GetAccountSummary.
Why is this bad? The root user can do anything, including closing the account; a password alone is one phish away.
Example: ``AccountMFAEnabled: 0`` with a root password present fails; no root password (centralized root access)
passes, as CIS 2.4 allows.
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
    missing,
    passed,
)
from iamwarden.checks.config import Thresholds

METADATA = CheckMetadata(
    id="root.mfa_enabled",
    title="The root user has MFA enabled",
    practice=2,
    severity=Severity.CRITICAL,
    resource_type="AwsAccount",
    why="The root user has unrestricted access to the account and its billing; without MFA a stolen or guessed "
    "password is enough to take the account over.",
    remediation=Remediation(
        "Sign in as the root user and assign an MFA device (a FIDO security key or hardware token is best).",
        cli=("aws iam get-account-summary --query 'SummaryMap.AccountMFAEnabled'",),
        console=(
            "Sign in as the root user; open the account menu > Security credentials.",
            "Under Multi-factor authentication (MFA), choose Assign MFA device and follow the wizard.",
        ),
    ),
    cis_aws_v6=("2.4",),
    security_hub=("IAM.9",),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    root = account.root
    if root.mfa_enabled is None:
        yield missing(account, root.arn, "iam:GetAccountSummary")
        return
    password_present = account.summary.get("AccountPasswordPresent")
    if root.mfa_enabled:
        yield passed(root.arn, "root user has MFA enabled", account_mfa_enabled=True)
    elif password_present == 0:
        yield passed(
            root.arn,
            "root user has no password (centralized root access), so it cannot sign in to need MFA",
            account_mfa_enabled=False,
            account_password_present=False,
        )
    else:
        yield failed(
            root.arn,
            "root user has no MFA device",
            account_mfa_enabled=False,
            account_password_present=None if password_present is None else bool(password_present),
        )


CHECK = Check(METADATA, evaluate)
