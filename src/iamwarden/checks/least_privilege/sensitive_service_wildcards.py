"""least_privilege.sensitive_service_wildcards - no policy grants a sensitive service wholesale.

What it does: evaluates each examined policy on its own: a policy whose statements allow an action of IAM, STS, KMS,
Organizations or CloudTrail that does not exist (so only ``iam:*``-style wildcards match it), or an S3 write action
that does not exist (``s3:*``, ``s3:Put*``, ``s3:Delete*``), on resource ``*``, fails. Full-administrator policies are
reported by ``least_privilege.admin_policies`` and are not applicable here.
Why is this bad? ``iam:*`` is administrator in disguise (it can grant itself anything); ``kms:*``, ``sts:*``,
``organizations:*``, ``cloudtrail:*`` and unscoped S3 writes hand over the account's keys, identities, guardrails,
audit trail and data.
Example: ``{"Action": "iam:*", "Resource": "*"}`` fails; ``iam:GetRole`` on ``*`` passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from iamwarden.analysis.permissions import policy_admin_of, service_wide_grants
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
    not_applicable,
    passed,
    unknown,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import AUTH_DETAILS, inventory_missing
from iamwarden.model import Account

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


def evaluate(account: Account, thresholds: Thresholds) -> Iterator[Outcome]:
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    for examined in examined_policies(account):
        if examined.boundary_only:
            out = not_applicable(examined.resource, "used only as a permissions boundary (grants nothing by itself)")
            yield replace(out, resource_type=examined.resource_type)
            continue
        compiled = compile_document(account, examined.document)
        if isinstance(compiled, str):
            yield replace(unknown(examined.resource, compiled), resource_type=examined.resource_type)
            continue
        if policy_admin_of(account, compiled).admin:
            out = not_applicable(examined.resource, "full administrator policy (see least_privilege.admin_policies)")
        else:
            grants = service_wide_grants(compiled, account.account_id, account.partition)
            facts = {"grants": [g.to_json() for g in grants], "attached_to": list(examined.attached_to)}
            if grants:
                services = ", ".join(g.service for g in grants)
                out = failed(examined.resource, f"grants {services} service-wide on all resources", **facts)
            else:
                out = passed(examined.resource, "no sensitive service granted wholesale", **facts)
        yield replace(out, resource_type=examined.resource_type)


CHECK = Check(METADATA, evaluate)
