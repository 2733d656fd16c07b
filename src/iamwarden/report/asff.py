"""Results in the AWS Security Finding Format (ASFF), for ``aws securityhub batch-import-findings``.

One finding per result, as a JSON array with one finding per line (``findings.asff.json``). The product is the
account's own default product (``arn:<partition>:securityhub:<region>:<account>:product/<account>/default``),
which every account may import into. The region is the one :func:`iamwarden.report.arns.home_region` picks
(``AWS_REGION`` / ``AWS_DEFAULT_REGION``, else the snapshot's first region): Security Hub accepts findings only in
the region of their ``ProductArn``.

Limits from the AWS Security Hub documentation, enforced here: ``Title`` 256 characters, ``Description`` 1,024,
``Remediation.Recommendation.Text`` 512, ``Id`` and ``GeneratorId`` 512, at most 32 ``Resources`` and 32
``Compliance.RelatedRequirements``, ``ProductFields`` at most 50 string pairs. ``BatchImportFindings`` takes at
most 100 findings per call: docs/reports.md shows how to send the file in batches.

Mappings: ``Compliance.Status`` pass PASSED, fail FAILED, unknown WARNING (evidence missing), not_applicable
NOT_AVAILABLE; ``Workflow.Status`` SUPPRESSED for a suppressed result, RESOLVED for a pass or not-applicable, else
NEW; ``Severity.Label`` info INFORMATIONAL, else the severity in capitals.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iamwarden import __version__
from iamwarden.checks.base import Finding, Severity, Status
from iamwarden.report.arns import arn_partition, arn_region, home_region
from iamwarden.report.files import json_array_lines
from iamwarden.runtime import write_atomically

if TYPE_CHECKING:
    from iamwarden.checks.runner import Assessment

SCHEMA_VERSION = "2018-10-08"
BEST_PRACTICES = "Software and Configuration Checks/AWS Security Best Practices"
CIS_TYPE = "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"
TITLE_MAX = 256
DESCRIPTION_MAX = 1024
RECOMMENDATION_MAX = 512
ID_MAX = 512
LIST_MAX = 32
BATCH_MAX = 100
"""Findings per ``BatchImportFindings`` call."""

ASFF_TYPES = frozenset(
    {
        "AwsAccount",
        "AwsCloudTrailTrail",
        "AwsEc2Instance",
        "AwsIamAccessKey",
        "AwsIamGroup",
        "AwsIamPolicy",
        "AwsIamRole",
        "AwsIamUser",
        "AwsLambdaFunction",
    }
)
"""iamwarden resource types that are ASFF resource types; the others are ``Other`` with the type in Details."""

COMPLIANCE: Mapping[Status, str] = {
    Status.PASS: "PASSED",
    Status.FAIL: "FAILED",
    Status.UNKNOWN: "WARNING",
    Status.NOT_APPLICABLE: "NOT_AVAILABLE",
}
SEVERITY: Mapping[Severity, str] = {
    Severity.INFO: "INFORMATIONAL",
    Severity.LOW: "LOW",
    Severity.MEDIUM: "MEDIUM",
    Severity.HIGH: "HIGH",
    Severity.CRITICAL: "CRITICAL",
}


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def stamp(assessment: Assessment) -> str:
    """The snapshot's collection time as ASFF wants it (ISO 8601, UTC, milliseconds)."""
    return assessment.account.collected_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def product_arn(partition: str, region: str, account_id: str) -> str:
    return f"arn:{partition}:securityhub:{region}:{account_id}:product/{account_id}/default"


def workflow(finding: Finding) -> str:
    if finding.suppressed:
        return "SUPPRESSED"
    return "RESOLVED" if finding.status in (Status.PASS, Status.NOT_APPLICABLE) else "NEW"


