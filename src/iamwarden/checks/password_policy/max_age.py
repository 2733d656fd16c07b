"""password_policy.max_age - passwords expire within ``password_max_age_days`` (90).

What it does: ``ExpirePasswords`` / ``MaxPasswordAge`` against the threshold; a threshold of 0 makes the check not
applicable.
Why is this bad? Security Hub (IAM.17) and older CIS versions ask for expiry; NIST SP 800-63B advises against forced
periodic changes (they push users to predictable passwords) and asks for change on evidence of compromise instead.
Decide per organization and set the threshold accordingly.
Example: no expiry with the default threshold fails.
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
    not_applicable,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.password_policy._common import CONSOLE, policy_or_outcome

METADATA = CheckMetadata(
    id="password_policy.max_age",
    title="The password policy expires passwords within 90 days",
    practice=9,
    severity=Severity.LOW,
    resource_type="AwsAccount",
    why="Expiry limits how long a leaked password works. Note: NIST SP 800-63B advises against forced periodic "
    "expiry; set password_max_age_days = 0 to follow NIST instead.",
    remediation=Remediation(
        "Set a maximum password age (or disable this check deliberately with password_max_age_days = 0).",
        cli=("aws iam update-account-password-policy --max-password-age 90 <other current settings>",),
        console=CONSOLE,
    ),
    security_hub=("IAM.17",),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",
        "https://pages.nist.gov/800-63-3/sp800-63b.html",
    ),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    limit = thresholds.password_max_age_days
    if limit == 0:
        yield not_applicable(account_arn(account), "password expiry is not required (password_max_age_days = 0)")
        return
    policy = policy_or_outcome(account)
    if isinstance(policy, Outcome):
        yield policy
        return
    facts = {"expire_passwords": policy.expire_passwords, "max_age_days": policy.max_age_days, "required": limit}
    if policy.max_age_days and policy.max_age_days <= limit:
        yield passed(account_arn(account), f"passwords expire after {policy.max_age_days} days", **facts)
    elif policy.max_age_days:
        yield failed(account_arn(account), f"passwords expire after {policy.max_age_days} days, over {limit}", **facts)
    else:
        yield failed(account_arn(account), "passwords never expire", **facts)


CHECK = Check(METADATA, evaluate)
