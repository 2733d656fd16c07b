"""monitoring.trail_kms_encryption - Every trail encrypts its logs with a KMS key.

What it does: reads ``kms_key_id`` of every trail (DescribeTrails).
Why is this bad? SSE-KMS adds a second gate to the logs: reading them needs kms:Decrypt on the key as well as S3 access.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.checks.base import (
    Check,
    CheckMetadata,
    Outcome,
    Remediation,
    Severity,
    account_arn,
    failed,
    missing,
    not_applicable,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.monitoring._common import DESCRIBE, trail_label, trails_collected
from iamwarden.model import Account

METADATA = CheckMetadata(
    id="monitoring.trail_kms_encryption",
    title="Every trail encrypts its logs with a KMS key",
    practice=7,
    severity=Severity.MEDIUM,
    resource_type="AwsCloudTrailTrail",
    why="SSE-KMS adds a second gate to the logs: reading them needs kms:Decrypt on the key as well as S3 access.",
    remediation=Remediation(
        "Encrypt the trail's log files with a customer managed KMS key.",
        cli=("aws cloudtrail update-trail --name <trail> --kms-key-id <key-arn>",),
        console=(
            "CloudTrail console > Trails > <trail> > General details > Edit > Log file SSE-KMS encryption: Enabled.",
        ),
    ),
    cis_aws_v6=("4.5",),
    security_hub=("CloudTrail.2",),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html",
    ),
)


def evaluate(account: Account, thresholds: Thresholds) -> Iterator[Outcome]:
    if not trails_collected(account):
        yield missing(account, account_arn(account), DESCRIBE, region=None)
        return
    if not account.trails:
        yield not_applicable(account_arn(account), "no trails (see monitoring.multi_region_trail)")
        return
    for trail in account.trails:
        value = trail.kms_key_id
        if value:
            yield passed(trail.arn, f"{trail_label(trail)}: kms_key_id set", kms_key_id=value)
        else:
            yield failed(trail.arn, f"{trail_label(trail)}: kms_key_id not set", kms_key_id=value)


CHECK = Check(METADATA, evaluate)
