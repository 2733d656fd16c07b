"""What ``iamwarden secrets scan`` prints and writes: the console summary, the JSON secrets report (read back by
``scan --secrets``, :mod:`iamwarden.collect.secrets.report_file`) and SARIF 2.1.0 for code scanning.

Every value is masked (first and last four characters) and named by its one-way fingerprint; no output holds a
credential in full. Suppressions (docs/suppressions.md) apply with ``check`` = the rule id (``secrets.access_key_id``,
``secrets.secret_access_key``, ``secrets.session_token``) and ``resource`` = ``<path>#<fingerprint>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson
import yaml
from rich.console import Console

from iamwarden import __version__
from iamwarden.analysis.secrets import SEVERITY_ORDER, SecretFinding
from iamwarden.checks.base import Severity
from iamwarden.checks.suppressions import AppliedSuppression, Suppression, match
from iamwarden.collect.secrets import ScanStats
from iamwarden.collect.secrets.report_file import REPORT_KIND, REPORT_VERSION
from iamwarden.report.sarif import SECURITY_SEVERITY, SEVERITY_LEVEL, SarifResult, SarifRule, sarif_log
from iamwarden.report.words import plural, wrap

KIND_NAMES: Mapping[str, str] = {
    "access_key_id": "access key id",
    "secret_access_key": "secret access key",
    "session_token": "session token",
}


@dataclass(frozen=True, slots=True)
class SecretsReport:
    """A secrets scan's findings with the suppressions applied, and what was read."""

    findings: tuple[SecretFinding, ...]
    stats: ScanStats
    scanned: Mapping[str, Any]
    applied: Mapping[str, AppliedSuppression] = field(default_factory=dict)
    """Finding fingerprint -> the suppression covering it (expired ones included, marked)."""
    suppressions: tuple[Suppression, ...] = ()

    def suppressed(self, finding: SecretFinding) -> bool:
        applied = self.applied.get(finding.fingerprint)
        return applied is not None and not applied.expired

    def leaks(self) -> list[SecretFinding]:
        """Unsuppressed findings that are not examples."""
        return [f for f in self.findings if f.leak and not self.suppressed(f)]

    def at_or_above(self, severity: Severity) -> list[SecretFinding]:
        return [f for f in self.findings if not self.suppressed(f) and Severity(f.severity).rank <= severity.rank]

    def stale(self) -> list[Suppression]:
        used = {a.suppression for a in self.applied.values()}
        return [s for s in self.suppressions if s not in used]


def apply_suppressions(
    findings: Sequence[SecretFinding],
    stats: ScanStats,
    scanned: Mapping[str, Any],
    suppressions: Sequence[Suppression],
    today: date,
) -> SecretsReport:
    applied: dict[str, AppliedSuppression] = {}
    for finding in findings:
        if not finding.leak:
            continue
        found = match(suppressions, finding.rule_id, finding.resource, today)
        if found is not None:
            applied[finding.fingerprint] = found
    return SecretsReport(tuple(findings), stats, scanned, applied, tuple(suppressions))


# --- console -----------------------------------------------------------------------------------------------------


def summary_line(report: SecretsReport) -> str:
    leaks = report.leaks()
    counts = {s: sum(1 for f in leaks if f.severity == s) for s in SEVERITY_ORDER}
    parts = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    examples = sum(1 for f in report.findings if not f.leak)
    suppressed = sum(1 for f in report.findings if report.suppressed(f))
    problems = sum(1 for s in report.stats.skipped if s.problem)
    text = f"{plural(len(leaks), 'leak')}" + (f" ({parts})" if parts else "")
    if examples:
        text += f", {plural(examples, 'documentation example')}"
    if suppressed:
        text += f", {suppressed} suppressed"
    text += f"; read {plural(report.stats.blobs, 'blob')} ({_size(report.stats.bytes)})"
    if report.stats.skipped:
        text += f", skipped {len(report.stats.skipped)}"
        if problems:
            text += f" ({plural(problems, 'problem')})"
    return text


def _size(count: int) -> str:
    """``3 kB``, ``12.5 MB``: how much was read, in the unit that says it best."""
    return f"{count / 1_000_000:.1f} MB" if count >= 1_000_000 else f"{max(1, round(count / 1000))} kB"


