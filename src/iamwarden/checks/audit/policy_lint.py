"""audit.policy_lint - the account's own policies have no linter errors or security warnings.

What it does: lints every customer-managed and inline policy with iamwarden's policy linter (IAM Access Analyzer's
kinds of findings) and fails those with an ERROR or SECURITY_WARNING.
Why is this bad? Errors are policies AWS would reject or that do not do what they say (misspelled actions, invalid
keys); security warnings are constructs that grant more than intended (NotAction allows, iam:PassRole on ``*``).
Example: an inline policy allowing ``iam:PassRole`` on ``*`` fails with PASS_ROLE_WITH_STAR_IN_RESOURCE.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.lint import lint_examined
from iamwarden.analysis.principals import examined_policies
from iamwarden.checks.base import (
    Check,
    CheckMetadata,
    Outcome,
    Remediation,
    Severity,
    account_arn,
    failed,
    missing,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import AUTH_DETAILS, inventory_missing

KINDS = ("ERROR", "SECURITY_WARNING")

METADATA = CheckMetadata(
    id="audit.policy_lint",
    title="Customer-managed and inline policies have no linter errors or security warnings",
    practice=11,
    severity=Severity.MEDIUM,
    resource_type="AwsIamPolicy",
    why="Policy errors mean a policy does not do what its author thinks; security warnings flag grants broader than "
    "they look. Validating policies (as IAM Access Analyzer does) catches both before an attacker does.",
    remediation=Remediation(
        "Fix each finding as the linter explains (iamwarden lint shows them with line and column).",
        cli=(
            "iamwarden lint <policy.json>",
            "aws accessanalyzer validate-policy --policy-type IDENTITY_POLICY --policy-document file://policy.json",
        ),
        console=("IAM console > Policies > <policy> > Edit: the policy editor shows IAM Access Analyzer findings.",),
    ),
    decided_by="linter",
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-validation.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    for examined in examined_policies(account, include_aws_managed=False):
        hits = [f for f in lint_examined(context, examined) if f.kind in KINDS]
        facts = {"findings": [f.to_json() for f in hits]}
        if hits:
            codes = ", ".join(sorted({f.code for f in hits}))
            out = failed(examined.resource, f"{len(hits)} error(s)/security warning(s): {codes}", **facts)
        else:
            out = passed(examined.resource, "no errors or security warnings", **facts)
        yield replace(out, resource_type=examined.resource_type)


CHECK = Check(METADATA, evaluate)
