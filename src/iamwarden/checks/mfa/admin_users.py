"""mfa.admin_users - no effectively-administrator user lacks MFA.

What it does: for each IAM user the policy engine finds to be an administrator without MFA in the request (see
``least_privilege.effective_admins``), fails when the user has no MFA device.
Why is this bad? One phished password or leaked key of such a user is a full account compromise.
Example: a user in a group with AdministratorAccess, a console password and no MFA device fails (critical). A user
whose verdict rests on a policy the engine cannot read (a condition value such as ``NumericLessThan "abc"``: the
decisions' ``errors``) is ``unknown``, naming it.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.permissions import admin_of
from iamwarden.checks.base import (
    Check,
    CheckMetadata,
    Outcome,
    Remediation,
    Severity,
    failed,
    missing,
    not_applicable,
    passed,
    unknown,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import principals_policies, user_has_mfa

METADATA = CheckMetadata(
    id="mfa.admin_users",
    title="Administrator users have MFA",
    practice=3,
    severity=Severity.CRITICAL,
    resource_type="AwsIamUser",
    why="An administrator protected by a password or access key alone turns a single phish or leak into a full "
    "compromise of the account.",
    remediation=Remediation(
        "Assign an MFA device to the user now, and require MFA for administrator access (a condition on "
        "aws:MultiFactorAuthPresent, or administrator access through a role assumed with MFA).",
        cli=(
            "aws iam enable-mfa-device --user-name <user> --serial-number <arn> --authentication-code1 <c1> "
            "--authentication-code2 <c2>",
        ),
        console=("IAM console > Users > <user> > Security credentials > Assign MFA device.",),
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#enable-mfa-for-privileged-users",
    ),
    decided_by="engine",
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    for item in principals_policies(context, account.users):
        if isinstance(item, Outcome):
            yield item
            continue
        user, policies = item
        verdict = admin_of(context, policies)
        if verdict.errors:  # the engine's answer rests on a value it cannot read: neither pass nor fail
            gap = verdict.errors_text()
            yield unknown(user.arn, f"the policy engine met errors deciding it: {gap}", gap=gap, **verdict.to_json())
            continue
        if not verdict.admin:
            yield not_applicable(user.arn, "user is not an administrator")
            continue
        mfa = user_has_mfa(user)
        facts = {**verdict.to_json(), "has_mfa": mfa, "caveats": list(policies.caveats)}
        if mfa is None:
            yield missing(account, user.arn, "iam:ListMFADevices", target=user.name)
        elif mfa:
            yield passed(user.arn, "administrator user has MFA", **facts)
        elif not verdict.without_mfa:
            yield passed(user.arn, "administrator access requires MFA, which the user does not have", **facts)
        else:
            yield failed(user.arn, "administrator user has no MFA device", **facts)


CHECK = Check(METADATA, evaluate)
