"""The demo's second day: the bundled demo account after a scripted change, for ``make demo``'s history and diff.

An hour after the demo snapshot was collected, three things happen in Northwind's account, and nothing else:

1. a new administrator: ``AdministratorAccess`` is attached to the user ``raj.mehta``;
2. a rotated key: ``priya.patel`` deletes her access key ``AKIAUWVLWVGBOEXAMPLE`` and creates ``AKIAQ2ROTATEDEXAMPLE``;
3. a widened trust: the role ``security-audit-readonly`` drops the ``sts:ExternalId`` condition of its trust policy.

The change is made on the collected responses (authorization details, ListAccessKeys, GetAccessKeyLastUsed, the
credential report), as the collector would have stored them, and written as a new snapshot collected an hour later.

Usage: ``python scripts/demo_change.py DEMO_SNAPSHOT OUTPUT``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson

from iamwarden.collect.snapshot import Snapshot, read_snapshot, write_snapshot

NEW_ADMIN = "raj.mehta"
ROTATING_USER = "priya.patel"
OLD_KEY = "AKIAUWVLWVGBOEXAMPLE"
NEW_KEY = "AKIAQ2ROTATEDEXAMPLE"
WIDENED_ROLE = "security-audit-readonly"
LATER = timedelta(hours=1)


def changed(snapshot: Snapshot) -> Snapshot:
    """``snapshot`` after the three changes of the module doc, collected an hour later."""
    calls: dict[str, Any] = orjson.loads(orjson.dumps(snapshot.calls))  # a deep copy
    when = snapshot.collected_at + LATER
    created = (when - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    details = calls["iam:GetAccountAuthorizationDetails"]["global"]["_"]
    admin_arn = next(p["Arn"] for p in details["Policies"] if p["PolicyName"] == "AdministratorAccess")
    user = next(u for u in details["UserDetailList"] if u["UserName"] == NEW_ADMIN)
    user.setdefault("AttachedManagedPolicies", []).append({"PolicyName": "AdministratorAccess", "PolicyArn": admin_arn})
    for policy in details["Policies"]:
        if policy["Arn"] == admin_arn:
            policy["AttachmentCount"] = policy.get("AttachmentCount", 0) + 1
    role = next(r for r in details["RoleDetailList"] if r["RoleName"] == WIDENED_ROLE)
    for statement in role["AssumeRolePolicyDocument"]["Statement"]:
        statement.pop("Condition", None)
    keys = calls["iam:ListAccessKeys"]["global"][ROTATING_USER]["AccessKeyMetadata"]
    keys[:] = [k for k in keys if k["AccessKeyId"] != OLD_KEY]
    keys.append({"UserName": ROTATING_USER, "AccessKeyId": NEW_KEY, "Status": "Active", "CreateDate": created})
    last_used = calls["iam:GetAccessKeyLastUsed"]["global"]
    last_used.pop(OLD_KEY, None)
    last_used[NEW_KEY] = {"UserName": ROTATING_USER, "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}}
    report = calls["iam:GetCredentialReport"]["global"]["_"]
    report["Content"] = _rotated_row(report["Content"], created)
    report["GeneratedTime"] = when.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return replace(snapshot, calls=calls, collected_at=when)


def _rotated_row(content: str, created: str) -> str:
    """The credential report with the rotating user's key 1 just created and never used."""
    lines = content.splitlines()
    header = lines[0].split(",")
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if cells[0] == ROTATING_USER:
            row = dict(zip(header, cells, strict=True))
            row.update(
                access_key_1_active="true",
                access_key_1_last_rotated=created,
                access_key_1_last_used_date="N/A",
                access_key_1_last_used_region="N/A",
                access_key_1_last_used_service="N/A",
            )
            cells = [row[h] for h in header]
        out.append(",".join(cells))
    return "\n".join(out) + ("\n" if content.endswith("\n") else "")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python scripts/demo_change.py DEMO_SNAPSHOT OUTPUT", file=sys.stderr)
        return 2
    write_snapshot(changed(read_snapshot(args[0])), Path(args[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
