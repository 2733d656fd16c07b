"""root.centralized_root_access - the organization manages member accounts' root credentials centrally.

What it does: when the account is in an AWS Organization, reads ListOrganizationsFeatures for
``RootCredentialsManagement``.
Why is this bad? Without it every member account keeps its own root password, MFA and recovery path to secure.
Example: in an organization with ``EnabledFeatures: []`` fails; outside an organization is not applicable.
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
    not_applicable,
    passed,
)
from iamwarden.checks.config import Thresholds

METADATA = CheckMetadata(
    id="root.centralized_root_access",
    title="Root credentials of member accounts are managed centrally",
    practice=2,
    severity=Severity.MEDIUM,
    resource_type="AwsAccount",
    why="Centralized root access lets the organization remove member accounts' root passwords, keys and MFA and "
    "perform the few root-only tasks from the management account, so no member root credential exists to steal.",
    remediation=Remediation(
        "From the management account, enable trusted access for IAM and turn on root credentials management "
        "(and root sessions), then delete member accounts' root credentials.",
        cli=(
            "aws organizations enable-aws-service-access --service-principal iam.amazonaws.com",
            "aws iam enable-organizations-root-credentials-management",
            "aws iam enable-organizations-root-sessions",
        ),
        console=("IAM console (management account) > Root access management > Enable.",),
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user-access-management",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    resource = account.root.arn
    if account.organization is None:
        if not account.was_collected("organizations:DescribeOrganization"):
            yield missing(account, resource, "organizations:DescribeOrganization")
        else:
            yield not_applicable(resource, "the account is not in an AWS Organization")
        return
    enabled = account.organization.root_credentials_management
    if enabled is None:
        yield missing(account, resource, "iam:ListOrganizationsFeatures")
    elif enabled:
        yield passed(resource, "root credentials management is enabled", organization=account.organization.org_id)
    else:
        yield failed(resource, "root credentials management is not enabled", organization=account.organization.org_id)


CHECK = Check(METADATA, evaluate)