def describe(finding: SecretFinding) -> str:
    """One line: what was found and whose it is."""
    text = f"{KIND_NAMES[finding.kind]} {finding.masked}: {finding.reason}"
    if finding.owner is not None:
        owner = finding.owner
        whose = "" if finding.kind == "access_key_id" else f"next to {finding.paired_key}, "
        text = f"{KIND_NAMES[finding.kind]} {finding.masked}: {whose}{owner.describe()} in account {owner.account_id}"
        if finding.owner.created:
            text += f", created {finding.owner.created[:10]}"
    elif finding.account_id and finding.account_id not in finding.reason:
        text += f" (account {finding.account_id}, {finding.account_source})"
    if finding.secret_exposed:
        text += "; its secret access key is next to it"
    if finding.token_exposed:
        text += "; with a session token"
    return text


def where(finding: SecretFinding) -> str:
    more = len(finding.locations) - 1
    text = finding.primary.describe()
    return text + (f", and {plural(more, 'more place')}" if more else "")


def render(report: SecretsReport, console: Console, *, show: int | None = 50, verbose: bool = False) -> None:
    """Summary first, then the findings worst first (``show`` of them; ``None``: all), then what was skipped."""
    console.print(wrap(f"Secrets scan: {summary_line(report)}", console.width), markup=False, soft_wrap=True)
    shown = [f for f in report.findings if not report.suppressed(f)]
    if not verbose:
        shown = [f for f in shown if f.leak] + [f for f in shown if not f.leak][:5]
    limit = len(shown) if show is None else show
    for finding in shown[:limit]:
        heading = f"{finding.severity.upper():<8} {describe(finding)}"
        console.print(wrap(heading, console.width, indent=2, hanging=9), markup=False, soft_wrap=True)
        console.print(wrap(where(finding), console.width, indent=11), markup=False, soft_wrap=True)
    if len(shown) > limit:
        console.print(f"  ... and {len(shown) - limit} more (--show all, or the JSON report)", markup=False)
    for finding in report.findings:
        applied = report.applied.get(finding.fingerprint)
        if applied is not None and applied.expired:
            console.print(
                f"  expired suppression {applied.suppression.describe()}: {finding.masked} counts again", markup=False
            )
    for stale in report.stale():
        console.print(f"  stale suppression {stale.describe()}: it matched nothing", markup=False)
    problems = [s for s in report.stats.skipped if s.problem]
    for item in problems if verbose else problems[:5]:
        console.print(f"  skipped {item.path}: {item.reason}", markup=False)
    if not verbose and len(problems) > 5:
        console.print(f"  ... and {len(problems) - 5} more skipped with a problem (-v lists them)", markup=False)


# --- JSON --------------------------------------------------------------------------------------------------------


def finding_json(finding: SecretFinding, applied: AppliedSuppression | None) -> dict[str, Any]:
    return {
        "rule": finding.rule_id,
        "kind": finding.kind,
        "severity": finding.severity,
        "reason": finding.reason,
        "masked": finding.masked,
        "fingerprint": finding.fingerprint,
        "example": finding.example,
        "account_id": finding.account_id,
        "account_source": finding.account_source,
        "owner": finding.owner.to_json() if finding.owner else None,
        "secret_exposed": finding.secret_exposed,
        "token_exposed": finding.token_exposed,
        "paired_key": finding.paired_key,
        "encodings": list(finding.encodings),
        "notes": list(finding.notes),
        "resource": finding.resource,
        "locations": [loc.to_json() for loc in finding.locations],
        "suppression": None if applied is None else {**applied.to_json(), "expired": applied.expired},
    }


def report_json(report: SecretsReport) -> dict[str, Any]:
    leaks = report.leaks()
    return {
        "kind": REPORT_KIND,
        "version": REPORT_VERSION,
        "tool": {"name": "iamwarden", "version": __version__},
        "summary": {
            "text": summary_line(report),
            "leaks": len(leaks),
            "by_severity": {s: sum(1 for f in leaks if f.severity == s) for s in SEVERITY_ORDER},
            "findings": len(report.findings),
            "suppressed": sum(1 for f in report.findings if report.suppressed(f)),
            "blobs": report.stats.blobs,
            "bytes": report.stats.bytes,
            "skipped": len(report.stats.skipped),
            "problems": sum(1 for s in report.stats.skipped if s.problem),
        },
        "scanned": dict(report.scanned),
        "findings": [finding_json(f, report.applied.get(f.fingerprint)) for f in report.findings],
        "skipped": [s.to_json() for s in report.stats.skipped],
        "stale_suppressions": [s.to_json() for s in report.stale()],
    }


