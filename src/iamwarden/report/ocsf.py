"""Results as OCSF Compliance Findings (class 2003, category Findings), the schema AWS Security Hub, Security Lake
and many SIEMs ingest.

One event per result (pass, fail, unknown and not applicable alike), written as one JSON array with one event per
line (``findings.ocsf.json``; ``jq -c '.[]'`` makes it JSON Lines). Attribute names follow the OCSF schema
(github.com/ocsf/ocsf-schema:
``events/base_event.json``, ``events/findings/finding.json``, ``events/findings/compliance_finding.json``,
``objects/compliance.json``, ``objects/finding_info.json``, ``objects/metadata.json``, ``objects/product.json``,
``objects/cloud.json``, ``objects/remediation.json``, ``objects/resource_details.json``); the version written is
:data:`OCSF_VERSION`, the one AWS Security Hub documents. What OCSF has no attribute for (the check id, the
practice, the evidence, the CLI and console steps, the suppression) is under ``unmapped``.

Mappings:

* ``severity_id``: info 1 Informational, low 2, medium 3, high 4, critical 5.
* ``compliance.status_id``: pass 1 Pass, unknown 2 Warning ("did not yield a result due to missing information"),
  fail 3 Fail, not_applicable 99 Other ("Not Applicable").
* ``status_id`` (the finding's life cycle): 3 Suppressed for a suppressed result, else 1 New.
* ``time``: when the evidence was collected (the snapshot's ``collected_at``), in milliseconds since the epoch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iamwarden import __version__
from iamwarden.checks.base import Finding, Severity, Status
from iamwarden.report.arns import arn_partition, arn_region, home_region
from iamwarden.report.files import json_array_lines
from iamwarden.report.place import account_place
from iamwarden.runtime import write_atomically

if TYPE_CHECKING:
    from iamwarden.checks.runner import Assessment

OCSF_VERSION = "1.6.0"
CLASS_UID = 2003
CLASS_NAME = "Compliance Finding"
CATEGORY_UID = 2
CATEGORY_NAME = "Findings"
ACTIVITY_CREATE = 1
TYPE_UID = CLASS_UID * 100 + ACTIVITY_CREATE
CIS_STANDARD = "CIS AWS Foundations Benchmark v6.0.0"
FSBP_STANDARD = "AWS Foundational Security Best Practices v1.0.0"
IAM_STANDARD = "AWS IAM security best practices"

SEVERITY_ID: Mapping[Severity, tuple[int, str]] = {
    Severity.INFO: (1, "Informational"),
    Severity.LOW: (2, "Low"),
    Severity.MEDIUM: (3, "Medium"),
    Severity.HIGH: (4, "High"),
    Severity.CRITICAL: (5, "Critical"),
}
COMPLIANCE_STATUS: Mapping[Status, tuple[int, str]] = {
    Status.PASS: (1, "Pass"),
    Status.UNKNOWN: (2, "Warning"),
    Status.FAIL: (3, "Fail"),
    Status.NOT_APPLICABLE: (99, "Not Applicable"),
}


def standards(finding: Finding) -> list[str]:
    check = finding.check
    return [
        IAM_STANDARD,
        *([CIS_STANDARD] if check.cis_aws_v6 else []),
        *([FSBP_STANDARD] if check.security_hub else []),
    ]


def requirements(finding: Finding) -> list[str]:
    """``CIS 2.1``-style CIS v6.0.0 recommendation ids, then Security Hub control ids (``IAM.5``)."""
    return [*(f"CIS {c}" for c in finding.check.cis_aws_v6), *finding.check.security_hub]


@dataclass(frozen=True, slots=True)
class Scan:
    """What every event of one scan shares (worked out once, not once per result)."""

    account_id: str
    partition: str
    region: str
    millis: int
    time_dt: str
    account: Mapping[str, Any]
    org: Mapping[str, Any] | None = None
    """OCSF's ``cloud.org`` (organization id, the account's parent OU) for an account of an organization."""
    ou_path: tuple[str, ...] = ()

    @classmethod
    def of(cls, assessment: Assessment) -> Scan:
        account = assessment.account
        collected = account.collected_at.astimezone(UTC)
        obj: dict[str, Any] = {"uid": account.account_id, "type": "AWS Account", "type_id": 10}
        if account.alias:
            obj["name"] = account.alias
        place = account_place(account)
        org: dict[str, Any] | None = None
        if account.organization is not None:
            org = {"uid": account.organization.org_id}
            if len(place.ou_path) > 1:
                org["ou_uid"] = place.ou_path[-1]
        return cls(
            account_id=account.account_id,
            partition=account.partition,
            region=home_region(account),
            millis=int(collected.timestamp() * 1000),
            time_dt=collected.isoformat().replace("+00:00", "Z"),
            account=obj,
            org=org,
            ou_path=place.ou_path,
        )


def ocsf_event(finding: Finding, scan: Scan) -> dict[str, Any]:
    check = finding.check
    millis = scan.millis
    severity_id, severity = SEVERITY_ID[finding.severity]
    status_id, status = COMPLIANCE_STATUS[finding.status]
    region = arn_region(finding.resource) or scan.region
    rem = check.remediation
    steps = [rem.summary, *(f"AWS CLI: {c}" for c in rem.cli), *(f"Console: {c}" for c in rem.console)]
    unmapped: dict[str, Any] = {
        "check_id": check.id,
        "practice": check.practice,
        "status": finding.status.value,
        "decided_by": check.decided_by,
        "evidence": dict(finding.outcome.evidence),
        "compliance": {"cis_aws_v6": list(check.cis_aws_v6), "security_hub": list(check.security_hub)},
        "remediation": rem.to_json(),
        "account_id": scan.account_id,
        "ou_path": list(scan.ou_path),
    }
    applied = finding.suppression
    if applied is not None:
        unmapped["suppression_expired" if applied.expired else "suppressed"] = applied.to_json()
    return {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": CATEGORY_NAME,
        "class_uid": CLASS_UID,
        "class_name": CLASS_NAME,
        "type_uid": TYPE_UID,
        "type_name": f"{CLASS_NAME}: Create",
        "severity_id": severity_id,
        "severity": severity,
        "status_id": 3 if finding.suppressed else 1,
        "status": "Suppressed" if finding.suppressed else "New",
        "status_code": finding.status.value.upper(),
        "status_detail": finding.detail,
        "message": finding.detail,
        "time": millis,
        "time_dt": scan.time_dt,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "iamwarden", "vendor_name": "iamwarden", "version": __version__},
            "event_code": check.id,
            "profiles": ["cloud"],
        },
        "finding_info": {
            "uid": finding.id,
            "title": check.title,
            "desc": check.why,
            "types": [f"Practice {check.practice}"],
            "created_time": millis,
        },
        "compliance": {
            "control": check.id,
            "standards": standards(finding),
            "requirements": requirements(finding),
            "status_id": status_id,
            "status": status,
            "status_code": finding.status.value.upper(),
            "status_detail": finding.detail,
        },
        "resources": [
            {
                "uid": finding.resource,
                "name": finding.resource.rsplit("/", 1)[-1].rsplit(":", 1)[-1] or finding.resource,
                "type": finding.resource_type,
                "cloud_partition": arn_partition(finding.resource, scan.partition),
                "region": region,
            }
        ],
        "cloud": {
            "provider": "AWS",
            "account": dict(scan.account),
            "region": region,
            **({"org": dict(scan.org)} if scan.org is not None else {}),
        },
        "remediation": {"desc": "\n".join(steps), "references": list(check.references)},
        "unmapped": unmapped,
    }


def ocsf_events(assessment: Assessment) -> list[dict[str, Any]]:
    """One Compliance Finding per result, in the report's order."""
    scan = Scan.of(assessment)
    return [ocsf_event(f, scan) for f in assessment.findings]


def dumps(assessment: Assessment) -> bytes:
    scan = Scan.of(assessment)
    return json_array_lines(ocsf_event(f, scan) for f in assessment.findings)  # one event alive at a time


def write_ocsf(assessment: Assessment, path: Path) -> None:
    """Write the OCSF JSON array atomically; errors are an :class:`~iamwarden.errors.InputError` naming ``path``."""
    write_atomically(path, dumps(assessment), "the OCSF report")
