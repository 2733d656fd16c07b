"""mfa.console_users - every IAM user with a console password has MFA.

What it does: for each user with a console password (GetLoginProfile or the credential report), looks for an MFA
device (ListMFADevices, ListVirtualMFADevices, or ``mfa_active`` in the credential report).
Why is this bad? A password alone can be phished, guessed or reused from another breach.
Example: ``password_enabled: true, mfa_active: false`` fails; a user without a password is not applicable.
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
    account_arn,
    failed,
    missing,
    not_applicable,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import AUTH_DETAILS, inventory_missing, user_has_mfa

METADATA = CheckMetadata(
    id="mfa.console_users",
    title="IAM users with a console password have MFA",
    practice=3,
    severity=Severity.HIGH,
    resource_type="AwsIamUser",
    why="Console users without MFA can be taken over with a phished or reused password.",
    remediation=Remediation(
        "Assign an MFA device to the user (better: move people to IAM Identity Center), and require MFA with a "
        "policy that denies everything except MFA self-service while aws:MultiFactorAuthPresent is false.",
        cli=(
            "aws iam create-virtual-mfa-device --virtual-mfa-device-name <user> --outfile qr.png "
            "--bootstrap-method QRCodePNG",
            "aws iam enable-mfa-device --user-name <user> --serial-number <arn> "
            "--authentication-code1 <code1> --authentication-code2 <code2>",
        ),
        console=("IAM console > Users > <user> > Security credentials > Assign MFA device.",),
    ),
    cis_aws_v6=("2.9",),
    security_hub=("IAM.5",),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    for user in account.users:
        if user.has_console_password is None:
            yield missing(account, user.arn, "iam:GetLoginProfile", target=user.name)
            continue
        if not user.has_console_password:
            yield not_applicable(user.arn, "user has no console password")
            continue
        mfa = user_has_mfa(user)
        if mfa is None:
            yield missing(account, user.arn, "iam:ListMFADevices", target=user.name)
        elif mfa:
            serials = [d.serial for d in user.mfa_devices or ()]
            yield passed(user.arn, "console user has MFA", mfa_devices=serials)
        else:
            yield failed(user.arn, "console user has no MFA device", console_password=True, mfa_devices=[])


CHECK = Check(METADATA, evaluate)
