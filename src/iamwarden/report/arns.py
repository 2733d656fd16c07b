"""What the machine-readable reports need from an ARN and an account: partition, region, the home region."""

from __future__ import annotations

import os

from iamwarden.model import Account

DEFAULT_REGION = "us-east-1"


def arn_region(arn: str) -> str | None:
    """The region field of an ARN (``None`` for global resources such as IAM, or for a non-ARN name)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return parts[3] or None


def arn_partition(arn: str, default: str) -> str:
    parts = arn.split(":", 5)
    return parts[1] if len(parts) >= 6 and parts[0] == "arn" and parts[1] else default


def home_region(account: Account) -> str:
    """The region findings of global resources are filed under: ``AWS_REGION`` or ``AWS_DEFAULT_REGION`` when set
    (the region ``aws securityhub batch-import-findings`` will send them to), else the first region the snapshot
    covered, else us-east-1."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return account.regions[0] if account.regions else DEFAULT_REGION
