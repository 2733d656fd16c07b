"""roles.workload_access_keys - workloads use roles, not IAM users' access keys.

What it does: a user with no console password whose active key was used within ``workload_key_recent_days`` (90) is a
workload running on long-term keys; it fails with the services it used.
Why is this bad? Programmatic users exist to give code long-term keys, which leak from config files, CI variables and
images; a role (instance profile, task role, IAM Roles Anywhere, OIDC federation) gives the same code short-lived
credentials.
Example: user ``ci-deployer`` without password, key last used yesterday by ``s3`` - fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.context import AnalysisContext
from iamwarden.checks.base import (
    Check,
    CheckMetadata,
    Outcome,
    Remediation,
    Severity,
    days_between,
    failed,
    missing,
    not_applicable,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import users_keys

METADATA = CheckMetadata(
    id="roles.workload_access_keys",
    title="Workloads use IAM roles instead of IAM user access keys",
    practice=5,
    severity=Severity.MEDIUM,
    resource_type="AwsIamUser",
    why="Long-term access keys used by code leak from configuration, CI systems and images; roles provide the same "
    "code temporary credentials that expire on their own.",
    remediation=Remediation(
        "Move the workload to a role: an instance profile or task/execution role on AWS, OIDC federation for CI "
        "(GitHub Actions, GitLab), IAM Roles Anywhere on premises. Then deactivate and delete the user's keys.",
        cli=(
            "aws iam create-role --role-name <workload> --assume-role-policy-document file://trust.json",
            "aws iam update-access-key --user-name <user> --access-key-id <key-id> --status Inactive",
        ),
        console=("IAM console > Roles > Create role (AWS service, web identity or IAM Roles Anywhere).",),
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles",
        "https://docs.aws.amazon.com/rolesanywhere/latest/userguide/introduction.html",
    ),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    window = thresholds.workload_key_recent_days
    for item in users_keys(account, active_only=True):
        if isinstance(item, Outcome):
            yield item
            continue
        user, active = item
        if user.has_console_password is None:
            yield missing(account, user.arn, "iam:GetLoginProfile", target=user.name)
            continue
        if user.has_console_password:
            yield not_applicable(user.arn, "user has a console password (a person, see credential checks)")
            continue
        if not all(k.last_used_known for k in active):
            yield missing(account, user.arn, "iam:GetAccessKeyLastUsed")
            continue
        recent = [k for k in active if k.last_used and days_between(k.last_used, account.collected_at) < window]
        services = sorted({k.last_used_service for k in user.access_keys or () if k.active and k.last_used_service})
        evidence = {"keys": [k.to_json() for k in active], "services": services, "window_days": window}
        if recent:
            yield failed(
                user.arn,
                "programmatic-only user's keys are in use by a workload"
                + (f" ({', '.join(services)})" if services else "")
                + ": use a role",
                **evidence,
            )
        else:
            yield passed(user.arn, f"active keys not used within {window} days (see unused key checks)", **evidence)


CHECK = Check(METADATA, evaluate)
