"""organization.delegated_administrators - security services are administered from a member account.

What it does: for GuardDuty, Security Hub, IAM Access Analyzer and CloudTrail, looks for a delegated administrator
in org.json (ListDelegatedAdministrators / ListDelegatedServicesForAccount) that is not the management account.
Why is this bad? Without one, the security team works in the management account, whose principals SCPs never bind.
Example: GuardDuty delegated to the security account passes; no delegation fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.organization import OrganizationFacts
from iamwarden.checks.base import CheckMetadata, Outcome, Remediation, Severity, failed, passed
from iamwarden.checks.config import Thresholds
from iamwarden.checks.organization._common import OrgCheck

SERVICES = (
    "guardduty.amazonaws.com",
    "securityhub.amazonaws.com",
    "access-analyzer.amazonaws.com",
    "cloudtrail.amazonaws.com",
)

METADATA = CheckMetadata(
    id="organization.delegated_administrators",
    title="Security services have a delegated administrator",
    practice=11,
    severity=Severity.LOW,
    resource_type="AwsOrganizationsOrganization",
    why="A delegated administrator in a security account keeps day-to-day security work out of the management "
    "account, where SCPs do not apply.",
    remediation=Remediation(
        "Register the security account as delegated administrator of each service.",
        cli=(
            "aws organizations register-delegated-administrator --account-id <security account> "
            "--service-principal guardduty.amazonaws.com",
        ),
    ),
    references=("https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services_list.html",),
)


def evaluate(facts: OrganizationFacts, thresholds: Thresholds) -> Iterator[Outcome]:
    org = facts.bundle.organization
    delegated: dict[str, list[str]] = {}
    for d in facts.bundle.delegated_administrators:
        delegated.setdefault(d.service_principal, []).append(d.account_id)
    for service in SERVICES:
        resource = f"{org.arn}/delegated-administrator/{service}"
        members = [a for a in delegated.get(service, []) if a != org.management_account_id]
        if members:
            yield passed(resource, f"{service} is administered from {', '.join(members)}", accounts=members)
        else:
            yield failed(resource, f"{service} has no delegated administrator in a member account", service=service)


CHECK = OrgCheck(METADATA, evaluate)
