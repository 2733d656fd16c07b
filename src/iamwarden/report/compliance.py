"""Compliance views: a framework's requirements, one by one, with the status the checks give them.

``cis-aws-v6`` is the CIS Amazon Web Services Foundations Benchmark v6.0.0, sections 2 (Identity and Access
Management), 4 (Logging) and 5 (Monitoring). The requirement list (ids, titles, profile level, and whether CIS marks
the recommendation automated or manual) is data: ``data/cis_aws_v6.json``, which names its source. Each check says
which requirements it covers (``CheckMetadata.cis_aws_v6``). A requirement's status aggregates the results of the
checks mapped to it:

* ``fail``           - at least one result fails
* ``unknown``        - none fails, at least one is unknown (evidence missing: never read as a pass)
* ``pass``           - none fails or is unknown, at least one passes
* ``not_applicable`` - every result is not applicable
* ``suppressed``     - every failing or unknown result is covered by an unexpired suppression and nothing else is left
* ``manual``         - no check covers it: assess it by hand (the benchmark's audit procedure)

Suppressed results are left out of the aggregate, as they are left out of the scorecard, and counted beside it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table
from rich.text import Text

from iamwarden.checks.base import Finding, Status
from iamwarden.checks.runner import Assessment
from iamwarden.report.tables import plain_table
from iamwarden.runtime import write_atomically

FRAMEWORKS = ("cis-aws-v6",)
STATUSES = ("fail", "unknown", "pass", "not_applicable", "suppressed", "manual")
STATUS_STYLE = {
    "fail": "bold red",
    "unknown": "magenta",
    "pass": "green",
    "not_applicable": "dim",
    "suppressed": "blue",
    "manual": "yellow",
}


@dataclass(frozen=True, slots=True)
class Requirement:
    id: str
    section: str
    title: str
    level: int
    assessment: str
    """``automated`` or ``manual``, as CIS marks the recommendation (not whether iamwarden checks it)."""


@dataclass(frozen=True, slots=True)
class Framework:
    id: str
    name: str
    version: str
    source: str
    sections: dict[str, str]
    requirements: tuple[Requirement, ...]


@dataclass(frozen=True, slots=True)
class RequirementStatus:
    requirement: Requirement
    status: str
    checks: tuple[str, ...]
    counts: dict[str, int]
    """Results of the mapped checks by status (``pass``, ``fail``, ``unknown``, ``not_applicable``, ``suppressed``)."""
    failing: tuple[str, ...] = ()
    """Ids of the unsuppressed failing and unknown findings (as in findings.json), to see why."""

    def to_json(self) -> dict[str, Any]:
        r = self.requirement
        return {
            "id": r.id,
            "section": r.section,
            "title": r.title,
            "level": r.level,
            "cis_assessment": r.assessment,
            "status": self.status,
            "checks": list(self.checks),
            "results": self.counts,
            "failing_findings": list(self.failing),
        }


@dataclass(frozen=True, slots=True)
class ComplianceView:
    framework: Framework
    requirements: tuple[RequirementStatus, ...]

    def totals(self) -> dict[str, int]:
        return {s: sum(1 for r in self.requirements if r.status == s) for s in STATUSES}


_DATA_FILES = {"cis-aws-v6": "cis_aws_v6.json"}


@cache
def load_framework(framework_id: str) -> Framework:
    """The requirement list of ``framework_id`` (one of :data:`FRAMEWORKS`), read from the package data."""
    name = _DATA_FILES[framework_id]
    raw = json.loads(resources.files("iamwarden.report").joinpath("data", name).read_text(encoding="utf-8"))
    return Framework(
        id=raw["id"],
        name=raw["name"],
        version=raw["version"],
        source=raw["source"],
        sections=dict(raw["sections"]),
        requirements=tuple(Requirement(**r) for r in raw["requirements"]),
    )


def aggregate(findings: Sequence[Finding]) -> str:
    """The status of one requirement from the results of the checks mapped to it (see the module docstring)."""
    if not findings:
        return "manual"
    counted = [f for f in findings if not f.suppressed]
    statuses = {f.status for f in counted}
    if Status.FAIL in statuses:
        return "fail"
    if Status.UNKNOWN in statuses:
        return "unknown"
    if Status.PASS in statuses:
        return "pass"
    if counted:
        return "not_applicable"
    return "suppressed"


def compliance_view(assessment: Assessment, framework_id: str = "cis-aws-v6") -> ComplianceView:
    """Every requirement of the framework with its status from ``assessment``'s checks and results."""
    framework = load_framework(framework_id)
    by_requirement: dict[str, list[str]] = {}
    for check in assessment.checks:
        for rid in check.metadata.cis_aws_v6:
            by_requirement.setdefault(rid, []).append(check.id)
    by_check: dict[str, list[Finding]] = {}
    for f in assessment.findings:
        by_check.setdefault(f.check.id, []).append(f)
    rows = []
    for req in framework.requirements:
        checks = tuple(by_requirement.get(req.id, ()))
        results = [f for c in checks for f in by_check.get(c, ())]
        counts = {s.value: sum(1 for f in results if f.status is s and not f.suppressed) for s in Status}
        counts["suppressed"] = sum(1 for f in results if f.suppressed)
        failing = tuple(f.id for f in results if f.status in (Status.FAIL, Status.UNKNOWN) and not f.suppressed)
        rows.append(RequirementStatus(req, aggregate(results) if checks else "manual", checks, counts, failing))
    return ComplianceView(framework, tuple(rows))


