"""The console report: a scorecard with one row per practice, then the failures by severity, then the suppressions
(how many results they took out, and a warning for each expired or stale one).

Secrets never reach the console: evidence is not printed here, and the checks mask what they quote in details.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from iamwarden.checks.base import Finding, Severity
from iamwarden.checks.runner import Assessment, PracticeSummary
from iamwarden.report.arns import short_arn, shorten_arns
from iamwarden.report.tables import plain_table
from iamwarden.report.words import plural

DEFAULT_SHOWN = 10
"""How many failures the console lists after the summary (``scan --show``)."""
CHECKS_SHOWN = 15
"""How many failing checks the summary's table lists at least (``--show N`` above it lists N; ``--show all`` every
one): the rest are counted by severity on one line."""

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
    table = plain_table()
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
    suppressed = assessment.suppressed()
    used = len({id(f.suppression.suppression) for f in suppressed if f.suppression is not None})
    console.print(
        f"{plural(len(suppressed), 'result')} suppressed by {plural(used, 'suppression')} of "
        f"{len(assessment.suppressions)} (kept in the JSON report, left out of the scores and failures; expiry "
        f"judged on {day.isoformat() if day else '?'})",
        markup=False,
        soft_wrap=True,
    )
    for use in assessment.expired_suppressions:
        s = use.suppression
        console.print(
            Text.assemble(
                ("warning: ", "bold yellow"),
                f"suppression {s.describe()} expired on {s.expires.isoformat() if s.expires else '?'}: "
                f"its {plural(use.results, 'result')} count again (reason was: {s.reason}"
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


def _one_line_width(console: Console, table: Table) -> int:
    """How wide ``table`` is with no cell wrapped (a measurement not clamped to the console's width)."""
    return Measurement.get(console, console.options.update_width(10_000), table).maximum


def failing_checks_table(failures: Sequence[Finding], account_id: str, console: Console | None = None) -> Table:
    """One row per failing check, worst first: severity, check, how many resources fail it, one example. When the
    rows do not fit ``console``'s width on one line (80 columns), the example goes on a second line under its check
    instead of being folded into a narrow column: ids are never wrapped, nothing is cut."""
    by_check: dict[str, list[Finding]] = {}
    for f in failures:
        by_check.setdefault(f.check.id, []).append(f)
    rows = [
        (Text(found[0].severity.value, style=SEVERITY_STYLE[found[0].severity]), check_id, str(len(found)), found)
        for check_id, found in by_check.items()
    ]
    table = plain_table()
    table.add_column("Severity", no_wrap=True)
    table.add_column("Check", no_wrap=True)
    table.add_column("Fails", justify="right", no_wrap=True)
    table.add_column("Example resource", no_wrap=True)
    for severity, check_id, count, found in rows:
        table.add_row(severity, check_id, count, short_arn(found[0].resource, account_id))
    if console is None or _one_line_width(console, table) <= console.width:
        return table
    narrow = plain_table()
    narrow.add_column("Severity", no_wrap=True)
    narrow.add_column("Fails", justify="right", no_wrap=True)
    narrow.add_column("Check and an example resource", overflow="fold", ratio=1)
    for severity, check_id, count, found in rows:
        example = Text.assemble(check_id, "\n", ("  e.g. ", "dim"), short_arn(found[0].resource, account_id))
        narrow.add_row(severity, count, example)
    return narrow


def render_failures(failures: Sequence[Finding], console: Console, account_id: str) -> None:
    """Each failure as a line (severity, check, resource) and its detail indented on the next: nothing cut, whatever
    the width."""
    for f in failures:
        console.print(
            Text.assemble(
                (f"{f.severity.value:<8}", SEVERITY_STYLE[f.severity]),
                "  ",
                (f.check.id, "bold"),
                "  ",
                short_arn(f.resource, account_id),
            ),
            overflow="fold",
        )
        _print_detail(f, console, account_id)


def _print_detail(finding: Finding, console: Console, account_id: str) -> None:
    """A result's detail, resources named short, wrapped at the console's width under its heading line."""
    detail = textwrap.fill(
        shorten_arns(finding.detail, account_id),
        width=max(console.width, 40),
        initial_indent=" " * 10,
        subsequent_indent=" " * 10,
        break_on_hyphens=False,
    )
    console.print(detail, markup=False, soft_wrap=True)


def unknowns_table(unknowns: Sequence[Finding], account_id: str) -> Table:
    table = plain_table()
    table.add_column("Check", no_wrap=True)
    table.add_column("Resource", no_wrap=True)
    table.add_column("Why", no_wrap=True)
    for f in unknowns:
        table.add_row(f.check.id, short_arn(f.resource, account_id), shorten_arns(f.detail, account_id))
    return table


def render_unknowns(unknowns: Sequence[Finding], console: Console, account_id: str) -> None:
    """The unknown results as a table when its rows fit the width on one line each; otherwise as the failures are
    listed (check and resource, the reason wrapped under them), so the reason is not folded into a narrow column."""
    table = unknowns_table(unknowns, account_id)
    if _one_line_width(console, table) <= console.width:
        console.print(table)
        return
    for f in unknowns:
        console.print(Text.assemble((f.check.id, "bold"), "  ", short_arn(f.resource, account_id)), overflow="fold")
        _print_detail(f, console, account_id)


def summary_line(assessment: Assessment) -> str:
    """One line saying how the account did: what ``scan --quiet`` prints."""
    failures = assessment.failures()
    unknown = sum(1 for f in assessment.findings if f.status.value == "unknown" and not f.suppressed)
    counts = Counter(f.severity for f in failures)
    by_severity = ", ".join(f"{counts[s]} {s.value}" for s in Severity if counts[s])
    checks = len({f.check.id for f in failures})
    account = assessment.account
    text = f"{account.account_id}: {plural(len(failures), 'failure')}"
    if failures:
        text += f" ({by_severity}) in {checks} of {plural(len(assessment.checks), 'check')}"
    else:
        text += f" in {plural(len(assessment.checks), 'check')}"
    text += f", {unknown} unknown"
    if assessment.suppressions:
        text += f", {len(assessment.suppressed())} suppressed"
    return text


def render(
    assessment: Assessment,
    console: Console,
    *,
    practices: Sequence[int] = (),
    min_severity: Severity | None = None,
    show_unknown: bool = True,
    max_unknown: int = 20,
    show: int | None = DEFAULT_SHOWN,
) -> None:
    """The summary first: the scorecard (filtered practices) and the failing checks (filtered by practice and
    severity), then the first ``show`` failures, worst first (``None``: all), the unknowns and the suppressions.
    Resources are printed short (see :func:`iamwarden.report.arns.short_arn`): the header names the account."""
    account_id = assessment.account.account_id
    rows = [p for p in assessment.practices if not practices or p.number in practices]
    console.print(Text("IAM best practices scorecard", "bold"))
    console.print(scorecard_table(rows, show_suppressed=bool(assessment.suppressions)))

    def keep(f: Finding) -> bool:
        return (not practices or f.check.practice in practices) and (
            min_severity is None or f.severity.rank <= min_severity.rank
        )

    failures = [f for f in assessment.failures() if keep(f)]
    if failures:
        checks = len({f.check.id for f in failures})
        console.print()
        console.print(Text(f"Failing checks: {plural(checks, 'check')}, {plural(len(failures), 'failure')}", "bold"))
        order = list(dict.fromkeys(f.check.id for f in failures))
        listed = set(order if show is None else order[: max(show, CHECKS_SHOWN)])
        console.print(failing_checks_table([f for f in failures if f.check.id in listed], account_id, console))
        if len(listed) < len(order):
            rest = [f for f in failures if f.check.id not in listed]
            worst = {f.check.id: f.severity for f in reversed(rest)}  # each check's first (worst) failure
            counts = Counter(worst.values())
            by_severity = ", ".join(f"{counts[s]} {s.value}" for s in Severity if counts[s])
            console.print(
                f"... {plural(len(order) - len(listed), 'more failing check')} ({by_severity}) with "
                f"{plural(len(rest), 'failure')}: --show all lists them"
            )
        shown = failures if show is None else failures[:show]
        if shown:
            console.print()
            title = "All failures" if len(shown) == len(failures) else f"Top {len(shown)} of {len(failures)} failures"
            console.print(Text(title, style="bold"))
            render_failures(shown, console, account_id)
        if len(shown) < len(failures):
            console.print(
                f"... {plural(len(failures) - len(shown), 'more failure')}: --show N or --show all prints them, "
                "--practice / --severity narrow them, the JSON report holds every result"
            )
    else:
        console.print("[green]No failures[/green] for the selected practices and severities.")
    if show_unknown:
        unknowns = [f for f in assessment.findings if f.status.value == "unknown" and not f.suppressed and keep(f)]
        if unknowns:
            console.print()
            console.print(
                Text(f"Unknown: {plural(len(unknowns), 'result')} (evidence missing, not counted as pass)", "bold")
            )
            render_unknowns(unknowns[:max_unknown], console, account_id)
            if len(unknowns) > max_unknown:
                console.print(f"... {plural(len(unknowns) - max_unknown, 'more unknown result')} (see the JSON report)")
    render_suppressions(assessment, console)
    console.print()
    console.print(Text(summary_line(assessment), style="bold"))
