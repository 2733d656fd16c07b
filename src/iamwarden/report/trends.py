"""History in the HTML report: each practice's score and the failure counts over the recorded scans (inline SVG, no
script, nothing fetched), how long the open failures have been open, and what changed since the previous scan.

Built from the history database after ``scan --record`` recorded the scan (:func:`history_view`); the report shows
it when there is one (:func:`iamwarden.report.html.render_html`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup, escape

from iamwarden.checks.base import PRACTICES, Severity
from iamwarden.checks.runner import Assessment
from iamwarden.store import History, ScanContent, TrendPoint
from iamwarden.store.diff import ScanDiff, Side, diff_scans

PALETTE = (
    "#2457c5",
    "#c2321f",
    "#1f7a3f",
    "#b86a00",
    "#6d3fb5",
    "#0f7c8c",
    "#8e1330",
    "#5d6676",
    "#d08a00",
    "#3d6ab8",
    "#2e8b57",
)
AGE_BUCKETS = ((7, "under 7 days"), (30, "7 to 30 days"), (90, "30 to 90 days"), (None, "over 90 days"))
OLDEST_SHOWN = 15


@dataclass(frozen=True, slots=True)
class HistoryView:
    """What the report shows of the history: the trend, when each open failure was first seen, and the changes since
    the previous recorded scan (``None`` for the first)."""

    points: tuple[TrendPoint, ...]
    first_seen: dict[str, datetime]
    changes: ScanDiff | None
    scan_id: int

    def open_failures(self) -> dict[str, tuple[datetime | None, str]]:
        """Each open failure of the scan: when it was first seen, and how it stands against the account's previous
        recorded scan (``new``, ``regressed`` or ``unchanged``; all ``new`` in the account's first)."""
        if self.changes is None:
            return {f: (when, "new") for f, when in self.first_seen.items()}
        return {
            f.result.finding_id: (f.first_seen, f.change)
            for f in self.changes.findings
            if f.change in ("new", "regressed", "unchanged")
        }


def history_view(history: History, content: ScanContent, scan_id: int) -> HistoryView:
    """Read the account's trend and its open failures' first-seen dates (the scan ``scan_id`` just recorded included),
    and compare the scan with the previous one of the account (the database compares the two recorded scans)."""
    points = tuple(history.trend(content.account_id))
    earlier = [
        s
        for s in history.scans(account_id=content.account_id)
        if s.id != scan_id and s.collected_at <= content.collected_at
    ]
    changes = None
    if earlier:
        previous = earlier[-1]
        old, new, failed = history.compared(previous.id, scan_id)
        changes = diff_scans(
            old,
            new,
            Side(f"scan {previous.id}", previous.account_id, previous.collected_at, previous.id),
            Side(f"scan {scan_id}", content.account_id, content.collected_at, scan_id),
            failed,
        )
    else:
        failing = [f for f, r in content.results.items() if r.open_failure]
        failed = history.first_failed(content.account_id, failing, before=content.collected_at)
    return HistoryView(points, failed, changes, scan_id)


def _x(i: int, n: int, left: int, width: int) -> float:
    return left + (width * i / (n - 1) if n > 1 else width / 2)


def score_chart(points: Sequence[TrendPoint]) -> Markup:
    """Each practice's score over the scans: one line per practice, 0-100, with a legend."""
    w, h, left, top, plot_w, plot_h = 820, 250, 36, 10, 520, 200
    parts = [
        f'<svg class="trend" viewBox="0 0 {w} {h}" role="img" aria-label="practice scores over {len(points)} scans" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    for value in (0, 50, 100):
        y = top + plot_h * (100 - value) / 100
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#dde1e8"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#5d6676">{value}</text>'
        )
    n = len(points)
    for k, number in enumerate(PRACTICES):
        colour = PALETTE[k % len(PALETTE)]
        coords = [
            f"{_x(i, n, left, plot_w):.1f},{top + plot_h * (100 - p.scores[number]) / 100:.1f}"  # type: ignore[operator]
            for i, p in enumerate(points)
            if p.scores.get(number) is not None
        ]
        if len(coords) > 1:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{" ".join(coords)}"/>')
        for c in coords[-1:]:
            cx, cy = c.split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>')
        ly = top + 4 + k * 18
        parts.append(f'<rect x="{left + plot_w + 20}" y="{ly}" width="10" height="10" fill="{colour}"/>')
        label = escape(f"{number}. {PRACTICES[number]}")
        parts.append(f'<text x="{left + plot_w + 36}" y="{ly + 9}" font-size="11" fill="#1d2330">{label}</text>')
    parts.append(_date_labels(points, left, plot_w, top + plot_h + 16))
    parts.append("</svg>")
    return Markup("".join(parts))


def failure_chart(points: Sequence[TrendPoint]) -> Markup:
    """Open failures per scan (all practices), as bars."""
    w, h, left, top, plot_w, plot_h = 820, 150, 36, 10, 520, 100
    totals = [sum(p.failed.values()) for p in points]
    peak = max(totals, default=0) or 1
    n = len(points)
    bar = max(1.0, min(24.0, plot_w / max(n, 1) * 0.7))
    parts = [
        f'<svg class="trend" viewBox="0 0 {w} {h}" role="img" aria-label="open failures over {n} scans" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    parts.append(f'<text x="{left - 6}" y="{top + 4}" font-size="11" text-anchor="end" fill="#5d6676">{peak}</text>')
    parts.append(f'<text x="{left - 6}" y="{top + plot_h}" font-size="11" text-anchor="end" fill="#5d6676">0</text>')
    for i, total in enumerate(totals):
        bh = plot_h * total / peak
        x = _x(i, n, left, plot_w) - bar / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - bh:.1f}" width="{bar:.1f}" height="{bh:.1f}" fill="#c2321f">'
            f"<title>{total} failures</title></rect>"
        )
    if totals:
        parts.append(
            f'<text x="{left + plot_w + 20}" y="{top + 14}" font-size="11" fill="#1d2330">now: {totals[-1]} open '
            f"failures</text>"
        )
    parts.append(_date_labels(points, left, plot_w, top + plot_h + 16))
    parts.append("</svg>")
    return Markup("".join(parts))


