"""The console report: a scorecard with one row per practice, then the failures by severity, then the suppressions
(how many results they took out, and a warning for each expired or stale one).

Secrets never reach the console: evidence is not printed here, and the checks mask what they quote in details.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from iamwarden.checks.base import Finding, Severity
from iamwarden.checks.runner import Assessment, PracticeSummary

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def _score_text(score: int | None) -> Text:
    if score is None:
        return Text("-", style="dim")
    style = "green" if score >= 90 else "yellow" if score >= 60 else "red"
    return Text(str(score), style=f"bold {style}")


def scorecard_table(practices: Sequence[PracticeSummary], *, show_suppressed: bool = False) -> Table:
    """One row per practice; a Suppressed column when ``show_suppressed`` (suppressed results are not in the other
    counts nor in the score)."""
    table = Table(title="IAM best practices scorecard", title_justify="left", show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("Practice")
    table.add_column("Pass", justify="right", style="green")
    table.add_column("Fail", justify="right", style="red")
    table.add_column("Unknown", justify="right", style="magenta")
    table.add_column("N/A", justify="right", style="dim")
    if show_suppressed:
        table.add_column("Suppressed", justify="right", style="blue")
    table.add_column("Score", justify="right")
    for p in practices:
        counts = [str(p.passed), str(p.failed), str(p.unknown), str(p.not_applicable)]
        if show_suppressed:
            counts.append(str(p.suppressed))
        table.add_row(str(p.number), p.title, *counts, _score_text(p.score))
    return table


def render_suppressions(assessment: Assessment, console: Console) -> None:
    """The count of suppressed results, then one warning line per expired suppression and one note per stale one."""
    if not assessment.suppressions:
        return
    day = assessment.suppressions_checked_on
    suppressed = len(assessment.suppressed())
    console.print(
        f"{suppressed} result{'s' if suppressed != 1 else ''} suppressed by {len(assessment.suppressions)} "
        f"suppression{'s' if len(assessment.suppressions) != 1 else ''} (kept in the JSON report, left out of "
        f"the scores and failures; expiry judged on {day.isoformat() if day else '?'})",
        markup=False,
        soft_wrap=True,
    )
    for use in assessment.expired_suppressions:
        s = use.suppression
        console.print(
            Text.assemble(
                ("warning: ", "bold yellow"),
                f"suppression {s.describe()} expired on {s.expires.isoformat() if s.expires else '?'}: "
                f"its {use.results} result{'s' if use.results != 1 else ''} count again (reason was: {s.reason}"
                + (f"; owner {s.owner}" if s.owner else "")
                + ")",
            ),
            soft_wrap=True,  # one line per warning, whatever the width: CI logs are searched line by line
        )
    for s in assessment.stale_suppressions:
        console.print(
            Text.assemble(
                ("stale: ", "yellow"),
                f"suppression {s.describe()} matched no failing or unknown result; remove it if the risk is gone",
            ),
            soft_wrap=True,
        )


def failures_table(failures: Sequence[Finding], title: str = "Failures by severity") -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("Severity", no_wrap=True)
    table.add_column("Check", overflow="fold", ratio=2)
    table.add_column("Resource", overflow="fold", ratio=3)
    table.add_column("Detail", overflow="fold", ratio=4)
    for f in failures:
        table.add_row(Text(f.severity.value, style=SEVERITY_STYLE[f.severity]), f.check.id, f.resource, f.detail)
    return table


def unknowns_table(unknowns: Sequence[Finding]) -> Table:
    table = Table(title="Unknown (evidence missing - not counted as pass)", title_justify="left")
    table.add_column("Check")
    table.add_column("Resource", overflow="fold")
    table.add_column("Why", overflow="fold")
    for f in unknowns:
        table.add_row(f.check.id, f.resource, f.detail)
    return table


def render(
    assessment: Assessment,
    console: Console,
    *,
    practices: Sequence[int] = (),
    min_severity: Severity | None = None,
    show_unknown: bool = True,
    max_unknown: int = 20,
    max_failures: int | None = 200,
) -> None:
    """Print the scorecard (filtered practices) and the failures (filtered by practice and severity; the first
    ``max_failures``, worst first, ``None`` for all), then the unknowns."""
    account = assessment.account
    alias = f" ({account.alias})" if account.alias else ""
    console.print(
        f"Account [bold]{account.account_id}[/bold]{alias}, snapshot of "
        f"{account.collected_at.strftime('%Y-%m-%d %H:%M UTC')} ({account.source}), "
        f"{len(assessment.checks)} checks, {len(assessment.findings)} results"
    )
    rows = [p for p in assessment.practices if not practices or p.number in practices]
    console.print(scorecard_table(rows, show_suppressed=bool(assessment.suppressions)))

    def keep(f: Finding) -> bool:
        return (not practices or f.check.practice in practices) and (
            min_severity is None or f.severity.rank <= min_severity.rank
        )

    failures = [f for f in assessment.failures() if keep(f)]
    if failures:
        shown = failures if max_failures is None else failures[:max_failures]
        console.print(failures_table(shown))
        if len(shown) < len(failures):
            console.print(
                f"... and {len(failures) - len(shown)} more failures (narrow with --practice / --severity, "
                "or see the JSON report)"
            )
    else:
        console.print("[green]No failures[/green] for the selected practices and severities.")
    if show_unknown:
        unknowns = [f for f in assessment.findings if f.status.value == "unknown" and not f.suppressed and keep(f)]
        if unknowns:
            console.print(unknowns_table(unknowns[:max_unknown]))
            if len(unknowns) > max_unknown:
                console.print(f"... and {len(unknowns) - max_unknown} more unknown results (see the JSON report)")
    render_suppressions(assessment, console)
