"""root.hardware_mfa - the root user's MFA is a hardware device, not a virtual one.

What it does: MFA on (GetAccountSummary) and no virtual device assigned to root (ListVirtualMFADevices) means hardware.
Why is this bad? A virtual MFA lives on a phone, which can be lost, cloned or phished along with the password.
Example: a virtual device ``arn:aws:iam::111122223333:mfa/root-account-mfa-device`` assigned to root fails.
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
    failed,
    missing,
    not_applicable,
    passed,
)
from iamwarden.checks.config import Thresholds

METADATA = CheckMetadata(
    id="root.hardware_mfa",
    title="The root user uses a hardware MFA device",
    practice=2,
    severity=Severity.MEDIUM,
    resource_type="AwsAccount",
    why="A hardware or FIDO device has a smaller attack surface than a virtual authenticator on a phone; for "
    "high-value accounts the root user's second factor should not share a device with everyday apps.",
    remediation=Remediation(
        "Replace the root user's virtual MFA device with a hardware TOTP token or FIDO security key "
        "(set require_root_hardware_mfa = false in iamwarden.toml for accounts where this is not required).",
        cli=("aws iam list-virtual-mfa-devices --query \"VirtualMFADevices[?ends_with(User.Arn, ':root')]\"",),
        console=(
            "Sign in as the root user; open the account menu > Security credentials.",
            "Assign a hardware or FIDO security key, then remove the virtual device.",
        ),
    ),
    cis_aws_v6=("2.5",),
    security_hub=("IAM.6",),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_physical.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    root = account.root
    if not thresholds.require_root_hardware_mfa:
        yield not_applicable(root.arn, "hardware MFA for root is not required by the configuration")
        return
    if root.mfa_enabled is None:
        yield missing(account, root.arn, "iam:GetAccountSummary")
        return
    if not root.mfa_enabled:
        if account.summary.get("AccountPasswordPresent") == 0:
            yield not_applicable(root.arn, "root user has no password (centralized root access)")
        else:
            yield failed(root.arn, "root user has no MFA device at all", account_mfa_enabled=False)
        return
    if account.virtual_mfa_devices is None:
        yield missing(account, root.arn, "iam:ListVirtualMFADevices")
        return
    if root.virtual_mfa_serials:
        yield failed(
            root.arn,
            "root user's MFA is a virtual device",
            virtual_mfa_serials=list(root.virtual_mfa_serials),
        )
    else:
        yield passed(root.arn, "root user's MFA is not a virtual device (hardware or FIDO)", account_mfa_enabled=True)


CHECK = Check(METADATA, evaluate)
