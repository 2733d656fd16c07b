"""mfa.unassigned_virtual_devices - no virtual MFA device is left unassigned.

What it does: lists virtual MFA devices (ListVirtualMFADevices) that no user is assigned to.
Why is this bad? An unassigned device is a half-finished enrolment or a leftover: its seed may sit in someone's app and
it clutters the inventory used to audit MFA.
Example: a device with no ``User`` fails; an account with none passes.
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
    failed,
    iso,
    missing,
    passed,
)
from iamwarden.checks.config import Thresholds

METADATA = CheckMetadata(
    id="mfa.unassigned_virtual_devices",
    title="No virtual MFA device is left unassigned",
    practice=3,
    severity=Severity.LOW,
    resource_type="AwsIamVirtualMfaDevice",
    why="Unassigned virtual MFA devices are abandoned enrolments; their secrets may still be in an authenticator app "
    "and they make MFA inventories harder to trust.",
    remediation=Remediation(
        "Delete virtual MFA devices that are not assigned to anyone.",
        cli=(
            "aws iam list-virtual-mfa-devices --assignment-status Unassigned",
            "aws iam delete-virtual-mfa-device --serial-number <serial>",
        ),
        console=("IAM console > the device's former user > Security credentials: finish or remove the enrolment.",),
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_disable.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    devices = account.virtual_mfa_devices
    if devices is None:
        yield missing(account, account_arn(account), "iam:ListVirtualMFADevices")
        return
    unassigned = [d for d in devices if d.user_name is None]
    for device in unassigned:
        yield failed(device.serial, "virtual MFA device is not assigned to any user", enabled=iso(device.enabled))
    if not unassigned:
        ok = passed(
            account_arn(account), f"all {len(devices)} virtual MFA device(s) are assigned", devices=len(devices)
        )
        yield replace(ok, resource_type="AwsAccount")


CHECK = Check(METADATA, evaluate)
