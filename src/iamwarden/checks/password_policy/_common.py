"""What the password-policy checks share: reading the policy, or saying why it cannot be read."""

from __future__ import annotations

from iamwarden.checks.base import Outcome, account_arn, failed, missing
from iamwarden.model import Account, PasswordPolicy

API = "iam:GetAccountPasswordPolicy"
CONSOLE = ("IAM console > Account settings > Password policy > Edit.",)


def policy_or_outcome(account: Account) -> PasswordPolicy | Outcome:
    """The account's password policy, or the outcome to report when there is none (fail) or it is unknown."""
    if not account.was_collected(API):
        return missing(account, account_arn(account), API)
    if account.password_policy is None:
        return failed(account_arn(account), "the account has no password policy (AWS defaults apply)", policy=None)
    return account.password_policy
