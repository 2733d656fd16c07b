"""secrets.ec2_user_data - no AWS access keys in EC2 user data.

What it does: searches every instance's decoded user data (DescribeInstanceAttribute userData) for access key ids and
high-entropy 40-character secrets, and matches key ids with the account's own keys. Values are shown masked.
Why is this bad? User data is readable by anyone with ``ec2:DescribeInstanceAttribute`` and from inside the instance
through the metadata service; an instance profile provides rotating credentials instead.
Example: ``aws configure set aws_access_key_id AKIA...`` in a boot script fails.
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
from iamwarden.checks.secrets._common import describe_match, summary
from iamwarden.checks.secrets.scan import find_credentials
from iamwarden.model import Account

API = "ec2:DescribeInstances"
ATTRIBUTE_API = "ec2:DescribeInstanceAttribute"

METADATA = CheckMetadata(
    id="secrets.ec2_user_data",
    title="No AWS access keys in EC2 user data",
    practice=10,
    severity=Severity.CRITICAL,
    resource_type="AwsEc2Instance",
    why="User data can be read through the API and from the instance metadata service by any process on the "
    "instance; keys there are as good as published. Instance profiles give instances rotating credentials.",
    remediation=Remediation(
        "Attach an instance profile with the needed permissions, remove the keys from the user data (stop the "
        "instance to edit it), and deactivate and delete the exposed key.",
        cli=(
            "aws ec2 associate-iam-instance-profile --instance-id <id> --iam-instance-profile Name=<profile>",
            "aws ec2 modify-instance-attribute --instance-id <id> --attribute userData --value <clean-base64>",
            "aws iam update-access-key --user-name <owner> --access-key-id <key-id> --status Inactive",
        ),
        console=("EC2 console > Instances > <instance> > Actions > Instance settings > Edit user data.",),
    ),
    references=("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html",),
)


def instance_arn(account: Account, region: str, instance_id: str) -> str:
    return f"arn:{account.partition}:ec2:{region}:{account.account_id}:instance/{instance_id}"


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    for region in account.regions:
        if not account.was_collected(API, region):
            yield missing(account, instance_arn(account, region, "*"), API, region=region)
    for instance in account.instances:
        arn = instance_arn(account, instance.region, instance.instance_id)
        if instance.user_data is None and (
            account.gaps_for(ATTRIBUTE_API, instance.region, instance.instance_id)
            or not account.was_collected(ATTRIBUTE_API, instance.region)
        ):
            yield missing(account, arn, ATTRIBUTE_API, region=instance.region, target=instance.instance_id)
            continue
        found = [
            describe_match(account, match, f"user data line {match.line}")
            for match in find_credentials(instance.user_data or "", thresholds.secret_min_entropy)
        ]
        if found:
            yield failed(arn, summary(found), credentials=found)
        else:
            yield passed(arn, "no credentials in user data", has_user_data=instance.user_data is not None)


CHECK = Check(METADATA, evaluate)
