"""conditions.admin_network_bounds - administrator access is bounded by network or organization conditions.

What it does: for each principal, asks the engine whether the administrator probes are allowed with MFA present and
no source IP, VPC or organization context: then administrator access works from anywhere (fails, as information).
A principal that is not, asks again with the request coming from inside the network its policies name (the first
address of their ``aws:SourceIp`` CIDRs, their ``aws:SourceVpc`` ...): administrator there passes as bounded.
Why is this bad? Administrator credentials that work from any network are usable by whoever holds them, wherever they
are; aws:SourceIp / aws:SourceVpc / aws:PrincipalOrgID conditions (or an SCP / data perimeter) narrow that.
Example: AdministratorAccess with no conditions - fails (info); an admin policy with ``IpAddress aws:SourceIp``
passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.permissions import admin_inside_network, admin_of
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
from iamwarden.checks.facts import PRINCIPAL_TYPES, principals_policies
from iamwarden.model import Role, User

METADATA = CheckMetadata(
    id="conditions.admin_network_bounds",
    title="Administrator access is bounded by network or organization conditions",
    practice=8,
    severity=Severity.INFO,
    resource_type="AwsIamPrincipal",
    why="Unbounded administrator access works from any network; source IP, VPC or organization conditions (or a "
    "data perimeter of SCPs and RCPs) keep stolen credentials from being used elsewhere.",
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
        if verdict.admin:
            out = failed(
                principal.arn, "administrator access is not bounded by network or organization", **verdict.to_json()
            )
        else:
            inside, network = admin_inside_network(policies)
            if inside:
                where = ", ".join(f"{k}={v}" for k, v in sorted(network.items()))
                out = passed(principal.arn, f"administrator only from inside its network ({where})", network=network)
            else:
                out = not_applicable(principal.arn, "not an administrator")
        yield replace(out, resource_type=kind)


CHECK = Check(METADATA, evaluate)
