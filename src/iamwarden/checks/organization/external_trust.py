"""organization.external_trust - roles trusting accounts outside the organization.

What it does: lists every role whose trust policy names an account (or ``*``) outside the organization, and asks the
engine whether a principal of that account may assume it with no context (open), only with keys such as
``sts:ExternalId`` (conditional), or not at all (an RCP or a condition denies it).
Why is this bad? Every trust outside the organization is access that the organization's SCPs do not bind; without
an ExternalId, a vendor's other customers can be confused into using it.
Example: a vendor role gated by ``sts:ExternalId`` fails at low severity and names the id; an open trust fails high.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.organization import OrganizationFacts
from iamwarden.checks.base import CheckMetadata, Outcome, Remediation, Severity, failed, passed
from iamwarden.checks.config import Thresholds
from iamwarden.checks.organization._common import OrgCheck

METADATA = CheckMetadata(
    id="organization.external_trust",
    title="Roles trusting accounts outside the organization",
    practice=8,
    severity=Severity.HIGH,
    resource_type="AwsIamRole",
    why="A trust outside the organization is access no SCP of ours binds; without sts:ExternalId a third party's "
    "other customers can make it act on this account (the confused deputy).",
    remediation=Remediation(
        "Keep only the vendors you use, each with an sts:ExternalId condition; an RCP can deny sts:AssumeRole to "
        "principals outside the organization except the vendors named.",
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",),
    decided_by="engine",
)


def evaluate(facts: OrganizationFacts, thresholds: Thresholds) -> Iterator[Outcome]:
    by_role: dict[str, list[Outcome]] = {}
    for trust in sorted(facts.graph.external, key=lambda t: (t.role, t.principal)):
        evidence = trust.to_json()
        who = "everyone" if trust.external_account is None else f"account {trust.external_account}"
        if trust.decision == "denied":
            outcome = passed(trust.role, f"names {who} outside the organization, but it may not assume it", **evidence)
        elif trust.decision == "conditional":
            keys = ", ".join(trust.gated_by)
            outcome = Outcome(
                failed(trust.role, "", **evidence).status,
                trust.role,
                f"trusts {who} outside the organization if {keys} hold",
                evidence,
                severity=Severity.LOW if trust.external_id else Severity.MEDIUM,
            )
        else:
            outcome = failed(trust.role, f"trusts {who} outside the organization with no condition", **evidence)
        by_role.setdefault(trust.role, []).append(outcome)
    for role, outcomes in by_role.items():
        worst = sorted(outcomes, key=lambda o: (o.status != "fail", (o.severity or METADATA.severity).rank))[0]
        if len(outcomes) > 1:
            others = [o.evidence for o in outcomes]
            worst = Outcome(
                worst.status,
                role,
                f"{worst.detail} (and {len(outcomes) - 1} more)",
                {**worst.evidence, "trusts": others},
                severity=worst.severity,
            )
        yield worst


CHECK = OrgCheck(METADATA, evaluate)
