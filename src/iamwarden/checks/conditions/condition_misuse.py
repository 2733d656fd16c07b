"""conditions.condition_misuse - conditions say what their authors meant.

What it does: lints every customer-managed and inline policy and every trust policy with iamwarden's policy linter
and reports condition mistakes that change who gets in: ``BoolIfExists`` on ``aws:MultiFactorAuthPresent`` in an
Allow (lets long-term keys through), ``Bool false`` without IfExists in a Deny (misses them), ``ForAllValues`` or
``ForAnyValue`` on single-valued keys, string operators on ARN, date, number or IP keys. The engine's compiled
conditions add any ``...IfExists`` operator on ``aws:MultiFactorAuthAge`` in an Allow
(``ALLOW_MFA_AGE_IF_EXISTS``): long-term access keys carry neither MFA key, so an IfExists condition holds for them.
Each MFA finding names the statement and condition and carries the fix: plain ``Bool`` / ``NumericLessThan`` in the
Allow, or require MFA in a Deny with ``BoolIfExists {"aws:MultiFactorAuthPresent": "false"}``, as the IAM User Guide
does.
Why is this bad? These conditions look protective and are not: the policy allows (or fails to deny) exactly the
requests it was written to stop.
Example: ``"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}`` on an Allow fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.lint import lint_examined, lint_trust
from iamwarden.analysis.principals import compile_document, examined_policies
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
from iamwarden.checks.facts import AUTH_DETAILS, inventory_missing, role_trust
from iamwarden.policy import Policy
from iamwarden.policy.lint import Finding

MFA_FIX = (
    "require MFA without IfExists in the Allow (Bool aws:MultiFactorAuthPresent true, NumericLessThan "
    'aws:MultiFactorAuthAge), or put it in a Deny: BoolIfExists {"aws:MultiFactorAuthPresent": "false"} '
    "(IfExists belongs in the Deny)"
)
"""How to fix an MFA requirement that lets long-term keys through."""
MFA_IF_EXISTS = {"ALLOW_MFA_BOOL_IF_EXISTS"}
"""The linter's code for BoolIfExists on aws:MultiFactorAuthPresent in an Allow."""
AGE_KEY = "aws:multifactorauthage"
NO_MFA: dict[str, str] = {"aws:securetransport": "true"}
"""A request signed with long-term access keys: neither MFA key is present."""

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
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_ec2_require-mfa.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html",
    ),
)


def _summary(findings: list[dict[str, Any]]) -> str:
    codes = sorted({str(f["code"]) for f in findings})
    return f"{len(findings)} condition misuse(s): {', '.join(codes)}"


def _entries(hits: list[Finding], compiled: Policy | str) -> list[dict[str, Any]]:
    """The linter's findings (MFA ones with the fix), then each IfExists on aws:MultiFactorAuthAge in an Allow that
    the engine's compiled condition lets hold for a request signed with long-term keys."""
    out = [{**f.to_json(), "fix": MFA_FIX} if f.code in MFA_IF_EXISTS else f.to_json() for f in hits]
    if isinstance(compiled, str):
        return out
    for statement in compiled.statements:
        if statement.effect != "Allow":
            continue
        for condition in statement.conditions:
            if condition.key_lower != AGE_KEY or not condition.operator_name.if_exists or not condition.test(NO_MFA):
                continue
            out.append(
                {
                    "kind": "SECURITY_WARNING",
                    "code": "ALLOW_MFA_AGE_IF_EXISTS",
                    "message": f"{condition.operator_name.text} on {condition.key} holds when the key is absent, as it "
                    f"is for long-term access keys: statement {statement.label} allows them without MFA",
                    "path": condition.path,
                    "fix": MFA_FIX,
                }
            )
    return out


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    for examined in examined_policies(account, include_aws_managed=False):
        hits = [f for f in lint_examined(context, examined) if f.code in CODES]
        found = _entries(hits, compile_document(context, examined.document))
        facts = {"findings": found}
        out = failed(examined.resource, _summary(found), **facts) if found else passed(examined.resource, "no misuse")
        yield replace(out, resource_type=examined.resource_type)
    for role in account.roles:
        if role.trust_policy is None or role.service_linked:
            continue
        hits = [f for f in lint_trust(role.trust_policy, f"{role.arn} trust policy") if f.code in CODES]
        found = _entries(hits, role_trust(context, role))
        resource = f"{role.arn}/trust-policy"
        facts = {"findings": found}
        out = failed(resource, _summary(found), **facts) if found else passed(resource, "no misuse in trust policy")
        yield replace(out, resource_type="AwsIamRoleTrustPolicy")


CHECK = Check(METADATA, evaluate)
