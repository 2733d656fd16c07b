"""organization.scp_leave_organization - SCPs stop member accounts from leaving the organization.

What it does: for each active member account, asks the engine whether its SCPs (every level of its OU path) deny
``organizations:LeaveOrganization`` to a principal its own policies allow everything.
Why is this bad? An account that leaves takes itself out of every SCP, RCP, organization trail and delegated
security service at once.
Example: only FullAWSAccess attached fails; a root SCP denying the action passes every member.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.organization import OrganizationFacts
from iamwarden.checks.base import CheckMetadata, Outcome, Remediation, Severity
from iamwarden.checks.config import Thresholds
from iamwarden.checks.organization._common import OrgCheck, scp_denials

METADATA = CheckMetadata(
    id="organization.scp_leave_organization",
    title="SCPs deny leaving the organization",
    practice=11,
    severity=Severity.HIGH,
    resource_type="AwsAccount",
    why="A member account that leaves the organization escapes its SCPs and RCPs, the organization trail and the "
    "delegated security services, all at once.",
    remediation=Remediation(
        "Attach to the root an SCP denying organizations:LeaveOrganization.",
        cli=(
            "aws organizations create-policy --type SERVICE_CONTROL_POLICY --name DenyLeaveOrganization "
            '--description "No account leaves" --content \'{"Version":"2012-10-17","Statement":[{"Effect":"Deny",'
            '"Action":"organizations:LeaveOrganization","Resource":"*"}]}\'',
            "aws organizations attach-policy --policy-id <policy id> --target-id <root id>",
        ),
        console=(
            "AWS Organizations console > Policies > Service control policies > Create policy, then attach it "
            "to the root.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html",
    ),
    decided_by="engine",
)


def evaluate(facts: OrganizationFacts, thresholds: Thresholds) -> Iterator[Outcome]:
    yield from scp_denials(facts, (("organizations:LeaveOrganization", "*"),), "leaving the organization")


CHECK = OrgCheck(METADATA, evaluate)
