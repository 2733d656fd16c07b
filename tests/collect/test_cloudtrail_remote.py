"""CloudTrail from S3 (moto): only the prefixes of the accounts, regions and days asked for are listed and read."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from iamwarden.collect.cloudtrail import TrailFilter
from iamwarden.collect.cloudtrail_remote import s3_files, s3_prefixes
from iamwarden.detections import detect, load_rules
from iamwarden.errors import InputError

BUCKET = "org-trail-logs"


def _put(s3: Any, key: str, names: list[str]) -> None:
    records = [
        {
            "eventTime": "2026-11-02T10:00:00Z",
            "eventSource": "cloudtrail.amazonaws.com",
            "eventName": n,
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/a"},
        }
        for n in names
    ]
    s3.put_object(Bucket=BUCKET, Key=key, Body=gzip.compress(json.dumps({"Records": records}).encode()))


@pytest.fixture
def bucket() -> Any:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        base = "logs/AWSLogs/o-abc123/"
        _put(
            s3,
            base
            + "111122223333/CloudTrail/us-east-1/2026/11/02/111122223333_CloudTrail_us-east-1_20261102T1000Z_a.json.gz",
            ["StopLogging"],
        )
        _put(
            s3,
            base
            + "111122223333/CloudTrail/us-east-1/2026/10/02/111122223333_CloudTrail_us-east-1_20261002T1000Z_b.json.gz",
            ["Old"],
        )
        _put(
            s3,
            base
            + "111122223333/CloudTrail/eu-west-1/2026/11/02/111122223333_CloudTrail_eu-west-1_20261102T1000Z_c.json.gz",
            ["Elsewhere"],
        )
        _put(
            s3,
            base
            + "444455556666/CloudTrail/us-east-1/2026/11/02/444455556666_CloudTrail_us-east-1_20261102T1000Z_d.json.gz",
            ["Other"],
        )
        yield s3


def test_prefixes_pruned(bucket: Any) -> None:
    where = TrailFilter(
        since=datetime(2026, 11, 1, tzinfo=UTC),
        until=datetime(2026, 11, 2, tzinfo=UTC),
        accounts=frozenset({"111122223333"}),
        regions=frozenset({"us-east-1"}),
    )
    assert s3_prefixes(bucket, BUCKET, "logs", where) == [
        "logs/AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2026/11/01/",
        "logs/AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2026/11/02/",
    ]


def test_detect_reads_the_bucket(bucket: Any, tmp_path: Path) -> None:
    where = TrailFilter(
        since=datetime(2026, 11, 1, tzinfo=UTC), accounts=frozenset({"111122223333"}), regions=frozenset({"us-east-1"})
    )
    files = list(s3_files(f"s3://{BUCKET}/logs", where, tmp_path, client=bucket))
    assert [f.name.split("_")[-1] for f in files] == ["a.json.gz"]
    result = detect(files, load_rules(), where)
    assert [a.rule.name for a in result.alerts if a.rule.technique] == ["stratus_cloudtrail_stop"]


def test_missing_bucket_is_input_error(bucket: Any, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the bucket"):
        list(s3_files("s3://no-such-bucket", TrailFilter(), tmp_path, client=bucket))


def test_lookup_events_pages_into_json_lines(tmp_path: Path) -> None:
    """moto has no LookupEvents: the API's answers (two pages) come from botocore's Stubber. Throttling is left to
    botocore's adaptive retry mode (RETRIES), not tested here."""
    from botocore.stub import Stubber

    from iamwarden.collect.cloudtrail_remote import lookup_event_files

    client = boto3.client("cloudtrail", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    event = {
        "eventTime": "2026-11-02T10:00:00Z",
        "eventSource": "cloudtrail.amazonaws.com",
        "eventName": "StopLogging",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/a"},
    }
    stub.add_response("lookup_events", {"Events": [{"CloudTrailEvent": json.dumps(event, indent=1)}], "NextToken": "t"})
    stub.add_response("lookup_events", {"Events": [{"CloudTrailEvent": json.dumps(event)}]})

    class Session:
        def client(self, *args: Any, **kwargs: Any) -> Any:
            return client

    with stub:
        files = list(lookup_event_files(TrailFilter(regions=frozenset({"eu-west-1"})), tmp_path, Session()))
    assert [f.name for f in files] == ["lookup-events-eu-west-1.jsonl"]
    lines = files[0].read_text().splitlines()
    assert [json.loads(line)["eventName"] for line in lines] == ["StopLogging", "StopLogging"]
    result = detect(files, load_rules())
    assert [a.count for a in result.alerts if a.rule.name == "stratus_cloudtrail_stop"] == [2]


CALLED_AS = {
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "GetObject"): "s3:GetObject",
    ("cloudtrail", "LookupEvents"): "cloudtrail:LookupEvents",
    ("ec2", "DescribeRegions"): "ec2:DescribeRegions",
}
"""Each API operation the remote reader calls, as the IAM action that authorizes it (AWS's Service Authorization
Reference: ListObjectsV2 is authorized by s3:ListBucket)."""


def _record_calls(client: Any, seen: set[str]) -> None:
    service = client.meta.service_model.service_name

    def note(model: Any, **_: Any) -> None:
        seen.add(CALLED_AS.get((service, model.name), f"{service}:{model.name} (not in CALLED_AS)"))

    client.meta.events.register("before-parameter-build", note)


def test_calls_made_are_the_documented_actions(bucket: Any, tmp_path: Path) -> None:
    """The S3 reader calls only what TRAIL_ACTIONS (and so the read-only policy) grants."""
    from iamwarden.collect.cloudtrail_remote import TRAIL_ACTIONS
    from iamwarden.collect.permissions import required_actions

    seen: set[str] = set()
    _record_calls(bucket, seen)
    where = TrailFilter(since=datetime(2026, 11, 1, tzinfo=UTC))
    assert list(s3_files(f"s3://{BUCKET}/logs", where, tmp_path, client=bucket))
    documented = {action for action, _, _ in TRAIL_ACTIONS}
    assert seen == {"s3:ListBucket", "s3:GetObject"}
    assert seen <= documented <= set(required_actions())
    assert documented == set(CALLED_AS.values())
