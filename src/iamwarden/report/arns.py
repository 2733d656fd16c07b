"""What the machine-readable reports need from an ARN and an account: partition, region, the home region."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the CLI imports this module at start-up, before any account exists
    from iamwarden.model import Account


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
    covered, else :data:`~iamwarden.model.DEFAULT_REGION`."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return account.first_region


_ACCOUNT_ARN = re.compile(r"arn:aws[\w-]*:([\w-]+):([\w-]*):(\d{12}):([^\s,;()\"']+)")


SHORT_ARNS = "named without arn:aws: and the account id"
"""What a listing says once when it names the account's resources by :func:`short_arn`."""


def short_arn(arn: str, account_id: str) -> str:
    """An ARN of ``account_id`` without what the report's header already says: ``user/alice`` for
    ``arn:aws:iam::111122223333:user/alice``, ``lambda:us-east-1:function:f`` for a regional resource, ``root`` for
    the account's root user. ARNs of other accounts, and names that are not ARNs, are returned whole."""
    match = _ACCOUNT_ARN.fullmatch(arn)
    if match is None or match.group(3) != account_id:
        return arn
    return _shortened(match)


def shorten_arns(text: str, account_id: str) -> str:
    """``text`` with every ARN of ``account_id`` in it shortened as :func:`short_arn` does."""
    return _ACCOUNT_ARN.sub(lambda m: _shortened(m) if m.group(3) == account_id else m.group(0), text)


def _shortened(match: re.Match[str]) -> str:
    service, region, _, resource = match.groups()
    if service == "iam" and not region:
        return resource
    return f"{service}:{region}:{resource}" if region else f"{service}:{resource}"
