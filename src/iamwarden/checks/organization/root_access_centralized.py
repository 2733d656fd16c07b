"""organization.root_access_centralized - the organization manages member accounts' root credentials centrally.

What it does: reads the management account's IAM organization features (org.json ``iam_features``) for
``RootCredentialsManagement`` and ``RootSessions``.
Why is this bad? Without it every member account keeps a root password, MFA and recovery path of its own.
Example: ``iam_features: []`` fails; not collected is unknown.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.organization import OrganizationFacts
from iamwarden.checks.base import CheckMetadata, Outcome, Remediation, Severity, failed, passed, unknown
from iamwarden.checks.config import Thresholds
from iamwarden.checks.organization._common import OrgCheck

FEATURES = ("RootCredentialsManagement", "RootSessions")

METADATA = CheckMetadata(
    id="organization.root_access_centralized",
    title="Root access of member accounts is centralized",
    practice=2,
    severity=Severity.MEDIUM,
    resource_type="AwsOrganizationsOrganization",
    why="Centralized root access removes member accounts' root credentials and leaves the few root-only tasks to "
    "short root sessions from the management account.",
    remediation=Remediation(
        "From the management account, enable trusted access for IAM, then root credentials management and root "
        "sessions.",
        cli=(
            "aws organizations enable-aws-service-access --service-principal iam.amazonaws.com",
            "aws iam enable-organizations-root-credentials-management",
            "aws iam enable-organizations-root-sessions",
        ),
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user-access-management",),
)


def evaluate(facts: OrganizationFacts, thresholds: Thresholds) -> Iterator[Outcome]:
    org = facts.bundle.organization
    resource = org.arn
    features = org.iam_features
    if features is None:
        yield unknown(
            resource,
            "evidence missing: iam:ListOrganizationsFeatures was not collected in the management account",
            organization=org.id,
        )
        return
    missing = [f for f in FEATURES if f not in features]
    if missing:
        yield failed(resource, f"not enabled: {', '.join(missing)}", organization=org.id, enabled=list(features))
    else:
        yield passed(resource, "root credentials management and root sessions are enabled", organization=org.id)


CHECK = OrgCheck(METADATA, evaluate)
