"""organization.cross_account_escalation - no principal reaches an administrator of another account.

What it does: walks the organization's cross-account graph (trust policies and callers' policies decided by the
engine on both sides, SCPs and RCPs of each account's OU path, escalation within each account) from every principal
with a cross-account edge, and from each account's administrators, to the administrators of other accounts.
Why is this bad? A workload account's user who can become administrator of the management account owns the
organization; account boundaries are the blast radius that multi-account designs rely on.
Example: a developer in a workload account allowed to assume a management-account role with AdministratorAccess
that trusts the workload account's root fails, with both account ids.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.cross_account import ADMIN_NODE
from iamwarden.analysis.organization import OrganizationFacts
from iamwarden.checks.base import CheckMetadata, Outcome, Remediation, Severity, failed, passed
from iamwarden.checks.config import Thresholds
from iamwarden.checks.organization._common import OrgCheck

METADATA = CheckMetadata(
    id="organization.cross_account_escalation",
    title="No path to an administrator of another account",
    practice=1,
    severity=Severity.HIGH,
    resource_type="AwsIamRole",
    why="A path from one account to another's administrators makes the weakest account's principals administrators "
    "of the other; into the management account, of the whole organization.",
    remediation=Remediation(
        "Narrow the trust policy of the role the path enters (name the principals, not the account; require "
        "aws:PrincipalOrgPaths or MFA), or remove the caller's sts:AssumeRole permission; an SCP on the source OU can "
        "deny sts:AssumeRole on the target account's roles.",
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_aws-accounts.html",),
    decided_by="engine",
)


def evaluate(facts: OrganizationFacts, thresholds: Thresholds) -> Iterator[Outcome]:
    graph = facts.graph
    management = facts.management_account_id
    sources = graph.sources()
    for source in sources:
        paths = graph.paths_from(source)
        if not paths:
            continue
        first = paths[0]
        who = f"any administrator of {first.source_account}" if source.startswith(ADMIN_NODE) else source
        accounts = [p.target_account for p in paths]
        severity = Severity.CRITICAL if management in accounts else None
        detail = (
            f"{who} can reach the administrators of "
            f"{', '.join(accounts)} ({len(first.hops)} hops to {first.target_account}"
            f"{', conditional' if first.conditional else ''})"
        )
        outcome = failed(
            source if not source.startswith(ADMIN_NODE) else facts.account_arn(first.source_account),
            detail,
            source_account=first.source_account,
            target_accounts=accounts,
            paths=[p.to_json() for p in paths],
        )
        yield (
            outcome
            if severity is None
            else Outcome(outcome.status, outcome.resource, outcome.detail, outcome.evidence, severity=severity)
        )
    if not sources:
        yield passed(facts.bundle.organization.arn, "no cross-account edge leads to another account's administrators")


CHECK = OrgCheck(METADATA, evaluate)