def asff_finding(
    finding: Finding, assessment: Assessment, region: str, now: str, collected: str | None = None
) -> dict[str, Any]:
    """One result as an ASFF finding; ``now`` is ``CreatedAt``/``UpdatedAt``, ``collected`` the observation time
    (default: the snapshot's collection time)."""
    account = assessment.account
    check = finding.check
    collected = collected or stamp(assessment)
    rem = check.remediation
    recommendation: dict[str, str] = {"Text": clip(rem.summary, RECOMMENDATION_MAX)}
    if check.references:
        recommendation["Url"] = check.references[0]
    resource: dict[str, Any] = {
        "Type": finding.resource_type if finding.resource_type in ASFF_TYPES else "Other",
        "Id": finding.resource,
        "Partition": arn_partition(finding.resource, account.partition),
        "Region": arn_region(finding.resource) or region,
    }
    if resource["Type"] == "Other":
        resource["Details"] = {"Other": {"iamwardenResourceType": finding.resource_type}}
    requirements = [*(f"CIS AWS Foundations Benchmark v6.0.0/{c}" for c in check.cis_aws_v6), *check.security_hub]
    product_fields = {
        "ProviderName": "iamwarden",
        "ProviderVersion": __version__,
        "iamwarden/CheckId": check.id,
        "iamwarden/Practice": str(check.practice),
        "iamwarden/Status": finding.status.value,
        "iamwarden/FindingId": finding.id,
    }
    org = account.organization
    if org is not None and org.path:
        product_fields["iamwarden/OrganizationId"] = org.org_id
        product_fields["iamwarden/OuPath"] = clip("/".join(org.path[:-1]), 1000)
    if finding.suppression is not None:
        applied = finding.suppression
        key = "iamwarden/SuppressionExpired" if applied.expired else "iamwarden/Suppressed"
        product_fields[key] = clip(applied.suppression.reason, 1000)
    return {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": clip(f"iamwarden/{account.account_id}/{finding.id}", ID_MAX),
        "ProductArn": product_arn(account.partition, region, account.account_id),
        "GeneratorId": clip(f"iamwarden/{check.id}", ID_MAX),
        "AwsAccountId": account.account_id,
        "Region": region,
        "Types": [BEST_PRACTICES, *([CIS_TYPE] if check.cis_aws_v6 else [])],
        "FirstObservedAt": collected,
        "LastObservedAt": collected,
        "CreatedAt": now,
        "UpdatedAt": now,
        "Severity": {"Label": SEVERITY[finding.severity], "Original": finding.severity.value},
        "Title": clip(check.title, TITLE_MAX),
        "Description": clip(f"{finding.detail}. {check.why}", DESCRIPTION_MAX),
        "Remediation": {"Recommendation": recommendation},
        "ProductFields": product_fields,
        "Resources": [resource],
        "Compliance": {"Status": COMPLIANCE[finding.status], "RelatedRequirements": requirements[:LIST_MAX]},
        "RecordState": "ACTIVE",
        "Workflow": {"Status": workflow(finding)},
    }


def asff_findings(assessment: Assessment, *, now: str | None = None, region: str | None = None) -> list[dict[str, Any]]:
    """Every result as an ASFF finding. ``now`` (``CreatedAt``/``UpdatedAt``) defaults to the snapshot's
    collection time, so the same snapshot gives the same file."""
    return list(iter_asff(assessment, now=now, region=region))


def iter_asff(assessment: Assessment, *, now: str | None = None, region: str | None = None) -> Iterator[dict[str, Any]]:
    collected = stamp(assessment)
    where = region or home_region(assessment.account)
    return (asff_finding(f, assessment, where, now or collected, collected) for f in assessment.findings)


def dumps(assessment: Assessment) -> bytes:
    return json_array_lines(iter_asff(assessment))  # one finding alive at a time


def write_asff(assessment: Assessment, path: Path) -> None:
    """Write the ASFF JSON array atomically; errors are an :class:`~iamwarden.errors.InputError` naming ``path``."""
    write_atomically(path, dumps(assessment), "the ASFF report")
