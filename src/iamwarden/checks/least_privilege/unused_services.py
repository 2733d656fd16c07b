"""least_privilege.unused_services - principals are not granted services they do not use.

What it does: from service-last-accessed data (GetServiceLastAccessedDetails, collected on request), lists services a
user, group or role is allowed but has not used for ``unused_service_days`` (90).
Why is this bad? Permissions to unused services are pure attack surface; removing them is the cheapest least-privilege
win.
Administrators (users and roles the engine finds to be administrators, groups with a policy that alone makes one) are
not applicable: they are granted every service by design, and whether they should be is
``least_privilege.effective_admins``'s question; listing 400 services they never called would fail every well-run
account.
Example: a role allowed ``dynamodb`` and ``sqs`` that only used ``s3`` fails, naming the two.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.permissions import admin_inside_network, admin_of, policy_admin_of
from iamwarden.analysis.principals import (
    NamedDocument,
    compile_document,
    inline_name,
    managed_document,
    principal_policies,
)
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


def _administrator(context: AnalysisContext, principal: User | Group | Role) -> bool:
    """A user or role the engine finds to be an administrator (from anywhere or from inside its network), or a group
    holding a policy that alone makes one."""
    if isinstance(principal, Group):
        account = context.account
        docs = [NamedDocument(inline_name(principal, p.name), p.document, "inline") for p in principal.inline_policies]
        managed = [account.policies_by_arn.get(arn) for arn in principal.attached_policy_arns]
        docs += [d for p in managed if p is not None and (d := managed_document(p)) is not None]
        compiled = [compile_document(context, d) for d in docs]
        return any(not isinstance(c, str) and policy_admin_of(context, c).admin for c in compiled)
    policies = principal_policies(context, principal)
    if policies.gaps:
        return False
    return admin_of(context, policies).admin or admin_inside_network(policies)[0]


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
        if _administrator(context, principal):
            text = "administrator: granted every service by design (see least_privilege.effective_admins)"
            yield replace(not_applicable(principal.arn, text), resource_type=kind)
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
