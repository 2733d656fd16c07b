"""audit.access_analyzer - an IAM Access Analyzer for external access is active in every region.

What it does: for each region of the snapshot, looks for an analyzer of type ACCOUNT or ORGANIZATION (external access)
with status ACTIVE (ListAnalyzers).
Why is this bad? Access Analyzer is how you learn that a bucket, key, role or queue has been shared outside the
account or organization; it only sees the region it runs in.
Example: ``analyzers: []`` in eu-west-1 fails for eu-west-1.
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
from iamwarden.model import Account

API = "access-analyzer:ListAnalyzers"
EXTERNAL = ("ACCOUNT", "ORGANIZATION")

METADATA = CheckMetadata(
    id="audit.access_analyzer",
    title="IAM Access Analyzer (external access) is active in every region",
    practice=11,
    severity=Severity.MEDIUM,
    resource_type="AwsAccountRegion",
    why="Access Analyzer continuously reports resources shared with principals outside your zone of trust; without "
    "it, public buckets and cross-account trusts are found by someone else first.",
    remediation=Remediation(
        "Create an external access analyzer (account or organization) in every region in use.",
        cli=("aws accessanalyzer create-analyzer --analyzer-name external --type ACCOUNT --region <region>",),
        console=("IAM console > Access analyzer > Create analyzer (repeat per region).",),
    ),
    cis_aws_v6=("2.19",),
    security_hub=("IAM.28",),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/what-is-access-analyzer.html",),
)


def region_resource(account: Account, region: str) -> str:
    """The name of a region's result: the ARN pattern of the analyzers expected there."""
    return f"arn:{account.partition}:access-analyzer:{region}:{account.account_id}:analyzer/*"


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    for region in account.regions:
        resource = region_resource(account, region)
        if not account.was_collected(API, region):
            yield missing(account, resource, API, region=region)
            continue
        here = [a for a in account.analyzers if a.region == region]
        active = [a.name for a in here if a.type in EXTERNAL and a.status in ("ACTIVE", None)]
        facts = {"region": region, "analyzers": [{"name": a.name, "type": a.type, "status": a.status} for a in here]}
        if active:
            yield passed(resource, f"{region}: external access analyzer {active[0]} is active", **facts)
        else:
            yield failed(resource, f"{region}: no active external access analyzer", **facts)


CHECK = Check(METADATA, evaluate)
