"""roles.ec2_instance_profile - EC2 instances get AWS access from an instance profile.

What it does: fails running or stopped instances without ``IamInstanceProfile`` (DescribeInstances); terminated ones
are not applicable.
Why is this bad? An instance without a role that calls AWS does it with long-term keys stored on disk or in user data.
Example: an instance with no ``IamInstanceProfile`` fails.
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
    not_applicable,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.secrets.ec2_user_data import instance_arn

API = "ec2:DescribeInstances"

METADATA = CheckMetadata(
    id="roles.ec2_instance_profile",
    title="EC2 instances use an instance profile (IAM role)",
    practice=5,
    severity=Severity.MEDIUM,
    resource_type="AwsEc2Instance",
    why="Roles give instances short-lived, automatically rotated credentials; instances without one that need AWS "
    "access end up with long-term keys that can be copied off the machine.",
    remediation=Remediation(
        "Create a role for the workload with the permissions it needs and attach it through an instance profile; "
        "remove any stored keys.",
        cli=("aws ec2 associate-iam-instance-profile --instance-id <id> --iam-instance-profile Name=<profile>",),
        console=("EC2 console > Instances > <instance> > Actions > Security > Modify IAM role.",),
    ),
    cis_aws_v6=("2.17",),
    references=("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    for region in account.regions:
        if not account.was_collected(API, region):
            yield missing(account, instance_arn(account, region, "*"), API, region=region)
    for instance in account.instances:
        arn = instance_arn(account, instance.region, instance.instance_id)
        if instance.state in ("terminated", "shutting-down"):
            yield not_applicable(arn, f"instance is {instance.state}")
        elif instance.instance_profile_arn:
            yield passed(arn, "instance has an instance profile", instance_profile=instance.instance_profile_arn)
        else:
            yield failed(arn, "instance has no instance profile", state=instance.state)


CHECK = Check(METADATA, evaluate)
