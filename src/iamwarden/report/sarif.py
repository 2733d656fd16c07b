"""SARIF 2.1.0 logs, built with sarif-pydantic: one builder for ``iamwarden lint`` and ``iamwarden scan``.

* ``iamwarden lint`` (:func:`lint_sarif`): one rule per linter issue code, each result at its file, line and column.
* ``iamwarden scan`` (:func:`scan_sarif`): one rule per check (why, remediation, CIS and Security Hub ids,
  ``security-severity``), one result per ``fail`` finding. A result names the resource's ARN as a logical location
  and carries the finding's stable id in ``partialFingerprints``. GitHub code scanning rejects a whole file when a
  result has no physical location, so scan results point at a line of a text file: with an output folder, the
  judged policy document or ``account.txt`` written beside the log (:mod:`.sarif_sources`), else the input file
  the evidence came from (the snapshot) when it is known. Linter results point at their policy file, with line
  and column. Suppressed failures are kept with a SARIF ``suppressions`` entry (GitHub shows them as dismissed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import orjson
from sarif_pydantic import (
    ArtifactLocation,
    Level,
    Location,
    LogicalLocation,
    Message,
    PhysicalLocation,
    Region,
    ReportingConfiguration,
    ReportingDescriptor,
    Result,
    Run,
    Sarif,
    Tool,
    ToolDriver,
)

from iamwarden import __version__
from iamwarden.checks.base import CheckMetadata, Finding, Severity, Status
from iamwarden.report.place import AccountPlace, account_place
from iamwarden.runtime import write_atomically

if TYPE_CHECKING:
    from iamwarden.checks.runner import Assessment
    from iamwarden.policy.lint import Finding as LintFinding
    from iamwarden.report.sarif_sources import Sources

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT = "iamwardenFindingId/v1"
"""The ``partialFingerprints`` key holding a finding's stable id (the hash of check id and resource)."""

