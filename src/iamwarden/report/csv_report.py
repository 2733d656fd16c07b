"""Results as CSV: one row per result, for spreadsheets.

Columns, always in this order: :data:`COLUMNS`. Lists (CIS ids, Security Hub ids) are joined with ``;``; the
remediation is its summary, then ``CLI:`` and ``Console:`` steps on their own lines; ``evidence`` is compact JSON;
``suppressed`` holds the reason of the suppression covering the row (``expired:`` before it when it had expired);
``account_id`` and ``ou_path`` (``r-ab12/ou-ab12-11111111``, empty outside an organization) say where the account is.
UTF-8 with a byte order mark (so spreadsheet programs read it as UTF-8), CRLF line ends as RFC 4180 says.

Formula injection: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with
``'`` so spreadsheet programs show it as text instead of running it (OWASP "CSV Injection").
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from iamwarden.checks.base import Finding
from iamwarden.report.place import AccountPlace, account_place
from iamwarden.runtime import write_atomically

if TYPE_CHECKING:
    from iamwarden.checks.runner import Assessment

COLUMNS = (
    "id",
    "check",
    "practice",
    "status",
    "severity",
    "resource",
    "resource_type",
    "title",
    "detail",
    "cis_aws_v6",
    "security_hub",
    "remediation",
    "evidence",
    "suppressed",
    "account_id",
    "ou_path",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """``value``, prefixed with ``'`` when a spreadsheet would take it for a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def remediation_text(finding: Finding) -> str:
    rem = finding.check.remediation
    lines = [rem.summary, *(f"CLI: {c}" for c in rem.cli), *(f"Console: {c}" for c in rem.console)]
    return "\n".join(lines)


def row(finding: Finding, place: AccountPlace | None = None) -> list[str]:
    check = finding.check
    applied = finding.suppression
    suppressed = "" if applied is None else ("expired: " if applied.expired else "") + applied.suppression.reason
    values = [
        finding.id,
        check.id,
        str(check.practice),
        finding.status.value,
        finding.severity.value,
        finding.resource,
        finding.resource_type,
        check.title,
        finding.detail,
        ";".join(check.cis_aws_v6),
        ";".join(check.security_hub),
        remediation_text(finding),
        orjson.dumps(dict(finding.outcome.evidence), option=orjson.OPT_SORT_KEYS).decode(),
        suppressed,
        place.account_id if place is not None else "",
        place.ou_text if place is not None else "",
    ]
    return [safe_cell(v) for v in values]


def dumps(assessment: Assessment) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    place = account_place(assessment.account)
    writer.writerows(row(f, place) for f in assessment.findings)
    return buffer.getvalue().encode("utf-8-sig")


def write_csv(assessment: Assessment, path: Path) -> None:
    """Write the CSV atomically; errors are an :class:`~iamwarden.errors.InputError` naming ``path``."""
    write_atomically(path, dumps(assessment), "the CSV report")
