"""secrets.keys_in_code - none of the account's access keys is in code (files or git history).

What it does: reads the secrets report given with ``scan --secrets FILE`` (``iamwarden secrets scan -f json``) and
matches the keys it found, by fingerprint, with every user's keys (ListAccessKeys). A user whose key was found fails
(critical for an active key, high for an inactive one) with every location (file, line, commit, author date). A key
of this account the listings do not hold (decoded from its id) fails on its own: temporary credentials are high; a
long-term key that is no longer among the account's keys (deleted: it cannot work) is low. Without a report the check
is unknown: nothing was searched.
Why is this bad? A key in a repository is readable by everyone who can clone it, for ever: deleting the file keeps
it in the history, forks and caches. Attackers scan public and leaked repositories for keys within minutes.
Example: ``aws_access_key_id = AKIA...`` of alice's active key in ``deploy/.env`` of commit 3f2a... fails.
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
    passed,
    unknown,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import inventory_missing
from iamwarden.collect.secrets.report_file import LeakedKey
from iamwarden.model import Account

METADATA = CheckMetadata(
    id="secrets.keys_in_code",
    title="No access key of the account in code or git history",
    practice=10,
    severity=Severity.CRITICAL,
    severities=(Severity.CRITICAL, Severity.HIGH, Severity.LOW),
    resource_type="AwsIamUser",
    why="A key in a repository can be read by everyone who can clone it, for as long as the history exists (forks, "
    "caches and mirrors keep it after the file is deleted); leaked keys are exploited within minutes.",
    remediation=Remediation(
        "Deactivate the key now, then delete it; give the workload a role (or short-lived credentials) instead. "
        "Removing the file or rewriting history does not un-leak a key.",
        cli=(
            "aws iam update-access-key --user-name <user> --access-key-id <key-id> --status Inactive",
            "aws iam delete-access-key --user-name <user> --access-key-id <key-id>",
            "iamwarden secrets scan <repo> --history --snapshot <snapshot> -f json -o secrets.json",
        ),
        console=("IAM console > Users > <user> > Security credentials > Access keys > Actions > Deactivate.",),
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
    ),
)
SECRETS_REPORT = "a secrets report (iamwarden secrets scan ... -f json -o secrets.json; scan --secrets secrets.json)"


def where(leak: LeakedKey, limit: int = 3) -> str:
    """The first ``limit`` locations of a leak, and how many more."""
    shown = ", ".join(loc.describe() for loc in leak.locations[:limit])
    more = len(leak.locations) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def _json(leak: LeakedKey) -> dict[str, object]:
    return {
        "key": leak.masked,
        "fingerprint": leak.fingerprint,
        "secret_exposed": leak.secret_exposed,
        "locations": [
            {"path": loc.path, "line": loc.line, "commit": loc.commit, "author_date": loc.author_date}
            for loc in leak.locations
        ],
    }


def _unlisted(account: Account, leak: LeakedKey, taken: set[str]) -> Outcome:
    resource = f"arn:{account.partition}:iam::{account.account_id}:access-key/{leak.masked}"
    if resource in taken:  # two keys with the same masked form: the fingerprint tells them apart
        resource += f"#{leak.fingerprint}"
    taken.add(resource)
    secret = "; its secret is next to it" if leak.secret_exposed else ""
    if leak.masked.startswith("ASIA"):
        detail, severity = f"temporary credentials {leak.masked} of this account in code: {where(leak)}", Severity.HIGH
    elif account.users and all(u.access_keys is not None for u in account.users):
        detail = f"key {leak.masked} of this account, no longer among its keys (deleted), in code: {where(leak)}"
        severity = Severity.LOW
    else:
        detail, severity = f"key {leak.masked} of this account in code: {where(leak)}", Severity.HIGH
    out = failed(resource, detail + secret, leaks=[_json(leak)])
    return Outcome(out.status, out.resource, out.detail, out.evidence, "AwsIamAccessKey", severity)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    if account.code_leaks is None:
        text = f"no secrets report was given: {SECRETS_REPORT}"
        yield unknown(account_arn(account), f"evidence missing: {text}", gap=text)
        return
    if inventory_missing(account):
        yield missing(account, account_arn(account), "iam:GetAccountAuthorizationDetails")
        return
    matched: set[str] = set()
    for user in account.users:
        if user.access_keys is None:
            yield missing(account, user.arn, "iam:ListAccessKeys", target=user.name)
            continue
        if not user.access_keys:
            continue
        found = [(key, leak) for key in user.access_keys for leak in account.leaks_of(key.key_id)]
        matched.update(leak.fingerprint for _, leak in found)
        if not found:
            yield passed(user.arn, f"none of the user's {len(user.access_keys)} key(s) is in the secrets report")
            continue
        parts = [
            f"{'active' if key.active else 'inactive'} key {key.masked_id} in code: {where(leak)}"
            + ("; its secret is next to it" if leak.secret_exposed else "")
            for key, leak in found
        ]
        severity = Severity.CRITICAL if any(key.active for key, _ in found) else Severity.HIGH
        out = failed(user.arn, "; ".join(parts), leaks=[{**_json(leak), "status": key.status} for key, leak in found])
        yield Outcome(out.status, out.resource, out.detail, out.evidence, severity=severity)
    taken: set[str] = set()
    for leak in account.code_leaks:
        if leak.fingerprint not in matched and leak.account_id == account.account_id and not leak.example:
            yield _unlisted(account, leak, taken)


CHECK = Check(METADATA, evaluate)
