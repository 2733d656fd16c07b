"""monitoring.trail_kms_encryption - Every trail encrypts its logs with a KMS key.

What it does: reads ``kms_key_id`` of every trail (DescribeTrails).
Why is this bad? SSE-KMS adds a second gate to the logs: reading them needs kms:Decrypt on the key as well as S3 access.
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
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.monitoring._common import trail_setting

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


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    return trail_setting(account, "kms_key_id")


CHECK = Check(METADATA, evaluate)