def compliance_json(view: ComplianceView, assessment: Assessment) -> dict[str, Any]:
    fw = view.framework
    account = assessment.account
    return {
        "framework": {"id": fw.id, "name": fw.name, "version": fw.version, "source": fw.source},
        "account": {"id": account.account_id, "alias": account.alias},
        "snapshot": {"collected_at": account.collected_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")},
        "statuses": {
            "fail": "a mapped check has a failing result",
            "unknown": "no failure, but evidence is missing for a mapped check",
            "pass": "every counted result of the mapped checks passes (or is not applicable)",
            "not_applicable": "every result of the mapped checks is not applicable",
            "suppressed": "every failing or unknown result is covered by a suppression",
            "manual": "no iamwarden check covers this requirement: assess it by hand",
        },
        "totals": view.totals(),
        "requirements": [r.to_json() for r in view.requirements],
    }


def file_name(framework_id: str) -> str:
    return f"compliance-{framework_id}.json"


def write_compliance(view: ComplianceView, assessment: Assessment, path: Path) -> None:
    """Write the compliance JSON atomically (:func:`iamwarden.runtime.write_atomically`)."""
    data = orjson.dumps(compliance_json(view, assessment), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    write_atomically(path, data, "the compliance report")


def compliance_table(view: ComplianceView) -> Table:
    fw = view.framework
    table = plain_table(f"{fw.name} v{fw.version}: sections {', '.join(fw.sections)}")
    table.add_column("Id", no_wrap=True)
    table.add_column("Requirement", overflow="fold", ratio=5)
    table.add_column("Level", justify="center")
    table.add_column("CIS audit", justify="center")
    table.add_column("Status", no_wrap=True)
    table.add_column("Results (P/F/U/NA/S)", justify="right", no_wrap=True)
    table.add_column("Checks", overflow="fold", ratio=3)
    section = None
    for row in view.requirements:
        req = row.requirement
        if req.section != section:
            section = req.section
            table.add_row("", Text(f"{section} {fw.sections[section]}", style="bold"), "", "", "", "", "")
        c = row.counts
        results = (
            "" if not row.checks else f"{c['pass']}/{c['fail']}/{c['unknown']}/{c['not_applicable']}/{c['suppressed']}"
        )
        table.add_row(
            req.id,
            Text(req.title),
            f"L{req.level}",
            req.assessment,
            Text(row.status, style=STATUS_STYLE[row.status]),
            results,
            ", ".join(row.checks),
        )
    return table


def render_compliance(view: ComplianceView, console: Console) -> None:
    console.print(compliance_table(view))
    totals = ", ".join(f"{n} {s}" for s, n in view.totals().items() if n)
    console.print(
        f"{len(view.requirements)} requirements: {totals} (manual: no iamwarden check covers it; CIS audit: how the "
        "benchmark says to assess it)",
        markup=False,
    )
