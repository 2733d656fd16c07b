"""least_privilege.admin_policies - no policy of the account's own grants full administrator access.

What it does: evaluates each customer-managed policy (attached or not) and each inline policy on its own with the
policy engine: a policy that allows every administrator probe (including an action of a service that does not exist,
which only ``*`` or an allow-all ``NotAction`` grants) fails, whatever its name. As in CIS 2.15 and Security Hub IAM.1
("IAM policies should not allow full '*' administrative privileges": the policies you create), AWS managed policies are
not judged: attaching AWS's ``AdministratorAccess`` to an administrators group or role is how administrator access is
meant to be given, and who holds it is ``least_privilege.effective_admins``'s business.
Why is this bad? A home-made full-access policy spreads administrator access under a name nobody reviews as such, and
one attached "for now" tends to stay.
Example: ``{"Effect": "Allow", "NotAction": "iam:CreateUser", "Resource": "*"}`` with a second statement allowing
``iam:*`` fails; ``s3:*`` on one bucket passes; AdministratorAccess attached to a group is not a result here. A policy
whose verdict rests on a condition value the engine cannot read (``NumericLessThan`` on ``"abc"``) is ``unknown``,
naming it.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.permissions import policy_admin_of
from iamwarden.analysis.principals import ExaminedPolicy
from iamwarden.checks.base import (
    Check,
    CheckMetadata,
    Outcome,
    Remediation,
    Severity,
    failed,
    passed,
    unknown,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.least_privilege._common import judge_each_policy
from iamwarden.policy import Policy

METADATA = CheckMetadata(
    id="least_privilege.admin_policies",
    title="No customer-managed or inline policy grants full administrator access",
    practice=1,
    severity=Severity.HIGH,
    resource_type="AwsIamPolicy",
    why="Policies that allow everything (``*`` on ``*``, or NotAction with a token exclusion) defeat least privilege "
    "for every principal they are attached to.",
    remediation=Remediation(
        "Replace full-access policies with ones scoped to the actions and resources needed; where administrator "
        "access is truly needed, grant it to a role assumed with MFA.",
        cli=(
            "aws iam list-entities-for-policy --policy-arn <arn>",
            "aws iam create-policy-version --policy-arn <arn> --policy-document file://scoped.json --set-as-default",
        ),
        console=("IAM console > Policies > <policy> > Edit / Entities attached > Detach.",),
    ),
    cis_aws_v6=("2.15",),
    security_hub=("IAM.1",),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-1",
    ),
    decided_by="engine",
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    def judge(examined: ExaminedPolicy, compiled: Policy) -> Outcome:
        verdict = policy_admin_of(context, compiled)
        facts = {**verdict.to_json(), "aws_managed": examined.aws_managed, "attached_to": list(examined.attached_to)}
        if verdict.errors:  # the engine's answer rests on a value it cannot read: neither pass nor fail
            gap = verdict.errors_text()
            return unknown(examined.resource, f"the policy engine met errors deciding it: {gap}", gap=gap, **facts)
        if not verdict.admin:
            return passed(examined.resource, "does not grant full administrator access", **facts)
        where = f"attached to {len(examined.attached_to)} principal(s)" if examined.attached_to else "not attached"
        statements = ", ".join(s.statement or "?" for s in verdict.statements)
        return failed(
            examined.resource, f"grants full administrator access (statements {statements}); {where}", **facts
        )

    return judge_each_policy(context, judge, include_aws_managed=False)


CHECK = Check(METADATA, evaluate)
