"""The ``diff`` report, "What changed": on the console (summary first), as JSON and as a self-contained HTML page.

The JSON is :meth:`iamwarden.store.diff.ScanDiff.to_json` with the check titles added. The HTML page holds the same
content, rendered with autoescaping; it has no script and fetches nothing (``default-src 'none'``).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any

import orjson
from markupsafe import Markup
from rich.console import Console
from rich.table import Table
from rich.text import Text

from iamwarden.checks.base import Severity
from iamwarden.checks.registry import CHECKS
from iamwarden.report.scorecard import SEVERITY_STYLE
from iamwarden.report.tables import plain_table
from iamwarden.report.words import wrap
from iamwarden.store.diff import FINDING_CHANGES, Change, FindingChange, ScanDiff

AREAS = ("principal", "group", "policy", "trust", "admin", "escalation", "key", "mfa")
AREA_TITLES = {
    "principal": "Principals",
    "group": "Groups",
    "policy": "Policies",
    "trust": "Trust policies",
    "admin": "Administrators",
    "escalation": "Escalation paths",
    "key": "Access keys",
    "mfa": "MFA",
}
MARKS = {
    "added": "+",
    "created": "+",
    "appeared": "+",
    "opened": "+",
    "removed": "-",
    "deleted": "-",
    "disappeared": "-",
    "narrowed": "-",
    "deactivated": "-",
}
CHANGE_STYLE = {"new": "bold red", "regressed": "bold magenta", "resolved": "green", "unchanged": "dim"}


@cache
def _titles() -> dict[str, str]:
    return {c.id: c.metadata.title for c in CHECKS}


def _when(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _short(arn: str) -> str:
    return arn.split(":", 5)[-1] if arn.startswith("arn:") else arn


def summary_line(diff: ScanDiff) -> str:
    counts = diff.counts()
    n = len(diff.changes)
    return (  # what changed first, then between which scans: the news reads in the first 80 columns
        f"Account {diff.new.account_id}: {n} IAM change{'s' if n != 1 else ''}; findings: {counts['new']} new, "
        f"{counts['regressed']} regressed, {counts['resolved']} resolved, {counts['unchanged']} unchanged; "
        f"{diff.old.label} ({_when(diff.old.collected_at)}) -> {diff.new.label} ({_when(diff.new.collected_at)})"
    )


def render_diff(diff: ScanDiff, console: Console, *, show: int | None = 20) -> None:
    """The summary line, the IAM changes by area, then new, regressed and resolved failures (``show`` of each;
    ``None``: all)."""
    console.print(wrap(summary_line(diff), console.width), markup=False, soft_wrap=True)
    if diff.old.account_id != diff.new.account_id:
        console.print(f"note: comparing two accounts ({diff.old.account_id} and {diff.new.account_id})", markup=False)
    console.print()
    if not diff.changes:
        console.print("No IAM changes.", markup=False)
    for area in AREAS:
        mine = [c for c in diff.changes if c.area == area]
        if not mine:
            continue
        console.print(Text(f"{AREA_TITLES[area]} ({len(mine)})", style="bold"))
        for change in mine[: show if show is not None else None]:
            _print_change(change, console)
        if show is not None and len(mine) > show:
            console.print(f"  ... and {len(mine) - show} more (--show all lists them)", markup=False)
    console.print()
    for kind in ("new", "regressed", "resolved"):
        items = diff.findings_of(kind)
        if items:
            console.print(_findings_table(kind, items, show))
            if show is not None and len(items) > show:
                console.print(f"  ... and {len(items) - show} more (--show all lists them)", markup=False)


def _print_change(change: Change, console: Console) -> None:
    mark = MARKS.get(change.change, "~")
    console.print(wrap(f"{mark} {change.detail}", console.width, indent=2), markup=False, soft_wrap=True)
    data = change.data
    for st in data.get("statements_removed", []):
        console.print(f"      - {orjson.dumps(st).decode()}", markup=False, soft_wrap=True)
    for st in data.get("statements_added", []):
        console.print(f"      + {orjson.dumps(st).decode()}", markup=False, soft_wrap=True)


def _findings_table(kind: str, items: Sequence[FindingChange], show: int | None) -> Table:
    table = plain_table(f"{kind.capitalize()} failures ({len(items)})")
    table.add_column("Severity")
    table.add_column("Check")
    table.add_column("Resource", overflow="fold")
    table.add_column("First seen")
    titles = _titles()
    for item in items[: show if show is not None else None]:
        r = item.result
        table.add_row(
            Text(r.severity, style=SEVERITY_STYLE.get(Severity(r.severity), "")),
            titles.get(r.check_id, r.check_id),
            _short(r.resource),
            item.first_seen.strftime("%Y-%m-%d") if item.first_seen else "-",
        )
    return table


def diff_json(diff: ScanDiff) -> dict[str, Any]:
    data = diff.to_json()
    titles = _titles()
    for items in data["findings"].values():
        for item in items:
            item["title"] = titles.get(item["check"], item["check"])
    return data


def dumps_diff(diff: ScanDiff) -> bytes:
    return orjson.dumps(diff_json(diff), option=orjson.OPT_INDENT_2) + b"\n"


# ---------------------------------------------------------------------------------------------------------------------
# HTML


@cache
def _css() -> str:
    return (files("iamwarden.report") / "templates" / "changes.css").read_text(encoding="utf-8")


def changes_view(diff: ScanDiff) -> dict[str, Any]:
    """What the "What changed" section shows (the template's data)."""
    titles = _titles()
    areas = []
    for area in AREAS:
        mine = [c for c in diff.changes if c.area == area]
        if mine:
            areas.append(
                {
                    "title": AREA_TITLES[area],
                    "changes": [
                        {
                            "mark": MARKS.get(c.change, "~"),
                            "change": c.change,
                            "detail": c.detail,
                            "added": [orjson.dumps(s).decode() for s in c.data.get("statements_added", [])],
                            "removed": [orjson.dumps(s).decode() for s in c.data.get("statements_removed", [])],
                        }
                        for c in mine
                    ],
                }
            )
    findings = {
        kind: [
            {
                "severity": f.result.severity,
                "title": titles.get(f.result.check_id, f.result.check_id),
                "check": f.result.check_id,
                "resource": f.result.resource,
                "first_seen": f.first_seen.strftime("%Y-%m-%d") if f.first_seen else "",
            }
            for f in diff.findings_of(kind)
        ]
        for kind in FINDING_CHANGES
    }
    return {"summary": summary_line(diff), "areas": areas, "findings": findings, "counts": diff.counts()}


def render_diff_html(diff: ScanDiff) -> str:
    from iamwarden.report.html import _environment  # the report's templates (and what they import) for HTML only

    css = _css()
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    csp = f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    return _environment().get_template("diff.html.j2").render(changes=changes_view(diff), css=Markup(css), csp=csp)
