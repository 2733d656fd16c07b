"""password_policy.complexity - passwords need upper case, lower case, a number and a symbol.

What it does: the four ``Require*`` flags of the password policy.
Why is this bad? Character classes widen the search space of short passwords (length matters more; see
``password_policy.minimum_length``).
Example: ``RequireSymbols: false`` fails and names the missing class.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.context import AnalysisContext
from iamwarden.checks.base import Check, CheckMetadata, Outcome, Remediation, Severity, account_arn, failed, passed
from iamwarden.checks.config import Thresholds
from iamwarden.checks.password_policy._common import CONSOLE, policy_or_outcome

METADATA = CheckMetadata(
    id="password_policy.complexity",
    title="The password policy requires upper case, lower case, numbers and symbols",
    practice=9,
    severity=Severity.LOW,
    resource_type="AwsAccount",
    why="Requiring several character classes makes short passwords harder to guess.",
    remediation=Remediation(
        "Require every character class.",
        cli=(
            "aws iam update-account-password-policy --require-uppercase-characters --require-lowercase-characters "
            "--require-numbers --require-symbols <other current settings>",
        ),
        console=CONSOLE,
    ),
    security_hub=("IAM.11", "IAM.12", "IAM.13", "IAM.14"),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    policy = policy_or_outcome(account)
    if isinstance(policy, Outcome):
        yield policy
        return
    flags = {
        "uppercase": policy.require_uppercase,
        "lowercase": policy.require_lowercase,
        "numbers": policy.require_numbers,
        "symbols": policy.require_symbols,
    }
    absent = [name for name, on in flags.items() if not on]
    if absent:
        yield failed(account_arn(account), f"policy does not require: {', '.join(absent)}", **flags)
    else:
        yield passed(account_arn(account), "policy requires all four character classes", **flags)


CHECK = Check(METADATA, evaluate)
