"""conditions.cross_account_trust - cross-account trusts require an ExternalId or MFA.

What it does: for each role whose trust policy names principals of other accounts (an account, a role, a user),
asks the policy engine whether each may ``sts:AssumeRole`` with an empty context; allowed means the trust has no
ExternalId, MFA or other condition the caller must meet.
Why is this bad? Without an ExternalId a third party can be tricked into using its access for someone else (the
confused deputy); without MFA a person's leaked keys in the other account are enough.
Example: ``"AWS": "arn:aws:iam::444455556666:role/deployer"`` with no condition fails; with
``"StringEquals": {"sts:ExternalId": "..."}`` passes.
"""

from __future__ import annotations

from collections.abc import Iterator

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
    id="conditions.cross_account_trust",
    title="Cross-account trusts require an ExternalId or MFA",
    practice=8,
    severity=Severity.MEDIUM,
    resource_type="AwsIamRole",
    why="Cross-account trusts without conditions accept any request the other side can make: a confused deputy for "
    "third parties (no ExternalId), or leaked long-term keys for people (no MFA).",
    remediation=Remediation(
        "Add sts:ExternalId (third parties) or aws:MultiFactorAuthPresent (people) conditions to the trust policy; "
        "name the exact role instead of the account.",
        cli=("aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json",),
        console=("IAM console > Roles > <role> > Trust relationships > Edit trust policy.",),
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html",),
    decided_by="engine",
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    for item in roles_trust(context):
        if isinstance(item, Outcome):
            yield item
            continue
        role, _document, trust = item
        verdicts = external_trust(trust, role.arn, account.account_id, account.partition)
        if not verdicts:
            yield not_applicable(role.arn, "no cross-account principal in the trust policy")
            continue
        facts = {"trusted": [v.to_json() for v in verdicts]}
        opened = [v.trusted.value for v in verdicts if v.open]
        if opened:
            yield failed(role.arn, "cross-account trust without ExternalId or MFA: " + ", ".join(opened), **facts)
        else:
            gates = sorted({k for v in verdicts for k in v.decision.missing_context_keys})
            yield passed(role.arn, f"cross-account trust requires {', '.join(gates) or 'conditions'}", **facts)


CHECK = Check(METADATA, evaluate)
