"""``detect`` on the console: the summary first (what was read, what could not be, the alerts by severity), then a
timeline per principal (worst principals first), each alert one line with its time, severity, title and technique."""

from __future__ import annotations

from collections import Counter, defaultdict

from rich.console import Console
from rich.text import Text

from iamwarden.detections import Alert, Detection, RuleSet
from iamwarden.report.detect_outputs import SEVERITIES, severity_of
from iamwarden.report.words import wrap

_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _word(level: str) -> str:
    """A rule's Sigma level in the words of :data:`SEVERITIES`."""
    return "info" if level == "informational" else level


def summary_line(result: Detection) -> str:
    counts = Counter(severity_of(a) for a in result.alerts)
    by_level = ", ".join(f"{counts[lvl]} {lvl}" for lvl in reversed(SEVERITIES) if counts[lvl])
    report = result.report
    skipped = f", {report.skipped} skipped" if report.skipped else ""
    return (
        f"{_plural(len(result.alerts), 'alert')}"
        + (f" ({by_level})" if by_level else "")
        + f" from {_plural(report.records, 'record')} in {_plural(report.files_read, 'file')}{skipped}; "
        f"{_plural(len(result.rules.rules) + len(result.rules.correlations), 'rule')} ran"
        + (f", {len(result.rules.unsupported)} could not" if result.rules.unsupported else "")
    )


def at_least(alerts: list[Alert], severity: str | None) -> list[Alert]:
    """The alerts of ``severity`` (one of :data:`SEVERITIES`) or worse; all of them when it is ``None``."""
    if severity is None:
        return alerts
    floor = SEVERITIES.index(severity)
    return [a for a in alerts if SEVERITIES.index(severity_of(a)) >= floor]


def render_console(
    console: Console,
    result: Detection,
    show: int | None,
    quiet: bool,
    verbose: bool,
    min_severity: str | None = None,
) -> None:
    """The summary line (every alert counted), then the timeline per principal of the alerts of ``min_severity`` or
    worse (``--severity``), the others counted."""
    console.print(wrap(summary_line(result), console.width), markup=False, soft_wrap=True)
    if quiet:
        return
    report = result.report
    if report.filtered:
        console.print(
            f"  {_plural(report.filtered, 'record')} outside --since/--until/--account/--region", markup=False
        )
    problems = report.problem_lines()
    for line in problems if verbose else problems[:5]:
        console.print(f"  skipped: {line}", markup=False)
    if len(problems) > 5 and not verbose:
        console.print(f"  ... and {len(problems) - 5} more (--verbose lists them)", markup=False)
    unsupported = result.rules.unsupported
    for item in unsupported if verbose else []:
        console.print(f"  rule not run: {item.source}: {item.rule}: {item.reason}", markup=False)
    if unsupported and not verbose:
        console.print(f"  {_plural(len(unsupported), 'rule')} could not run (--verbose or --list-rules says why)")
    listed = at_least(result.alerts, min_severity)
    if len(listed) < len(result.alerts):
        hidden = len(result.alerts) - len(listed)
        console.print(f"  {_plural(hidden, 'alert')} below --severity {min_severity} not listed", markup=False)
    if not listed:
        return
    by_principal: dict[str, list[Alert]] = defaultdict(list)
    for alert in listed:
        by_principal[alert.principal].append(alert)
    order = sorted(by_principal, key=lambda p: (-max(a.rank for a in by_principal[p]), p))
    shown = 0
    for principal in order:
        if show is not None and shown >= show:
            break
        alerts = sorted(by_principal[principal], key=lambda a: a.first)
        console.print()
        console.print(f"[bold]{principal}[/bold]  ({_plural(len(alerts), 'alert')})")
        for alert in alerts:
            if show is not None and shown >= show:
                break
            shown += 1
            level = severity_of(alert)
            technique = (
                alert.rule.technique
                or ", ".join(alert.rule.attack[:2])
                or ("CIS " + ", ".join(alert.rule.cis) if alert.rule.cis else "")
            )
            text = f"{alert.rule.title}  x{alert.count}" + (f"  {technique}" if technique else "")
            first, *rest = wrap(text, console.width - _TITLE_AT, hanging=0).splitlines() or [""]
            console.print(
                Text.assemble(f"  {alert.first:%Y-%m-%d %H:%M:%S}  ", (f"{level:<8}", _STYLE[level]), "  ", first),
                soft_wrap=True,
            )
            for line in rest:  # the title wrapped under itself
                console.print(" " * _TITLE_AT + line, markup=False, soft_wrap=True)
            for reason in alert.reasons:
                console.print(wrap(reason, console.width, indent=6), markup=False, soft_wrap=True)
            if alert.rule.license != "Apache-2.0":
                byline = f"rule by {alert.rule.author} ({alert.rule.license})"
                console.print(wrap(byline, console.width, indent=6), markup=False, soft_wrap=True)
    total = len(listed)
    if show is not None and total > shown:
        console.print(f"\n{total - shown} more alert{'s' if total - shown != 1 else ''} (--show all lists them)")


_TITLE_AT = 33
"""The column where an alert's title starts, after its time and severity."""


def render_rules(console: Console, rules: RuleSet) -> None:
    console.print(
        f"{_plural(len(rules.rules), 'rule')} and {_plural(len(rules.correlations), 'correlation')} loaded from "
        f"{_plural(rules.files, 'file')}; {len(rules.unsupported)} cannot run",
        markup=False,
    )
    for compiled in sorted(rules.rules, key=lambda r: r.info.source):
        info = compiled.info
        tag = info.technique or " ".join(info.attack)
        console.print(f"  {_word(info.level):<8} {info.title}  [{info.author}; {info.license}] {tag}", markup=False)
    for correlation in rules.correlations:
        info = correlation.info
        console.print(
            f"  {_word(info.level):<8} {info.title}  (correlation: {correlation.type}) {info.technique or ''}",
            markup=False,
        )
    for item in rules.unsupported:
        console.print(f"  cannot run: {item.source}: {item.rule}: {item.reason}", markup=False)
