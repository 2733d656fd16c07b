"""root.no_access_keys - the root user has no access keys.

What it does: reads ``AccountAccessKeysPresent`` (GetAccountSummary), else the root row of the credential report.
Why is this bad? Root access keys give unrestricted, MFA-free programmatic access that SCPs cannot limit in a
standalone account; a leaked key is a full account takeover.
Example: ``AccountAccessKeysPresent: 1`` fails.
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
    id="root.no_access_keys",
    title="The root user has no access keys",
    practice=2,
    severity=Severity.CRITICAL,
    resource_type="AwsAccount",
    why="Root access keys are long-term credentials with every permission in the account and no MFA; anyone who "
    "finds one owns the account.",
    remediation=Remediation(
        "Sign in as the root user and delete its access keys; use IAM roles for automation.",
        cli=("aws iam get-account-summary --query 'SummaryMap.AccountAccessKeysPresent'",),
        console=(
            "Sign in as the root user; open the account menu > Security credentials.",
            "Under Access keys, deactivate and then delete every key.",
        ),
    ),
    cis_aws_v6=("2.3",),
    security_hub=("IAM.4",),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    root = account.root
    if root.access_keys_present is not None:
        if root.access_keys_present:
            yield failed(root.arn, "root user has access keys", account_access_keys_present=True)
        else:
            yield passed(root.arn, "root user has no access keys", account_access_keys_present=False)
        return
    row = root.credential_report
    if row is None:
        yield missing(account, root.arn, "iam:GetAccountSummary")
        return
    active = [n for n, on in ((1, row.access_key_1_active), (2, row.access_key_2_active)) if on]
    if active:
        yield failed(root.arn, "root user has active access keys (credential report)", active_key_slots=active)
    else:
        yield passed(root.arn, "root user has no active access keys (credential report)", active_key_slots=[])


CHECK = Check(METADATA, evaluate)
