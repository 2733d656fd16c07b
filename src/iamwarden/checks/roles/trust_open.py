"""roles.trust_open - no role can be assumed by everyone, or by a whole foreign account, unconditionally.

What it does: for each role whose trust policy names ``*`` or another account (its id or ``:root``), asks the policy
engine whether a caller from there may ``sts:AssumeRole`` with an empty context (no ``sts:ExternalId``, no MFA, no
organization id). Allowed means open.
Why is this bad? ``*`` lets any AWS account in the world assume the role; a whole foreign account without an
ExternalId is the confused-deputy setup AWS warns about; either hands the role's permissions to strangers.
Example: ``"Principal": {"AWS": "*"}`` without conditions fails (critical); ``"AWS": "444455556666"`` with an
``sts:ExternalId`` condition passes. The organization's management account (OrganizationAccountAccessRole) is not
foreign here; ``conditions.cross_account_trust`` still reports such trusts without ExternalId or MFA.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.trust import external_trust
from iamwarden.checks.base import (
    Check,
    CheckMetadata,
    Outcome,
    Remediation,
    Severity,
    failed,
    not_applicable,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import roles_trust

METADATA = CheckMetadata(
    id="roles.trust_open",
    title="No role trusts everyone or a whole foreign account without conditions",
    practice=5,
    severity=Severity.HIGH,
    severities=(Severity.CRITICAL, Severity.HIGH),
    resource_type="AwsIamRole",
    why="A trust policy open to '*' or to every principal of another account, with no ExternalId, MFA or "
    "organization condition, lets outsiders (or a confused deputy) assume the role and use its permissions.",
    remediation=Remediation(
        "Name the exact role that needs access and add a condition: sts:ExternalId for third parties, "
        "aws:PrincipalOrgID for your organization, aws:MultiFactorAuthPresent for people.",
        cli=("aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json",),
        console=("IAM console > Roles > <role> > Trust relationships > Edit trust policy.",),
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html",
    ),
    decided_by="engine",
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    for item in roles_trust(context):
        if isinstance(item, Outcome):
            yield item
            continue
        role, _document, trust = item
        management = account.organization.management_account_id if account.organization else None
        verdicts = [
            v
            for v in external_trust(trust, role.arn, account.account_id, account.partition)
            if v.trusted.kind == "everyone" or (v.trusted.kind == "account" and v.trusted.account != management)
        ]
        if not verdicts:
            yield not_applicable(
                role.arn, "trust policy names neither '*' nor a whole account outside the organization's management"
            )
            continue
        facts = {"trusted": [v.to_json() for v in verdicts]}
        opened = [v for v in verdicts if v.open]
        if any(v.trusted.kind == "everyone" for v in opened):
            everyone = failed(role.arn, "any AWS principal in the world can assume this role", **facts)
            yield replace(everyone, severity=Severity.CRITICAL)
        elif opened:
            accounts = ", ".join(v.trusted.value for v in opened)
            what = f"whole foreign account(s) can assume it with no ExternalId/MFA/org condition: {accounts}"
            yield failed(role.arn, what, **facts)
        else:
            gates = sorted({k for v in verdicts for k in v.decision.missing_context_keys})
            yield passed(role.arn, f"foreign trust is gated by {', '.join(gates) or 'conditions'}", **facts)


CHECK = Check(METADATA, evaluate)