SEVERITY_LEVEL: Mapping[Severity, Level] = {
    Severity.CRITICAL: Level.ERROR,
    Severity.HIGH: Level.ERROR,
    Severity.MEDIUM: Level.WARNING,
    Severity.LOW: Level.NOTE,
    Severity.INFO: Level.NOTE,
}
SECURITY_SEVERITY: Mapping[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
"""GitHub's ``security-severity`` scores: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low."""


@dataclass(frozen=True, slots=True)
class SarifRule:
    id: str
    name: str
    short: str
    full: str
    help_text: str
    help_markdown: str
    level: Level
    help_uri: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SarifResult:
    rule_id: str
    level: Level
    message: str
    file: str | None = None
    """A path (as given, made a relative URI) or ``None``: no physical location."""
    line: int | None = None
    column: int | None = None
    logical: str | None = None
    logical_kind: str = "element"
    fingerprint: str | None = None
    suppression: str | None = None
    """The justification of an accepted risk: the result is kept, marked suppressed."""
    properties: Mapping[str, Any] = field(default_factory=dict)


def artifact_uri(path: str) -> str:
    """A file as SARIF names it: relative to the current folder when it is inside it (GitHub code scanning resolves
    relative URIs against the repository root), else a ``file://`` URI; spaces and the like percent-encoded."""
    file = Path(path)
    if file.is_absolute():
        try:
            file = file.relative_to(Path.cwd())
        except ValueError:
            return file.as_uri()
    return quote(file.as_posix())


def _location(result: SarifResult) -> Location:
    physical = None
    if result.file is not None:
        region = Region(start_line=result.line, start_column=result.column) if result.line is not None else None
        physical = PhysicalLocation(artifact_location=ArtifactLocation(uri=artifact_uri(result.file)), region=region)
    logical = (
        [LogicalLocation(fully_qualified_name=result.logical, kind=result.logical_kind)]
        if result.logical is not None
        else None
    )
    return Location(physical_location=physical, logical_locations=logical)


def sarif_log(
    rules: Sequence[SarifRule],
    results: Iterable[SarifResult],
    *,
    run_properties: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A one-run SARIF 2.1.0 log (a JSON-able dict); results refer to rules by id and index."""
    index = {rule.id: i for i, rule in enumerate(rules)}
    descriptors = [
        ReportingDescriptor(
            id=rule.id,
            name=rule.name,
            short_description=Message(text=rule.short),
            full_description=Message(text=rule.full),
            help=Message(text=rule.help_text, markdown=rule.help_markdown),
            help_uri=rule.help_uri,
            default_configuration=ReportingConfiguration(level=rule.level.value),
            properties=dict(rule.properties) or None,
        )
        for rule in rules
    ]
    out = []
    for r in results:
        extra: dict[str, Any] = {}
        if r.suppression is not None:
            extra["suppressions"] = [{"kind": "external", "status": "accepted", "justification": r.suppression}]
        out.append(
            Result(
                rule_id=r.rule_id,
                rule_index=index[r.rule_id],
                level=r.level,
                message=Message(text=r.message),
                locations=[_location(r)] if r.file is not None or r.logical is not None else None,
                partial_fingerprints={FINGERPRINT: r.fingerprint} if r.fingerprint else None,
                properties=dict(r.properties) or None,
                **extra,
            )
        )
    run_extra: dict[str, Any] = {"columnKind": "unicodeCodePoints"}
    if run_properties:
        run_extra["properties"] = dict(run_properties)
    log = Sarif(
        version="2.1.0",
        schema_uri=SARIF_SCHEMA,
        runs=[
            Run(
                tool=Tool(driver=ToolDriver(name="iamwarden", version=__version__, rules=descriptors)),
                results=out,
                **run_extra,
            )
        ],
    )
    return dict(log.model_dump(mode="json", by_alias=True, exclude_none=True))


def dumps(log: Mapping[str, Any]) -> bytes:
    return orjson.dumps(log, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


# --- iamwarden lint --------------------------------------------------------------------------------------------

_LINT_LEVEL = {
    "ERROR": Level.ERROR,
    "SECURITY_WARNING": Level.WARNING,
    "WARNING": Level.WARNING,
    "SUGGESTION": Level.NOTE,
}


def lint_sarif(findings: Sequence[LintFinding]) -> dict[str, Any]:
    """A SARIF 2.1.0 log of linter findings: every linter rule with its help, each result at its file, line and
    column (columns count Unicode code points)."""
    from iamwarden.policy.lint import RULES

    rules = []
    for code in sorted(RULES):
        rule = RULES[code]
        properties: dict[str, Any] = {"kind": rule.kind, "origin": rule.origin, "tags": ["iam", "policy"]}
        if rule.kind == "SECURITY_WARNING":
            properties["tags"] = ["iam", "policy", "security"]
            properties["security-severity"] = "7.0"
        more = rule.help_uri or "docs/lint.md (Issue codes) in the iamwarden sources."
        more_md = f"[Access Analyzer policy checks]({rule.help_uri})" if rule.help_uri else "docs/lint.md, Issue codes"
        rules.append(
            SarifRule(
                id=code,
                name="".join(word.capitalize() for word in code.split("_")),
                short=rule.title,
                full=rule.help,
                help_text=f"{rule.help} See {more}",
                help_markdown=f"{rule.help}\n\nSee {more_md}.",
                help_uri=rule.help_uri,
                level=_LINT_LEVEL[rule.kind],
                properties=properties,
            )
        )
    results = [
        SarifResult(
            rule_id=f.code,
            level=_LINT_LEVEL[f.kind],
            message=f.message,
            file=f.source,
            line=f.line,
            column=f.column,
            logical=f.path,
            properties={"kind": f.kind, "jsonPath": f.path},
        )
        for f in findings
    ]
    return sarif_log(rules, results)


# --- iamwarden scan --------------------------------------------------------------------------------------------


def rule_name(check_id: str) -> str:
    """``root.mfa_enabled`` -> ``RootMfaEnabled``."""
    return "".join(part.capitalize() for part in check_id.replace(".", "_").split("_"))


def check_rule(check: CheckMetadata) -> SarifRule:
    rem = check.remediation
    cli = "\n".join(f"  {c}" for c in rem.cli)
    console = "\n".join(f"  {c}" for c in rem.console)
    text = rem.summary
    markdown = f"**Why it matters.** {check.why}\n\n**Fix.** {rem.summary}"
    if rem.cli:
        text += f"\nAWS CLI:\n{cli}"
        markdown += "\n\nAWS CLI:\n\n```sh\n" + "\n".join(rem.cli) + "\n```"
    if rem.console:
        text += f"\nConsole:\n{console}"
        markdown += "\n\nConsole:\n\n" + "\n".join(f"- {c}" for c in rem.console)
    if check.references:
        markdown += "\n\nReferences:\n\n" + "\n".join(f"- <{r}>" for r in check.references)
    properties: dict[str, Any] = {
        "practice": check.practice,
        "severity": check.severity.value,
        "security-severity": SECURITY_SEVERITY[check.severity],
        "tags": ["security", "iam", f"practice-{check.practice}"],
    }
    if check.cis_aws_v6:
        properties["cis_aws_v6"] = list(check.cis_aws_v6)
    if check.security_hub:
        properties["security_hub"] = list(check.security_hub)
    return SarifRule(
        id=check.id,
        name=rule_name(check.id),
        short=check.title,
        full=check.why,
        help_text=text,
        help_markdown=markdown,
        help_uri=check.references[0] if check.references else None,
        level=SEVERITY_LEVEL[check.severity],
        properties=properties,
    )


def finding_result(
    finding: Finding, artifact: str | None, sources: Sources | None = None, place: AccountPlace | None = None
) -> SarifResult:
    """A failed finding as a SARIF result: the resource's ARN as a logical location, anchored to its line in the
    written ``sources`` (a policy document, or ``account.txt``) when given, else to ``artifact`` (the input file)."""
    suppression = finding.suppression if finding.suppressed else None
    properties: dict[str, Any] = {
        "findingId": finding.id,
        "severity": finding.severity.value,
        "resourceType": finding.resource_type,
    }
    if place is not None:
        properties["accountId"] = place.account_id
        properties["ouPath"] = list(place.ou_path)
    if suppression is not None and suppression.suppression.expires is not None:
        properties["suppressionExpires"] = suppression.suppression.expires.isoformat()
    line = None
    if sources is not None:
        path, line = sources.locate(finding)
        artifact = str(path)
    return SarifResult(
        rule_id=finding.check.id,
        level=SEVERITY_LEVEL[finding.severity],
        message=f"{finding.resource}: {finding.detail}",
        file=artifact,
        line=line,
        logical=finding.resource,
        logical_kind="resource",
        fingerprint=finding.id,
        suppression=suppression.suppression.reason if suppression is not None else None,
        properties=properties,
    )


def scan_sarif(assessment: Assessment, artifact: str | None = None, sources: Sources | None = None) -> dict[str, Any]:
    """The scan's SARIF log: every check as a rule, every ``fail`` finding as a result."""
    rules = [check_rule(c.metadata) for c in assessment.checks]
    account = assessment.account
    place = account_place(account)
    results = [finding_result(f, artifact, sources, place) for f in assessment.findings if f.status is Status.FAIL]
    run = {"account": account.account_id, "partition": account.partition, "ouPath": list(place.ou_path)}
    return sarif_log(rules, results, run_properties=run)


def write_sarif(assessment: Assessment, path: Path, artifact: str | None = None, *, with_sources: bool = False) -> None:
    """Write the scan's SARIF log atomically; errors are an :class:`~iamwarden.errors.InputError` naming ``path``.
    ``with_sources``: also write the policy documents and ``account.txt`` next to it (:mod:`.sarif_sources`) and
    point every result at its line there."""
    sources = None
    if with_sources:
        from iamwarden.report.sarif_sources import write_sources

        failed = [f for f in assessment.findings if f.status is Status.FAIL]
        sources = write_sources(assessment.account, failed, path.parent)
    write_atomically(path, dumps(scan_sarif(assessment, artifact, sources)), "the SARIF report")
