"""monitoring.trail_delivery - trails deliver their logs without errors.

What it does: ``LatestDeliveryError`` of every trail (GetTrailStatus in its home region).
Why is this bad? A trail that cannot write to its bucket (deleted bucket, changed bucket or key policy) records
nothing, while looking configured.
Example: ``LatestDeliveryError: AccessDenied`` fails.
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
    failed,
    iso,
    missing,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.monitoring._common import each_trail, trail_label

METADATA = CheckMetadata(
    id="monitoring.trail_delivery",
    title="Trails deliver their log files without errors",
    practice=7,
    severity=Severity.HIGH,
    resource_type="AwsCloudTrailTrail",
    why="A trail whose delivery fails records nothing while appearing configured; the gap is only found when the logs "
    "are needed.",
    remediation=Remediation(
        "Fix the cause named by the error (bucket exists, bucket policy allows cloudtrail.amazonaws.com, KMS key "
        "policy allows CloudTrail), then confirm delivery resumes.",
        cli=(
            "aws cloudtrail get-trail-status --name <trail-arn> "
            "--query '{error:LatestDeliveryError,last:LatestDeliveryTime}'",
        ),
        console=("CloudTrail console > Trails > <trail>: the error is shown above the trail details.",),
    ),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html",
    ),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    for trail in each_trail(account):
        if isinstance(trail, Outcome):
            yield trail
            continue
        status = trail.status
        if status is None:
            yield missing(account, trail.arn, "cloudtrail:GetTrailStatus", region=trail.home_region, target=trail.arn)
        elif status.latest_delivery_error:
            yield failed(
                trail.arn,
                f"{trail_label(trail)}: last delivery failed: {status.latest_delivery_error}",
                latest_delivery_error=status.latest_delivery_error,
                latest_delivery_time=iso(status.latest_delivery_time),
            )
        else:
            yield passed(
                trail.arn,
                f"{trail_label(trail)}: no delivery error",
                latest_delivery_time=iso(status.latest_delivery_time),
            )


CHECK = Check(METADATA, evaluate)
