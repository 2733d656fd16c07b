"""What the two credential-in-code checks share: describing matches against the account's own keys."""

from __future__ import annotations

from typing import Any

from iamwarden.checks.base import iso
from iamwarden.checks.secrets.scan import CredentialMatch
from iamwarden.model import Account


def describe_match(account: Account, match: CredentialMatch, where: str) -> dict[str, Any]:
    """Evidence for one match: masked value, where it is, and - for a key id - whose key it is and its state."""
    facts: dict[str, Any] = {"kind": match.kind, "value": match.masked, "where": where}
    if match.kind == "secret_access_key":
        facts["entropy"] = round(match.entropy, 2)
        return facts
    for user in account.users:
        for key in user.access_keys or ():
            if key.key_id == match.value:
                facts.update(
                    owner=user.arn,
                    status=key.status,
                    created=iso(key.created),
                    last_used=iso(key.last_used),
                    last_used_service=key.last_used_service,
                )
                return facts
    if match.value.startswith("ASIA"):
        facts["owner"] = "temporary (STS) credentials"
    else:
        listed = all(u.access_keys is not None for u in account.users)
        facts["owner"] = (
            "not a key of this account's IAM users"
            if listed
            else "unknown (ListAccessKeys not collected for every user)"
        )
    return facts


def summary(findings: list[dict[str, Any]]) -> str:
    parts = []
    for f in findings:
        owner = f.get("owner")
        state = f" of {owner}, {f['status']}" if "status" in f else ""
        parts.append(f"{f['kind'].replace('_', ' ')} {f['value']} in {f['where']}{state}")
    return "; ".join(parts)
