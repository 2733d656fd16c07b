"""monitoring.multi_region_trail - a multi-region trail records all management events and is logging.

What it does: looks for one trail that is multi-region, currently logging (GetTrailStatus) and records read and write
management events (GetEventSelectors).
Why is this bad? Without it, API activity in some regions, or reads, or everything since logging stopped, goes
unrecorded: no detection and no forensics.
Example: a single-region trail, or a multi-region trail with ``IsLogging: false``, fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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
from iamwarden.checks.monitoring._common import DESCRIBE, records_all_management_events, trails_collected

METADATA = CheckMetadata(
    id="monitoring.multi_region_trail",
    title="A multi-region CloudTrail trail records read and write management events and is logging",
    practice=7,
    severity=Severity.HIGH,
    resource_type="AwsAccount",
    why="CloudTrail is the record of who did what; a trail that misses regions, read events or has stopped logging "
    "leaves attackers room to act unseen and investigations without evidence.",
    remediation=Remediation(
        "Create (or fix) a multi-region trail with management events Read and Write, and start logging.",
        cli=(
            "aws cloudtrail create-trail --name main --s3-bucket-name <bucket> --is-multi-region-trail "
            "--enable-log-file-validation --kms-key-id <key-arn>",
            "aws cloudtrail put-event-selectors --trail-name main "
            "--event-selectors ReadWriteType=All,IncludeManagementEvents=true",
            "aws cloudtrail start-logging --name main",
        ),
        console=(
            "CloudTrail console > Trails > Create trail (multi-region by default); Management events: Read and Write.",
        ),
    ),
    cis_aws_v6=("4.1",),
    security_hub=("CloudTrail.1",),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-create-and-update-a-trail.html",
    ),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    resource = account_arn(account)
    if not trails_collected(account):
        yield missing(account, resource, DESCRIBE, region=None)
        return
    seen: list[dict[str, Any]] = []
    undecided: list[str] = []
    for trail in account.trails:
        facts: dict[str, Any] = {"trail": trail.arn, "multi_region": trail.multi_region}
        seen.append(facts)
        if not trail.multi_region:
            continue
        logging = trail.status.is_logging if trail.status else None
        management = records_all_management_events(trail.event_selectors) if trail.event_selectors is not None else None
        facts.update(is_logging=logging, all_management_events=management)
        if logging and management:
            yield passed(
                resource, f"trail {trail.name} is multi-region, logging, and records all management events", trails=seen
            )
            return
        if logging is None or management is None:
            undecided.append(trail.name)
    if undecided:
        yield unknown(
            resource,
            "evidence missing: status or event selectors of multi-region trail(s) " + ", ".join(undecided),
            trails=seen,
            gap="cloudtrail:GetTrailStatus / cloudtrail:GetEventSelectors",
        )
    elif not account.trails:
        yield failed(resource, "no CloudTrail trail exists", trails=[])
    else:
        yield failed(resource, "no multi-region trail is logging all management events", trails=seen)


CHECK = Check(METADATA, evaluate)
