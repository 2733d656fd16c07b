"""The organization view of ``scan BUNDLE``: every account's score per practice (worst accounts first), the
organization-wide findings and the cross-account paths, as JSON (``organization.json``) and as one self-contained
HTML page (``organization.html``: a heat map of accounts by practice, each account linking to its own report).

JSON shape::

    {"tool", "organization": {"id", "management_account_id", "collected_at"},
     "accounts": [{"id", "name", "ou_path", "ou_names", "status", "gap", "score", "practices": {"1": 80, ...},
                   "failures": {"critical": 1, ...}, "unknown", "reports": [...], "seconds"}],   # worst first
     "findings": [... as findings.json, each with "account_id" and "ou_path" ...],
     "cross_account": {"organization", "accounts", "decisions", "edges", "paths", "external_trusts"}}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from iamwarden import __version__
from iamwarden.analysis.cross_account import AccountSummary
from iamwarden.analysis.organization import MemberFacts
from iamwarden.checks.base import PRACTICES, Finding
from iamwarden.checks.runner import PracticeSummary
from iamwarden.report.findings_json import finding_json
from iamwarden.runtime import write_atomically

if TYPE_CHECKING:
    from iamwarden.analysis.organization import OrganizationFacts

JSON_FILE = "organization.json"
HTML_FILE = "organization.html"


@dataclass(frozen=True, slots=True)
class AccountOutcome:
    """One account's results, small enough to send back from a worker."""

    account_id: str
    facts: MemberFacts
    summary: AccountSummary | None
    practices: tuple[PracticeSummary, ...] = ()
    score: int | None = None
    failures: dict[str, int] = field(default_factory=dict)
    """Unsuppressed failures by severity."""
    unknown: int = 0
    reports: tuple[str, ...] = ()
    """The account's reports, relative to the output folder."""
    seconds: float = 0.0
    """Wall time of the account (load, checks, summary, reports)."""
    peak_rss_kib: int = 0
    """The worker's peak resident memory so far."""

    @property
    def gap(self) -> str | None:
        return self.facts.gap


def finding_place(finding: Finding, facts: OrganizationFacts) -> dict[str, Any]:
    """The account id and OU path of an organization finding (from its evidence, else its resource's ARN)."""
    evidence = finding.outcome.evidence
    account = evidence.get("account") or evidence.get("source_account") or evidence.get("account_id")
    if account is None:
        parts = finding.resource.split(":")
        account = parts[4] if len(parts) > 4 and parts[4].isdigit() else facts.management_account_id
    member = facts.members.get(account)
    return {"account_id": account, "ou_path": list(member.ou_path) if member else []}


def organization_json(
    facts: OrganizationFacts, outcomes: Sequence[AccountOutcome], findings: Sequence[Finding]
) -> dict[str, Any]:
    names = facts.bundle.unit_names()
    accounts = []
    for o in outcomes:
        accounts.append(
            {
                "id": o.account_id,
                "name": o.facts.name,
                "ou_path": list(o.facts.ou_path),
                "ou_names": [names.get(n, n) for n in o.facts.ou_path],
                "status": o.facts.status,
                "gap": o.gap,
                "score": o.score,
                "practices": {str(p.number): p.score for p in o.practices},
                "failures": dict(o.failures),
                "unknown": o.unknown,
                "reports": list(o.reports),
                "seconds": round(o.seconds, 3),
            }
        )
    org = facts.bundle.organization
    return {
        "tool": {"name": "iamwarden", "version": __version__},
        "organization": {
            "id": org.id,
            "management_account_id": org.management_account_id,
            "collected_at": facts.bundle.collected_at.isoformat(),
        },
        "practices": {str(n): t for n, t in PRACTICES.items()},
        "accounts": accounts,
        "findings": [{**finding_json(f), **finding_place(f, facts)} for f in findings],
        "cross_account": facts.graph.to_json(),
    }


def write_organization(data: dict[str, Any], folder: Path) -> list[Path]:
    """Write organization.json and organization.html into ``folder``; returns their paths."""
    from iamwarden.report.html import _environment

    json_path = folder / JSON_FILE
    write_atomically(json_path, orjson.dumps(data, option=orjson.OPT_INDENT_2), "the organization report")
    html = (
        _environment()
        .get_template("organization.html.j2")
        .render(
            org=data["organization"],
            practices=data["practices"],
            accounts=data["accounts"],
            findings=[f for f in data["findings"] if f["status"] == "fail"],
            paths=data["cross_account"]["paths"],
            external=data["cross_account"]["external_trusts"],
            heat=heat,
            node=node_name,
        )
    )
    html_path = folder / HTML_FILE
    write_atomically(html_path, html.encode(), "the organization report")
    return [json_path, html_path]


def node_name(node: str) -> str:
    """A node of the cross-account graph as people read it: ``admin:<id>`` is any administrator of the account."""
    return f"any administrator of {node[6:]}" if node.startswith("admin:") else node


def heat(value: int | None) -> str:
    """The cell colour of a score: red (0) to green (100); grey for no score."""
    if value is None:
        return "#e5e7eb"
    hue = round(value * 1.2)  # 0 red .. 120 green
    return f"hsl({hue}, 70%, 80%)"
