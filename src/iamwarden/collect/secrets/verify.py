"""``secrets scan --verify``: ask AWS which account a key id belongs to with ``sts:GetAccessKeyInfo``, called with the
user's own credentials (the default boto3 session: profile, environment, SSO ...). The found key is only ever the
*parameter* of that read-only call, never used to sign anything, and its secret is never sent anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What ``sts:GetAccessKeyInfo`` said about one key id: its account, or the error."""

    account: str | None
    error: str | None = None


def key_accounts(key_ids: Iterable[str], session: Any = None) -> dict[str, KeyInfo]:
    """``sts:GetAccessKeyInfo`` for each distinct key id (errors kept per key: a denied call is not a crash)."""
    session = session or boto3.Session()
    try:
        sts = session.client("sts")
    except (BotoCoreError, ClientError) as exc:
        return {key_id: KeyInfo(None, f"cannot create an STS client: {exc}") for key_id in set(key_ids)}
    out: dict[str, KeyInfo] = {}
    for key_id in sorted(set(key_ids)):
        try:
            answer = sts.get_access_key_info(AccessKeyId=key_id)
            out[key_id] = KeyInfo(str(answer["Account"]))
        except ClientError as exc:
            error = exc.response.get("Error", {})
            out[key_id] = KeyInfo(None, f"{error.get('Code', 'error')}: {error.get('Message', '')}".strip(": "))
        except BotoCoreError as exc:
            out[key_id] = KeyInfo(None, str(exc))
    return out
