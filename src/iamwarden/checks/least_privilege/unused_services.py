"""least_privilege.unused_services - principals are not granted services they do not use.

What it does: from service-last-accessed data (GetServiceLastAccessedDetails, collected on request), lists services a
user, group or role is allowed but has not used for ``unused_service_days`` (90).
Why is this bad? Permissions to unused services are pure attack surface; removing them is the cheapest least-privilege
win.
Example: a role allowed ``dynamodb`` and ``sqs`` that only used ``s3`` fails, naming the two.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from iamwarden.analysis.context import AnalysisContext
from iamwarden.checks.base import (
    Check,
    CheckMetadata,
    Outcome,
    Remediation,
    Severity,
    account_arn,
    days_between,
    failed,
    not_applicable,
    passed,
    unknown,
)
from iamwarden.checks.config import Thresholds
from iamwarden.model import Group, Role, User

API = "iam:GetServiceLastAccessedDetails"

METADATA = CheckMetadata(
    id="least_privilege.unused_services",
    title="Principals are not granted services unused for 90 days",
    practice=1,
    severity=Severity.LOW,
    resource_type="AwsIamPrincipal",
    why="Access to services a principal never uses only helps an attacker who gets hold of it; service-last-accessed "
    "data shows what can be removed safely.",
    remediation=Remediation(
        "Remove the unused services from the principal's policies (IAM Access Analyzer can generate a policy from "
        "CloudTrail activity).",
        cli=(
            "aws iam generate-service-last-accessed-details --arn <principal-arn>",
            "aws iam get-service-last-accessed-details --job-id <job-id>",
        ),
        console=("IAM console > <user/role> > Last Accessed tab.",),
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html",),
)

_TYPES = {User: "AwsIamUser", Group: "AwsIamGroup", Role: "AwsIamRole"}


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    principals: list[User | Group | Role] = [*account.users, *account.groups, *account.roles]
    if not any(p.service_last_accessed is not None for p in principals):
        gaps = account.gaps_for(API)
        text = "; ".join(g.describe() for g in gaps[:3]) if gaps else f"{API} was not collected (optional)"
        yield unknown(account_arn(account), f"evidence missing: {text}", missing_api=API, gap=text)
        return
    limit = thresholds.unused_service_days
    now = account.collected_at
    for principal in principals:
        kind = _TYPES[type(principal)]
        details = principal.service_last_accessed
        if isinstance(principal, Role) and principal.service_linked:
            yield replace(not_applicable(principal.arn, "service-linked role"), resource_type=kind)
            continue
        if details is None:
            out = unknown(principal.arn, f"evidence missing: {API} for {principal.arn}", missing_api=API)
            yield replace(out, resource_type=kind)
            continue
        unused = sorted(
            s.service_namespace
            for s in details
            if s.last_authenticated is None or days_between(s.last_authenticated, now) >= limit
        )
        granted = sorted(s.service_namespace for s in details)
        if not granted:
            yield replace(not_applicable(principal.arn, "no services granted"), resource_type=kind)
        elif unused:
            shown = ", ".join(unused[:8]) + (f" and {len(unused) - 8} more" if len(unused) > 8 else "")
            yield replace(
                failed(
                    principal.arn,
                    f"{len(unused)} of {len(granted)} granted services unused: {shown}",
                    unused_services=unused,
                    granted_services=granted,
                    threshold_days=limit,
                ),
                resource_type=kind,
            )
        else:
            yield replace(
                passed(
                    principal.arn,
                    f"all {len(granted)} granted services used within {limit} days",
                    granted_services=granted,
                ),
                resource_type=kind,
            )


CHECK = Check(METADATA, evaluate)
