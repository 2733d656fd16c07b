"""The HTML report's history sections (``scan --record``): trends as inline SVG, the age of open failures, and what
changed since the previous scan."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from iamwarden.checks.runner import run_checks
from iamwarden.model import build_account
from iamwarden.report.html import render_html
from iamwarden.report.trends import history_view
from iamwarden.store import History
from tests.store.contents import demo_content, demo_snapshots


def test_the_report_shows_trends_ages_and_changes(db: str) -> None:
    account = build_account(demo_snapshots()[1])
    assessment = run_checks(account)
    before, after = demo_content(0), demo_content(1)
    month_ago = replace(before, collected_at=before.collected_at - timedelta(days=40))
    with History.open(db) as history:
        for content in (month_ago, before, after):
            scan_id = history.record(
                content, tool_version="t", snapshot_hash="0" * 64, snapshot_path=None, source="demo"
            ).id
        view = history_view(history, after, scan_id)
    assert len(view.points) == 3
    assert view.changes is not None and [c.area for c in view.changes.changes] == ["principal", "trust", "admin", "key"]
    page = render_html(assessment, view)
    trends = page[page.index('<section id="history"') : page.index('<section id="what-changed"')]
    assert "3 recorded scans of this account" in trends
    assert trends.count("<polyline") == 11  # one line per practice
    assert trends.count('fill="#c2321f"><title>') == 3  # one bar per scan
    assert "2026-10-11" in trends and "2026-11-20" in trends
    open_now = len(assessment.failures())
    new = len(view.changes.findings_of("new"))
    assert (
        f"{new} open under 7 days; 0 open 7 to 30 days; {open_now - new} open 30 to 90 days; 0 open over 90 days"
        in trends
    )
    assert re.search(r"<td class=\"num\">40</td><td>2026-10-11</td>", trends)
    changed = page[page.index('<section id="what-changed"') :]
    assert "raj.mehta became an administrator via AdministratorAccess" in changed
    assert "script" not in trends and "http" not in trends.replace("http://www.w3.org/2000/svg", "")


def test_no_history_no_sections() -> None:
    account = build_account(demo_snapshots()[0])
    page = render_html(run_checks(account))
    assert 'id="history"' not in page and 'id="what-changed"' not in page
