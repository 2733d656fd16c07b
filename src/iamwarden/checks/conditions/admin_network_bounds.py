"""conditions.admin_network_bounds - administrator access is bounded by network or organization conditions.

What it does: for each principal, asks the engine whether the administrator probes are allowed with MFA present and
no source IP, VPC or organization context: then administrator access works from anywhere. A principal that is not,
asks again with the request coming from inside the network its policies name (the first address of their
``aws:SourceIp`` CIDRs, their ``aws:SourceVpc`` ...): administrator there passes as bounded.
Network conditions are a recommendation of the IAM best practices ("use conditions in IAM policies to further
restrict access"; the guide calls its best practices "helpful considerations rather than requirements"), the second
factor is a requirement. So an administrator from any network whose every use needs MFA or an identity provider's
sign-in (:func:`iamwarden.checks.least_privilege.effective_admins.mfa_guard`: the access itself requires MFA; a user
with an MFA device and no active access key; a role of an IAM Identity Center permission set, of a SAML provider, or
assumable only with MFA) passes, its evidence saying it is not bounded by network (``network_bounded: false``) and
what protects it. One that a stolen access key or an MFA-less trust opens from anywhere fails (as information).
Why is this bad? Administrator credentials that work from any network and without a second factor are usable by
whoever holds them, wherever they are; aws:SourceIp / aws:SourceVpc / aws:PrincipalOrgID conditions (or an SCP /
data perimeter) narrow that.
Example: a user with AdministratorAccess and an active access key - fails (info); the same user with an MFA device
and no access key passes (unbounded, protected by MFA); an admin policy with ``IpAddress aws:SourceIp`` passes. A
principal whose answer rests on a policy the engine cannot read (a condition value such as ``NumericLessThan "abc"``:
the decisions' ``errors``) is ``unknown``, naming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.permissions import admin_inside_network, admin_of, errors_text
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
from iamwarden.checks.facts import PRINCIPAL_TYPES, principals_policies
from iamwarden.checks.least_privilege.effective_admins import mfa_guard
from iamwarden.model import Role, User

METADATA = CheckMetadata(
    id="conditions.admin_network_bounds",
    title="Administrator access is bounded by network or organization conditions",
    practice=8,
    severity=Severity.INFO,
    resource_type="AwsIamPrincipal",
    why="Administrator access that works from any network and without a second factor is usable by whoever holds a "
    "stolen key, wherever they are; source IP, VPC or organization conditions (or a data perimeter of SCPs and RCPs) "
    "keep it from being used elsewhere. Network conditions are a recommendation (IAM best practices: use conditions "
    "to further restrict access), so an administrator whose every use needs MFA or an identity provider's sign-in "
    "(an MFA device and no active access key, access that requires MFA, a role assumable only with MFA, through IAM "
    "Identity Center or SAML) passes, its evidence saying it is not bounded by network (network_bounded: false) "
    "and what protects it.",
    remediation=Remediation(
        "Consider a data perimeter: SCPs/RCPs or policy conditions on aws:SourceIp, aws:SourceVpc or "
        "aws:PrincipalOrgID for administrator access.",
        cli=(
            "aws organizations create-policy --type SERVICE_CONTROL_POLICY --content file://perimeter.json "
            "--name perimeter",
        ),
        console=("AWS Organizations console > Policies > Service control policies > Create policy.",),
    ),
    references=(
        "https://docs.aws.amazon.com/whitepapers/latest/building-a-data-perimeter-on-aws/perimeter-implementation.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#use-policy-conditions",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableMFADevice.html",
    ),
    decided_by="engine",
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    principals: list[User | Role] = [*account.users, *account.roles]
    for item in principals_policies(context, principals):
        if isinstance(item, Outcome):
            yield item
            continue
        principal, policies = item
        kind = PRINCIPAL_TYPES[type(principal)]
        verdict = admin_of(context, policies)
        if verdict.errors:  # the engine's answer rests on a value it cannot read: neither pass nor fail
            gap = verdict.errors_text()
            out = unknown(
                principal.arn, f"the policy engine met errors deciding it: {gap}", gap=gap, **verdict.to_json()
            )
        elif verdict.admin:
            guard, errors = mfa_guard(context, principal, verdict)
            evidence = {**verdict.to_json(), "network_bounded": False, "protected_by": guard}
            if errors:
                gap = f"the policy engine met errors deciding its trust: {errors_text(errors)}"
                policy_errors = [e.to_json() for e in errors]
                out = unknown(principal.arn, gap, gap=gap, policy_errors=policy_errors, **evidence)
            elif guard is None:
                text = "administrator access from any network, and not only with MFA or an identity provider's sign-in"
                out = failed(principal.arn, text, **evidence)
            else:
                out = passed(principal.arn, f"administrator from any network, protected by {guard}", **evidence)
        else:
            inside, network, found = admin_inside_network(policies)
            if found:
                gap = errors_text(found)
                evidence = {"network": network, "policy_errors": [e.to_json() for e in found]}
                out = unknown(principal.arn, f"the policy engine met errors deciding it: {gap}", gap=gap, **evidence)
            elif inside:
                where = ", ".join(f"{k}={v}" for k, v in sorted(network.items()))
                text = f"administrator only from inside its network ({where})"
                out = passed(principal.arn, text, network=network, network_bounded=True)
            else:
                out = not_applicable(principal.arn, "not an administrator")
        yield replace(out, resource_type=kind)


CHECK = Check(METADATA, evaluate)
