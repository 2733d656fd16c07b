"""audit.config_recording - AWS Config records all resources in every region.

What it does: for each region, a configuration recorder with ``allSupported`` that is recording
(DescribeConfigurationRecorders + DescribeConfigurationRecorderStatus).
Why is this bad? Config keeps the history of every resource's configuration; without it, "who opened this and when"
has no answer.
Example: no recorder in us-east-1, or ``recording: false``, fails for us-east-1.
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
    missing,
    passed,
)
from iamwarden.checks.config import Thresholds

API = "config:DescribeConfigurationRecorders"
STATUS_API = "config:DescribeConfigurationRecorderStatus"

METADATA = CheckMetadata(
    id="audit.config_recording",
    title="AWS Config is recording in every region",
    practice=11,
    severity=Severity.MEDIUM,
    resource_type="AwsAccountRegion",
    why="AWS Config's configuration history is the evidence for change tracking, audits and investigations; regions "
    "without a recorder are blind spots.",
    remediation=Remediation(
        "Create a configuration recorder recording all supported resources, a delivery channel, and start it, in "
        "every region.",
        cli=(
            "aws configservice put-configuration-recorder --configuration-recorder "
            "name=default,roleARN=<role-arn> --recording-group allSupported=true,includeGlobalResourceTypes=true",
            "aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=<bucket>",
            "aws configservice start-configuration-recorder --configuration-recorder-name default",
        ),
        console=("AWS Config console > Settings (per region) > Record all resources > Save.",),
    ),
    cis_aws_v6=("4.3",),
    security_hub=("Config.1",),
    references=("https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    for region in account.regions:
        resource = f"arn:{account.partition}:config:{region}:{account.account_id}:config-recorder/*"
        if not account.was_collected(API, region):
            yield missing(account, resource, API, region=region)
            continue
        recorders = [r for r in account.config_recorders if r.region == region]
        facts = {
            "region": region,
            "recorders": [
                {
                    "name": r.name,
                    "recording": r.recording,
                    "all_supported": r.all_supported,
                    "last_status": r.last_status,
                }
                for r in recorders
            ],
        }
        if not recorders:
            yield failed(resource, f"{region}: no configuration recorder", **facts)
            continue
        good = [r for r in recorders if r.recording and r.all_supported is not False]
        if good:
            yield passed(resource, f"{region}: recorder {good[0].name} is recording", **facts)
        elif any(r.recording is None for r in recorders):
            yield missing(account, resource, STATUS_API, region=region)
        else:
            yield failed(resource, f"{region}: recorder exists but is not recording all resources", **facts)


CHECK = Check(METADATA, evaluate)
