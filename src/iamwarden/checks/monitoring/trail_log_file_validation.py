"""monitoring.trail_log_file_validation - Log file validation is enabled on every trail.

What it does: reads ``log_file_validation`` of every trail (DescribeTrails).
Why is this bad? Without digest files nobody can prove a log file was not altered or deleted after delivery.
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
    id="monitoring.trail_log_file_validation",
    title="Log file validation is enabled on every trail",
    practice=7,
    severity=Severity.MEDIUM,
    resource_type="AwsCloudTrailTrail",
    why="Without digest files nobody can prove a log file was not altered or deleted after delivery.",
    remediation=Remediation(
        "Enable log file validation.",
        cli=("aws cloudtrail update-trail --name <trail> --enable-log-file-validation",),
        console=("CloudTrail console > Trails > <trail> > General details > Edit > Log file validation: Enabled.",),
    ),
    cis_aws_v6=("4.2",),
    security_hub=("CloudTrail.4",),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html",
    ),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    return trail_setting(account, "log_file_validation")


CHECK = Check(METADATA, evaluate)