def _date_labels(points: Sequence[TrendPoint], left: int, width: int, y: int) -> str:
    if not points:
        return ""
    first, last = points[0].collected_at, points[-1].collected_at
    out = f'<text x="{left}" y="{y}" font-size="11" fill="#5d6676">{first:%Y-%m-%d}</text>'
    if len(points) > 1:
        out += (
            f'<text x="{left + width}" y="{y}" font-size="11" text-anchor="end" fill="#5d6676">{last:%Y-%m-%d}</text>'
        )
    return out


def trends_data(view: HistoryView, assessment: Assessment) -> dict[str, Any]:
    """What the template's history section shows."""
    now = assessment.account.collected_at.astimezone(UTC)
    failures = assessment.failures()
    aged = []
    for f in failures:
        seen = view.first_seen.get(f.id, now)
        aged.append((max(0, (now - seen).days), seen, f))
    buckets = []
    low = 0
    for limit, label in AGE_BUCKETS:
        count = sum(1 for days, _, _ in aged if days >= low and (limit is None or days < limit))
        buckets.append({"label": label, "count": count})
        low = limit or low
    aged.sort(key=lambda t: (-t[0], t[2].severity.rank))
    return {
        "scans": len(view.points),
        "score_chart": score_chart(view.points),
        "failure_chart": failure_chart(view.points),
        "buckets": buckets,
        "oldest": [
            {
                "days": days,
                "first_seen": seen.strftime("%Y-%m-%d"),
                "severity": f.severity.value,
                "title": f.check.title,
                "resource": f.resource,
            }
            for days, seen, f in aged[:OLDEST_SHOWN]
        ],
        "severities": [s.value for s in Severity],
    }