def dumps_json(report: SecretsReport) -> bytes:
    return orjson.dumps(report_json(report), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


# --- SARIF -------------------------------------------------------------------------------------------------------

_RULES: Mapping[str, tuple[str, str]] = {
    "access_key_id": (
        "AWS access key id in code",
        "An AWS access key id (AKIA: an IAM user's long-term key; ASIA: temporary credentials) is written in a file "
        "or in the repository's history. With its secret it signs requests as its owner.",
    ),
    "secret_access_key": (
        "AWS secret access key in code",
        "A 40-character AWS secret access key is written next to a key id or under a name AWS tools use. Anyone "
        "who reads it can act as the key's owner until the key is deactivated.",
    ),
    "session_token": (
        "AWS session token in code",
        "An AWS session token (temporary credentials) is written in a file or in the history.",
    ),
}
_FIX = (
    "Deactivate the key now (aws iam update-access-key --status Inactive), then delete it; rewriting history does "
    "not un-leak it. Give the workload a role instead of a key (practice 5). If the value is an accepted test "
    "fixture, suppress it with a reason and an expiry (docs/suppressions.md)."
)


def _rules() -> list[SarifRule]:
    return [
        SarifRule(
            id=f"secrets.{kind}",
            name="".join(w.capitalize() for w in kind.split("_")),
            short=short,
            full=full,
            help_text=_FIX,
            help_markdown=f"**Why it matters.** {full}\n\n**Fix.** {_FIX}",
            level=SEVERITY_LEVEL[Severity.CRITICAL],
            help_uri="https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles",
            properties={
                "security-severity": SECURITY_SEVERITY[Severity.CRITICAL],
                "tags": ["security", "secrets", "aws", "practice-10"],
            },
        )
        for kind, (short, full) in _RULES.items()
    ]


def _artifact(finding: SecretFinding) -> str:
    """The file a result points at: the path (joined to its repository for history), or the repository's ``.git``
    folder for an unreachable object."""
    place = finding.primary.place
    if place.origin == "unreachable":
        return (Path(place.repository or ".") / ".git").as_posix()
    if place.repository is None:
        return place.path
    return (Path(place.repository) / place.path).as_posix()


def sarif(report: SecretsReport) -> dict[str, Any]:
    """SARIF 2.1.0: one result per finding (examples included, as notes) at its first location."""
    results = []
    for finding in report.findings:
        severity = Severity(finding.severity)
        applied = report.applied.get(finding.fingerprint)
        place = finding.primary.place
        unreachable = place.origin == "unreachable"
        properties: dict[str, Any] = {
            "severity": finding.severity,
            "fingerprint": finding.fingerprint,
            "accountId": finding.account_id,
            "example": finding.example,
            "locations": len(finding.locations),
        }
        if place.commit:
            properties.update(commit=place.commit, authorDate=place.author_date)
        if finding.owner is not None:
            properties.update(owner=finding.owner.arn, keyStatus=finding.owner.status)
        results.append(
            SarifResult(
                rule_id=finding.rule_id,
                level=SEVERITY_LEVEL[severity],
                message=f"{describe(finding)} ({where(finding)})",
                file=_artifact(finding),
                line=None if unreachable else finding.primary.line,
                column=None if unreachable else finding.primary.column,
                logical=place.commit or (place.path if unreachable else None),
                logical_kind="commit" if place.commit else "object",
                fingerprint=finding.fingerprint,
                suppression=applied.suppression.reason if applied is not None and not applied.expired else None,
                properties=properties,
            )
        )
    return sarif_log(_rules(), results, run_properties={"summary": summary_line(report)})


def dumps_sarif(report: SecretsReport) -> bytes:
    return orjson.dumps(sarif(report), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def write(path: Path, data: bytes, what: str) -> None:
    from iamwarden.runtime import write_atomically

    write_atomically(path, data, what)


def baseline_yaml(report: SecretsReport, day: date, days: int = 90) -> bytes:
    """Every current leak as a suppression (``--write-baseline``): the rule id, ``*#<fingerprint>`` (the value
    wherever it is), a reason to edit and an expiry ``days`` ahead. Only fingerprints and masked values are written."""
    items = [
        {
            "check": f.rule_id,
            "resource": f"*#{f.fingerprint}",
            "reason": f"baseline of {day.isoformat()}: {f.masked} at {f.primary.describe()} (edit: why accepted?)",
            "expires": (day + timedelta(days=days)).isoformat(),
        }
        for f in report.leaks()
    ]
    header = "# iamwarden secrets baseline (docs/secrets.md): accepted findings, by fingerprint; never a secret.\n"
    return (header + yaml.safe_dump(items, sort_keys=False, allow_unicode=True)).encode()
