"""least_privilege.sensitive_service_wildcards - no policy grants a sensitive service wholesale.

What it does: evaluates each examined policy on its own: a policy whose statements allow an action of IAM, STS, KMS,
Organizations or CloudTrail that does not exist (so only ``iam:*``-style wildcards match it), or an S3 write action
that does not exist (``s3:*``, ``s3:Put*``, ``s3:Delete*``), on resource ``*``, fails. Full-administrator policies are
reported by ``least_privilege.admin_policies`` and are not applicable here.
Why is this bad? ``iam:*`` is administrator in disguise (it can grant itself anything); ``kms:*``, ``sts:*``,
``organizations:*``, ``cloudtrail:*`` and unscoped S3 writes hand over the account's keys, identities, guardrails,
audit trail and data.
Example: ``{"Action": "iam:*", "Resource": "*"}`` fails; ``iam:GetRole`` on ``*`` passes; ``iam:*`` under a condition
value the engine cannot read (``NumericLessThan`` on ``"abc"``) is ``unknown``, naming it.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.permissions import policy_admin_of, service_wide_grants
from iamwarden.analysis.principals import ExaminedPolicy
from iamwarden.checks.base import (
    Check,
    CheckMetadata,
    Outcome,
    Remediation,
    Severity,
    failed,
    not_applicable,
    passed,
    unknown,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.least_privilege._common import judge_each_policy
from iamwarden.policy import Policy

METADATA = CheckMetadata(
    id="least_privilege.sensitive_service_wildcards",
    title="No policy grants a sensitive service wholesale without resource scoping",
    practice=1,
    severity=Severity.HIGH,
    resource_type="AwsIamPolicy",
    why="Service-wide wildcards on IAM, STS, KMS, Organizations, CloudTrail or S3 writes over every resource grant "
    "escalation, key control, guardrail removal, log tampering or data destruction in one line.",
    remediation=Remediation(
        "List the actions actually needed (IAM Access Analyzer policy generation, service-last-accessed data) and "
        "scope Resource to the ARNs involved.",
        cli=("aws iam create-policy-version --policy-arn <arn> --policy-document file://scoped.json --set-as-default",),
        console=("IAM console > Policies > <policy> > Edit: replace the wildcard with specific actions and ARNs.",),
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",),
    decided_by="engine",
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account

    def judge(examined: ExaminedPolicy, compiled: Policy) -> Outcome:
        verdict = policy_admin_of(context, compiled)
        if verdict.errors:  # the engine's answer rests on a value it cannot read: neither pass nor fail
            gap = verdict.errors_text()
            return unknown(examined.resource, f"the policy engine met errors deciding it: {gap}", gap=gap)
        if verdict.admin:
            return not_applicable(examined.resource, "full administrator policy (see least_privilege.admin_policies)")
        grants, errors = service_wide_grants(compiled, account.account_id, account.partition)
        facts = {"grants": [g.to_json() for g in grants], "attached_to": list(examined.attached_to)}
        if errors:
            gap = "; ".join(e.describe() for e in errors)
            return unknown(examined.resource, f"the policy engine met errors deciding it: {gap}", gap=gap, **facts)
        if grants:
            services = ", ".join(g.service for g in grants)
            return failed(examined.resource, f"grants {services} service-wide on all resources", **facts)
        return passed(examined.resource, "no sensitive service granted wholesale", **facts)

    return judge_each_policy(context, judge)


CHECK = Check(METADATA, evaluate)
