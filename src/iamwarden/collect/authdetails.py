"""A snapshot from one ``aws iam get-account-authorization-details`` output (what Cloudsplaining users already have).

Only users, groups, roles and policies are in such a file, so every other API of :data:`iamwarden.collect.apis.APIS`
becomes a ``NotCollected`` gap: checks that need them report ERROR (evidence missing), never PASS.

Both forms of policy documents are accepted: decoded JSON objects (boto3, the AWS CLI, Cloudsplaining's ``download``)
and the URL-encoded strings the IAM API itself returns. The snapshot holds them decoded.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from iamwarden.collect.apis import APIS, GLOBAL, NO_TARGET
from iamwarden.collect.raw import adapter
from iamwarden.collect.snapshot import Snapshot, SnapshotBuilder, load_json_file, problems_from_validation
from iamwarden.errors import InputError, Problem

AUTHORIZATION_DETAILS = "iam:GetAccountAuthorizationDetails"

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")
ARN = re.compile(
    rf"^arn:(?P<partition>{'|'.join(PARTITIONS)}):(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):(?P<account>\d{{12}}):"
)
"""An ARN that names an account (AWS managed policies, ``arn:aws:iam::aws:policy/...``, do not)."""

ACCOUNT_ID = re.compile(r"^\d{12}$")

_ENTITY_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def account_of(details: Any) -> tuple[str, str, str] | None:
    """``(account id, partition, JSON path of the ARN)`` from the first user, group, role or customer managed policy."""
    if not isinstance(details, dict):
        return None
    for key in _ENTITY_LISTS:
        entries = details.get(key)
        if not isinstance(entries, list):
            continue
        for i, entry in enumerate(entries):
            arn = entry.get("Arn") if isinstance(entry, dict) else None
            match = ARN.match(arn) if isinstance(arn, str) else None
            if match:
                return match["account"], match["partition"], f"$.{key}[{i}].Arn"
    return None


INCOMPLETE = "Incomplete"
"""The gap code of a field AWS documents that an answer left out and nothing else in the answer tells."""


def fill_omissions(details: Any) -> list[tuple[str, str]]:
    """Fill in place what an answer left out of GetAccountAuthorizationDetails where AWS defines it from another field;
    return what cannot be filled, as ``(target, message)`` for a gap at that place.

    A managed policy's ``PolicyName`` is the last part of its ARN (``arn:aws:iam::123456789012:policy/path/name``), in
    ``Policies`` and in every ``AttachedManagedPolicies`` list. A managed policy's ``PolicyId`` is told by nothing else:
    it stays out, and the policy's ARN is the target of the gap. moto's server leaves both out of ``Policies``.
    """
    if not isinstance(details, dict):
        return []
    for key in ("UserDetailList", "GroupDetailList", "RoleDetailList"):
        for entry in _dicts(details.get(key)):
            for attached in _dicts(entry.get("AttachedManagedPolicies")):
                _fill_name(attached, "PolicyArn")
    omitted = []
    for policy in _dicts(details.get("Policies")):
        _fill_name(policy, "Arn")
        if "PolicyId" not in policy and isinstance(policy.get("Arn"), str):
            omitted.append((policy["Arn"], "the answer left out PolicyId, which nothing else in it tells"))
    return omitted


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _fill_name(policy: dict[str, Any], arn_key: str) -> None:
    arn = policy.get(arn_key)
    if "PolicyName" not in policy and isinstance(arn, str) and ":policy/" in arn:
        policy["PolicyName"] = arn.rsplit("/", 1)[-1]


def pagination_problems(doc: Any) -> list[Problem]:
    """An AWS CLI output that is one page of several (``--no-paginate``, ``--max-items``) would read as complete."""
    if not isinstance(doc, dict):
        return []
    if doc.get("IsTruncated") is True:
        return [Problem("$.IsTruncated", "this output is one page of several: run the AWS CLI without --no-paginate")]
    if "NextToken" in doc:
        return [Problem("$.NextToken", "this output is one page of several: run the AWS CLI without --max-items")]
    return []


def not_collected_gaps(builder: SnapshotBuilder, collected: set[str], message: str) -> None:
    """A ``NotCollected`` gap on every API not in ``collected`` (a regional one at ``global``: every region)."""
    for api in APIS:
        if api.key in collected:
            continue
        regions = builder.regions if api.regional and builder.regions else (GLOBAL,)
        for region in regions:
            builder.gap(api.key, "NotCollected", message, region=region, target=NO_TARGET)


def file_time(path: Path) -> datetime:
    """When a file was last written (UTC): the best guess of when its data was collected."""
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except (OSError, OverflowError, ValueError):
        return datetime.now(UTC)


def snapshot_from_authorization_details(path: str | Path, account_id: str | None = None) -> Snapshot:
    """Read a raw ``get-account-authorization-details`` output (``.json`` or ``.json.gz``) as a snapshot.

    The account id comes from the ARNs inside (or ``account_id`` when the file has none, e.g. an empty account);
    a file whose ARNs name another account than ``account_id`` is refused.
    """
    path = Path(path)
    source = str(path)
    doc = load_json_file(path)
    omitted = fill_omissions(doc)
    details = validate_authorization_details(doc, source)
    found = account_of(details)
    if account_id is not None and not ACCOUNT_ID.match(account_id):
        raise InputError("--account-id", Problem("", f"{account_id!r} is not a 12-digit AWS account id"))
    if found is None and account_id is None:
        raise InputError(
            source,
            Problem("$", "no user, group, role or customer managed policy ARN tells the account id: pass --account-id"),
        )
    partition = "aws"
    if found is not None:
        found_account, partition, place = found
        if account_id is not None and found_account != account_id:
            raise InputError(source, Problem(place, f"is in account {found_account}, not {account_id}"))
    builder = SnapshotBuilder(
        account_id=found[0] if found is not None else str(account_id),
        partition=partition,
        source="authorization-details",
        options={"input": path.name},
        collected_at=file_time(path),
    )
    builder.record(AUTHORIZATION_DETAILS, details, plain=True)  # read from JSON, validated: JSON data already
    for target, message in omitted:
        builder.gap(AUTHORIZATION_DETAILS, INCOMPLETE, message, target=target)
    not_collected_gaps(builder, {AUTHORIZATION_DETAILS}, "not in an authorization-details input")
    return builder.build()


def validate_authorization_details(doc: Any, source: str) -> Any:
    """The validated response (policy documents decoded), or an :class:`InputError` listing every problem."""
    problems = pagination_problems(doc)
    try:
        details = adapter(AUTHORIZATION_DETAILS).validate_python(doc)
    except ValidationError as exc:
        problems.extend(problems_from_validation(exc))
        details = None
    if problems:
        raise InputError(source, problems)
    return details
