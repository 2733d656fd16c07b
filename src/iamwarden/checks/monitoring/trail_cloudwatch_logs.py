"""monitoring.trail_cloudwatch_logs - Every trail delivers to CloudWatch Logs.

What it does: reads ``cloudwatch_logs_group_arn`` of every trail (DescribeTrails).
Why is this bad? Delivery to CloudWatch Logs lets metric filters and alarms react to events (root sign-in, policy
changes) within minutes, not at the next audit.
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
    id="monitoring.trail_cloudwatch_logs",
    title="Every trail delivers to CloudWatch Logs",
    practice=7,
    severity=Severity.LOW,
    resource_type="AwsCloudTrailTrail",
    why="Delivery to CloudWatch Logs lets metric filters and alarms react to events (root sign-in, policy changes) "
    "within minutes, not at the next audit.",
    remediation=Remediation(
        "Send the trail to a CloudWatch Logs log group and add alarms.",
        cli=(
            "aws cloudtrail update-trail --name <trail> --cloud-watch-logs-log-group-arn <log-group-arn> "
            "--cloud-watch-logs-role-arn <role-arn>",
        ),
        console=("CloudTrail console > Trails > <trail> > CloudWatch Logs > Edit > Enabled.",),
    ),
    security_hub=("CloudTrail.5",),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html",
    ),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    return trail_setting(account, "cloudwatch_logs_group_arn")


CHECK = Check(METADATA, evaluate)
