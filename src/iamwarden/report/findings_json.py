"""The findings report as JSON: every result (not only failures), with compliance ids and remediation.

Shape (``docs/findings.schema.json`` is the JSON Schema, checked by the tests)::

    {"tool": {"name", "version"}, "account": {"id", "partition", "alias"},
     "snapshot": {"collected_at", "source", "regions", "gaps"},
     "thresholds": {...},
     "summary": {"practices": [{"number", "title", "pass", "fail", "unknown", "not_applicable", "suppressed",
                                "score"}],
                 "totals": {"pass", "fail", "unknown", "not_applicable", "suppressed"}},
     "suppressions": {"checked_on", "applied", "expired": [...], "stale": [...]},    # only when some were given
     "findings": [{"id", "check", "practice", "status", "severity", "resource", "resource_type", "title",
                   "detail", "account_id", "ou_path",
                   "evidence", "compliance": {"cis_aws_v6": [...], "security_hub": [...]},
                   "remediation": {"summary", "cli", "console"}, "references": [...],
                   "suppressed": {"reason", "expires", "owner", "origin"},             # only when suppressed
                   "suppression_expired": {"reason", "expires", "owner", "origin"},    # only when it expired
                   "first_seen", "since_previous_scan"}]}        # open failures of a recorded scan (scan --record)

Counts in ``summary`` leave suppressed results out (they are counted under ``suppressed``); each finding keeps its
real ``status``. With ``scan --record``, each open failure (failed, not suppressed) also says when it first failed in
the account's recorded scans (``first_seen``) and whether it is ``new``, ``regressed`` (it failed in an earlier scan,
not in the previous one) or ``unchanged`` since the account's previous recorded scan (``since_previous_scan``).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from iamwarden import __version__
from iamwarden.checks.base import CheckMetadata, Finding, Status
from iamwarden.checks.runner import Assessment
from iamwarden.report.place import AccountPlace, account_place
from iamwarden.runtime import write_atomically

if TYPE_CHECKING:
    from iamwarden.report.trends import HistoryView

SCHEMA_ID = "https://iamwarden.dev/schemas/findings.schema.json"


def check_json(check: CheckMetadata) -> dict[str, Any]:
    """The part of a finding that is the same for every result of one check (title, compliance ids, remediation,
    references)."""
    return {
        "title": check.title,
        "compliance": {"cis_aws_v6": list(check.cis_aws_v6), "security_hub": list(check.security_hub)},
        "remediation": check.remediation.to_json(),
        "references": list(check.references),
    }


def finding_json(
    finding: Finding, shared: dict[str, Any] | None = None, place: AccountPlace | None = None
) -> dict[str, Any]:
    """One result. ``shared`` is :func:`check_json` of its check, built once per check by :func:`report_json` (the
    same dict objects go into every result of the check: they are only serialised). ``place``: the account's id and
    OU path (:func:`iamwarden.report.place.account_place`), written as ``account_id`` and ``ou_path``."""
    check = finding.check
    if shared is None:
        shared = check_json(check)
    out = {
        "id": finding.id,
        "check": check.id,
        "practice": check.practice,
        "status": finding.status.value,
        "severity": finding.severity.value,
        "resource": finding.resource,
        "resource_type": finding.resource_type,
        "title": shared["title"],
        "detail": finding.detail,
        **({"account_id": place.account_id, "ou_path": list(place.ou_path)} if place is not None else {}),
        "evidence": dict(finding.outcome.evidence),
        "compliance": shared["compliance"],
        "remediation": shared["remediation"],
        "references": shared["references"],
    }
    applied = finding.suppression
    if applied is not None:
        out["suppression_expired" if applied.expired else "suppressed"] = applied.to_json()
    return out


def suppressions_json(assessment: Assessment) -> dict[str, Any]:
    day = assessment.suppressions_checked_on
    return {
        "checked_on": day.isoformat() if day else None,
        "applied": len(assessment.suppressions),
        "suppressed_results": sum(1 for f in assessment.findings if f.suppressed),
        "expired": [u.to_json() for u in assessment.expired_suppressions],
        "stale": [s.to_json() for s in assessment.stale_suppressions],
    }


def report_json(assessment: Assessment, history: HistoryView | None = None) -> dict[str, Any]:
    """The report; with ``history`` (the scan was recorded), the open failures' ``first_seen`` and
    ``since_previous_scan``."""
    account = assessment.account
    report: dict[str, Any] = {
        "tool": {"name": "iamwarden", "version": __version__},
        "account": {"id": account.account_id, "partition": account.partition, "alias": account.alias},
        "snapshot": {
            "collected_at": account.collected_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source": account.source,
            "regions": list(account.regions),
            "gaps": [g.describe() for g in account.gaps],
        },
        "thresholds": asdict(assessment.thresholds),
        "summary": {
            "practices": [p.to_json() for p in assessment.practices],
            "totals": {
                **{s.value: sum(1 for f in assessment.findings if f.status is s and not f.suppressed) for s in Status},
                "suppressed": sum(1 for f in assessment.findings if f.suppressed),
            },
        },
    }
    if assessment.suppressions:
        report["suppressions"] = suppressions_json(assessment)
    shared: dict[str, dict[str, Any]] = {}
    place = account_place(account)
    findings = []
    for f in assessment.findings:
        part = shared.get(f.check.id)
        if part is None:
            part = shared[f.check.id] = check_json(f.check)
        findings.append(finding_json(f, part, place))
    if history is not None:
        states = history.open_failures()
        for item in findings:
            state = states.get(item["id"])
            if state is not None:
                first, change = state
                item["first_seen"] = first.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if first else None
                item["since_previous_scan"] = change
    report["findings"] = findings
    return report


def dumps(assessment: Assessment, history: HistoryView | None = None) -> bytes:
    return orjson.dumps(report_json(assessment, history), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def write_report(assessment: Assessment, path: Path, history: HistoryView | None = None) -> None:
    """Write the JSON report atomically (:func:`iamwarden.runtime.write_atomically`)."""
    write_atomically(path, dumps(assessment, history), "the report")
