"""CloudTrail logs from AWS, read-only: an S3 bucket in the CloudTrail layout, or the ``LookupEvents`` API.

Both write what they fetch into a local folder and yield the files one by one, so that
:class:`iamwarden.collect.cloudtrail.TrailReader` reads them in batches as they come, exactly as local files.

- :func:`s3_files` lists only the key prefixes that can hold records asked for: under ``AWSLogs/`` (and an
  organization id), the accounts of ``--account``, then the regions of ``--region``, then one prefix per day of
  ``--since``/``--until`` (``.../YYYY/MM/DD/``); without a window, the whole region. Calls: ``s3:ListBucket``
  (``ListObjectsV2``) and ``s3:GetObject``.
- :func:`lookup_event_files` pages through ``cloudtrail:LookupEvents`` (management events of the last 90 days) in
  every enabled region (``ec2:DescribeRegions``) or those asked for, with botocore's adaptive retry mode absorbing
  the API's throttling (two calls a second per account and region), one JSON Lines file per region.

Credentials come from boto3's default chain; nothing is ever written to AWS.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from iamwarden.collect.cloudtrail import SUFFIXES, TrailFilter
from iamwarden.errors import InputError, Problem

RETRIES = Config(retries={"mode": "adaptive", "max_attempts": 12})
MAX_DAYS = 3660
"""More days than this in a window: list whole regions instead of day prefixes."""


TRAIL_ACTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "s3:ListBucket",
        "bucket",
        "`detect`, `policy unused`/`suggest` on `s3://`: the log prefixes (accounts, regions, days)",
    ),
    ("s3:GetObject", "bucket-object", "the same: each log file inside `--since`/`--until`"),
    ("cloudtrail:LookupEvents", "region", "`detect --lookup-events`: 90 days of management events"),
    ("ec2:DescribeRegions", "account", "`detect --lookup-events`: the regions enabled for the account"),
)
"""What reading CloudTrail logs calls (action, scope, what for): part of the read-only policy
(:mod:`iamwarden.collect.permissions`). Every call below is one of these (``tests/collect/test_cloudtrail_remote.py``
checks the calls made against this list)."""


def is_s3_url(text: str) -> bool:
    return text.startswith("s3://")


def _split(url: str) -> tuple[str, str]:
    match = re.fullmatch(r"s3://([^/]+)/?(.*)", url)
    if match is None:
        raise InputError(url, Problem("", "expected s3://BUCKET or s3://BUCKET/PREFIX"))
    return match.group(1), match.group(2)


def _children(s3: Any, bucket: str, prefix: str) -> list[str]:
    """The 'folders' right under ``prefix``."""
    found: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
        found.extend(p["Prefix"] for p in page.get("CommonPrefixes", []))
    return found


def _days(where: TrailFilter) -> list[date] | None:
    if where.since is None:
        return None
    end = (where.until or datetime.now(UTC)).date()
    count = (end - where.since.date()).days + 1
    if count > MAX_DAYS or count < 1:
        return None if count > MAX_DAYS else []
    return [where.since.date() + timedelta(days=n) for n in range(count)]


def s3_prefixes(s3: Any, bucket: str, prefix: str, where: TrailFilter) -> list[str]:
    """The key prefixes to list for ``where`` under ``prefix`` (pruned by account, region and day)."""
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    if "CloudTrail/" in prefix:  # already inside one account's trail: list it all, keys filtered one by one
        return [prefix]
    logs = prefix if prefix.endswith("AWSLogs/") else prefix + "AWSLogs/"
    accounts: list[str] = []
    for child in _children(s3, bucket, logs):
        name = child[len(logs) :].strip("/")
        if name.startswith("o-"):  # organization trail: AWSLogs/o-xxxx/<account>/
            accounts.extend(_children(s3, bucket, child))
        else:
            accounts.append(child)
    chosen = [a for a in accounts if not where.accounts or a.rstrip("/").rsplit("/", 1)[-1] in where.accounts]
    days = _days(where)
    out: list[str] = []
    for account in chosen:
        for region in _children(s3, bucket, account + "CloudTrail/"):
            name = region.rstrip("/").rsplit("/", 1)[-1]
            if where.regions and name not in where.regions:
                continue
            if days is None:
                out.append(region)
            else:
                out.extend(f"{region}{d:%Y/%m/%d}/" for d in days)
    return out


def s3_files(url: str, where: TrailFilter, dest: Path, client: Any = None) -> Iterator[Path]:
    """Download the CloudTrail files of ``url`` that ``where`` may keep into ``dest``, yielding each when written."""
    bucket, prefix = _split(url)
    s3 = client or boto3.client("s3", config=RETRIES)
    try:
        prefixes = s3_prefixes(s3, bucket, prefix, where)
        for listed in prefixes:
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=listed):
                for item in page.get("Contents", []):
                    key = item["Key"]
                    if not key.lower().endswith(SUFFIXES) or not where.keeps_layout(key.split("/")):
                        continue
                    path = dest / bucket / key
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
                    yield path
    except (ClientError, BotoCoreError) as exc:
        raise InputError(url, Problem("", f"cannot read the bucket: {exc}")) from None


def enabled_regions(session: Any = None) -> list[str]:
    ec2 = (session or boto3).client("ec2", region_name="us-east-1", config=RETRIES)
    return sorted(r["RegionName"] for r in ec2.describe_regions(AllRegions=False)["Regions"])


def lookup_event_files(where: TrailFilter, dest: Path, session: Any = None) -> Iterator[Path]:
    """Page through ``LookupEvents`` in each region, writing one JSON Lines file per region into ``dest``."""
    try:
        regions = sorted(where.regions) if where.regions else enabled_regions(session)
        for region in regions:
            client = (session or boto3).client("cloudtrail", region_name=region, config=RETRIES)
            kwargs: dict[str, Any] = {}
            if where.since is not None:
                kwargs["StartTime"] = where.since
            if where.until is not None:
                kwargs["EndTime"] = where.until
            path = dest / f"lookup-events-{region}.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for page in client.get_paginator("lookup_events").paginate(**kwargs):
                    for event in page.get("Events", []):
                        text = event.get("CloudTrailEvent")
                        if text:
                            out.write(text.replace("\n", " ") + "\n")
            yield path
    except (ClientError, BotoCoreError) as exc:
        raise InputError("LookupEvents", Problem("", f"cannot look up events: {exc}")) from None
