"""monitoring.trail_log_file_validation - Log file validation is enabled on every trail.

What it does: reads ``log_file_validation`` of every trail (DescribeTrails).
Why is this bad? Without digest files nobody can prove a log file was not altered or deleted after delivery.
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


def evaluate(account: Account, thresholds: Thresholds) -> Iterator[Outcome]:
    if not trails_collected(account):
        yield missing(account, account_arn(account), DESCRIBE, region=None)
        return
    if not account.trails:
        yield not_applicable(account_arn(account), "no trails (see monitoring.multi_region_trail)")
        return
    for trail in account.trails:
        value = trail.log_file_validation
        if value:
            yield passed(trail.arn, f"{trail_label(trail)}: log_file_validation set", log_file_validation=value)
        else:
            yield failed(trail.arn, f"{trail_label(trail)}: log_file_validation not set", log_file_validation=value)


CHECK = Check(METADATA, evaluate)
