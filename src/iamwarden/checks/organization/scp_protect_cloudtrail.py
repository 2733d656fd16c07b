"""organization.scp_protect_cloudtrail - SCPs stop member accounts from turning CloudTrail off.

What it does: for each active member account, asks the engine whether its SCPs deny ``cloudtrail:StopLogging``,
``cloudtrail:DeleteTrail`` and ``cloudtrail:UpdateTrail`` on a trail of the account to a principal its own policies
allow everything.
Why is this bad? An intruder's first move is to stop the record of what it does next.
Example: an SCP at the root denying the three actions on every resource passes.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.organization import OrganizationFacts
from iamwarden.checks.base import CheckMetadata, Outcome, Remediation, Severity
from iamwarden.checks.config import Thresholds
from iamwarden.checks.organization._common import OrgCheck, scp_denials

TRAIL = "arn:aws:cloudtrail:us-east-1:{account}:trail/organization-trail"

METADATA = CheckMetadata(
    id="organization.scp_protect_cloudtrail",
    title="SCPs deny stopping or deleting CloudTrail",
    practice=7,
    severity=Severity.HIGH,
    resource_type="AwsAccount",
    why="Whoever can stop or delete the trail can act unrecorded; an SCP binds even the account's administrators.",
    remediation=Remediation(
        "Attach to the root an SCP denying cloudtrail:StopLogging, cloudtrail:DeleteTrail and cloudtrail:UpdateTrail "
        "(an exception for the role that manages the trail, by aws:PrincipalArn).",
        console=(
            "AWS Organizations console > Policies > Service control policies > Create policy, then attach it "
            "to the root.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_cloudtrail.html",
    ),
    decided_by="engine",
)


def evaluate(facts: OrganizationFacts, thresholds: Thresholds) -> Iterator[Outcome]:
    actions = tuple((a, TRAIL) for a in ("cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail"))
    yield from scp_denials(facts, actions, "turning CloudTrail off")


CHECK = OrgCheck(METADATA, evaluate)
