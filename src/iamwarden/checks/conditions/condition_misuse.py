"""conditions.condition_misuse - conditions say what their authors meant.

What it does: lints every customer-managed and inline policy and every trust policy with iamwarden's policy linter
and reports condition mistakes that change who gets in: ``BoolIfExists`` on ``aws:MultiFactorAuthPresent`` in an
Allow (lets long-term keys through), ``Bool false`` without IfExists in a Deny (misses them), ``ForAllValues`` or
``ForAnyValue`` on single-valued keys, string operators on ARN, date, number or IP keys.
Why is this bad? These conditions look protective and are not: the policy allows (or fails to deny) exactly the
requests it was written to stop.
Example: ``"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}`` on an Allow fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.lint import lint_examined, lint_trust
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
from iamwarden.policy.lint import Finding

CODES = frozenset(
    {
        "ALLOW_MFA_BOOL_IF_EXISTS",
        "DENY_MFA_BOOL_WITHOUT_IF_EXISTS",
        "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
        "FORANYVALUE_WITH_SINGLE_VALUED_KEY",
        "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS",
        "TYPE_MISMATCH",
    }
)

METADATA = CheckMetadata(
    id="conditions.condition_misuse",
    title="Policy conditions are not misused",
    practice=8,
    severity=Severity.MEDIUM,
    resource_type="AwsIamPolicy",
    why="A misused condition operator silently changes a policy's meaning: BoolIfExists lets MFA-less access keys "
    "through, ForAllValues on a single-valued key matches when the key is absent, StringLike on ARNs matches more "
    "than intended.",
    remediation=Remediation(
        "Rewrite the condition as the linter suggests: Bool (not BoolIfExists) for MFA in Allow statements, plain "
        "operators for single-valued keys, ArnLike/ArnEquals for ARN keys.",
        cli=("iamwarden lint <policy.json>",),
        console=("IAM console > Policies > <policy> > Edit: fix the condition.",),
    ),
    decided_by="linter",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html",
    ),
)


def _summary(findings: list[Finding]) -> str:
    codes = sorted({f.code for f in findings})
    return f"{len(findings)} condition misuse(s): {', '.join(codes)}"


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    for examined in examined_policies(account, include_aws_managed=False):
        hits = [f for f in lint_examined(context, examined) if f.code in CODES]
        facts = {"findings": [f.to_json() for f in hits]}
        out = failed(examined.resource, _summary(hits), **facts) if hits else passed(examined.resource, "no misuse")
        yield replace(out, resource_type=examined.resource_type)
    for role in account.roles:
        if role.trust_policy is None or role.service_linked:
            continue
        hits = [f for f in lint_trust(role.trust_policy, f"{role.arn} trust policy") if f.code in CODES]
        resource = f"{role.arn}/trust-policy"
        facts = {"findings": [f.to_json() for f in hits]}
        out = failed(resource, _summary(hits), **facts) if hits else passed(resource, "no misuse in trust policy")
        yield replace(out, resource_type="AwsIamRoleTrustPolicy")


CHECK = Check(METADATA, evaluate)
