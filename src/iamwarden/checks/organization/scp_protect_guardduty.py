"""organization.scp_protect_guardduty - SCPs stop member accounts from disabling GuardDuty.

What it does: for each active member account, asks the engine whether its SCPs deny ``guardduty:DeleteDetector``,
``guardduty:DisassociateFromAdministratorAccount`` and ``guardduty:UpdateDetector`` to a principal its own policies
allow everything.
Why is this bad? Threat detection that the watched account can switch off protects nothing against its intruder.
Example: an SCP at the root denying the three actions passes.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.organization import OrganizationFacts
from iamwarden.checks.base import CheckMetadata, Outcome, Remediation, Severity
from iamwarden.checks.config import Thresholds
from iamwarden.checks.organization._common import OrgCheck, scp_denials

DETECTOR = "arn:aws:guardduty:us-east-1:{account}:detector/iamwarden-probe"

METADATA = CheckMetadata(
    id="organization.scp_protect_guardduty",
    title="SCPs deny disabling GuardDuty",
    practice=7,
    severity=Severity.MEDIUM,
    resource_type="AwsAccount",
    why="An account that can delete its detector or leave the GuardDuty administrator hides what happens in it.",
    remediation=Remediation(
        "Attach to the root an SCP denying guardduty:DeleteDetector, guardduty:DisassociateFromAdministratorAccount "
        "and guardduty:UpdateDetector.",
        console=(
            "AWS Organizations console > Policies > Service control policies > Create policy, then attach it "
            "to the root.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_guardduty.html",
    ),
    decided_by="engine",
)


def evaluate(facts: OrganizationFacts, thresholds: Thresholds) -> Iterator[Outcome]:
    actions = tuple(
        (a, DETECTOR)
        for a in (
            "guardduty:DeleteDetector",
            "guardduty:DisassociateFromAdministratorAccount",
            "guardduty:UpdateDetector",
        )
    )
    yield from scp_denials(facts, actions, "disabling GuardDuty")


CHECK = OrgCheck(METADATA, evaluate)
