"""least_privilege.effective_admins - who is effectively an administrator, and why.

What it does: for every IAM user and role (not service-linked), asks the policy engine whether its identity policies
(user + groups, managed default versions and inline), permissions boundary and SCPs together allow every
administrator probe (see :mod:`iamwarden.analysis.permissions`); lists each administrator with the statements that
make it so.
Why is this bad? Every administrator is a full-account compromise waiting for one stolen credential; administrators
should be few, known and deliberate.
Example: a user in a group with a customer policy ``{"NotAction": "iam:CreateUser", "Resource": "*"}`` plus
``iam:*`` is an administrator although no policy is named like one.
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
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import PRINCIPAL_TYPES, principals_policies
from iamwarden.model import Role, User

METADATA = CheckMetadata(
    id="least_privilege.effective_admins",
    title="Principals that are effectively administrators",
    practice=1,
    severity=Severity.HIGH,
    resource_type="AwsIamPrincipal",
    why="An administrator can do anything, including erasing the evidence; each one multiplies the ways a single "
    "stolen credential becomes a full compromise. Keep them few and deliberate, and prefer task-scoped roles.",
    remediation=Remediation(
        "Replace the statements that grant everything with policies scoped to the principal's job; keep "
        "administrator access on a few roles assumed with MFA.",
        cli=(
            "aws iam list-attached-user-policies --user-name <user>",
            "aws iam detach-user-policy --user-name <user> --policy-arn <arn>",
            "aws accessanalyzer start-policy-generation --policy-generation-details principalArn=<arn> "
            "--cloud-trail-details file://trail.json",
        ),
        console=("IAM console > <user/role> > Permissions: remove the policies listed in the evidence.",),
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html",
    ),
    decided_by="engine",
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    principals: list[User | Role] = [*account.users, *account.roles]
    for item in principals_policies(context, principals, service_linked="service-linked role"):
        if isinstance(item, Outcome):
            yield item
            continue
        principal, policies = item
        kind = PRINCIPAL_TYPES[type(principal)]
        verdict = admin_of(context, policies)
        evidence = {**verdict.to_json(), "caveats": list(policies.caveats)}
        if verdict.admin:
            names = ", ".join(sorted({s.policy.rsplit("/", 1)[-1] for s in verdict.statements}))
            mfa = "" if verdict.without_mfa else " (with MFA only)"
            yield replace(
                failed(principal.arn, f"effectively administrator{mfa} via {names}", **evidence), resource_type=kind
            )
        else:
            inside, network = admin_inside_network(policies)
            if inside:
                where = ", ".join(f"{k}={v}" for k, v in sorted(network.items()))
                out = failed(
                    principal.arn, f"administrator from inside its network ({where})", network=network, **evidence
                )
            else:
                out = passed(principal.arn, "not an administrator", **evidence)
            yield replace(out, resource_type=kind)


CHECK = Check(METADATA, evaluate)
