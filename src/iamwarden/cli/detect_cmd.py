"""``iamwarden detect``: run Sigma rules (our pack and yours) over CloudTrail logs and print the alerts."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from iamwarden.cli.consoles import stdout_console
from iamwarden.cli.errors import err_console, handles_input_errors
from iamwarden.cli.options import QuietOption, format_option, output_option, parse_formats, parse_show
from iamwarden.errors import InputError, Problem

FORMATS = ("console", "jsonl", "csv", "ocsf", "html")
LEVELS = ("info", "low", "medium", "high", "critical")
"""The severities, in scan's words (report.detect_outputs.SEVERITIES, not imported here to keep --help fast)."""
_ALIASES = {"informational": "info"}  # Sigma's word, accepted as it was before "info"


def _level(text: str | None, option: str) -> str | None:
    if text is None:
        return None
    name = _ALIASES.get(text.strip().lower(), text.strip().lower())
    if name not in LEVELS:
        raise InputError("command line", Problem(option, f"unknown severity {text!r} (known: {', '.join(LEVELS)})"))
    return name


def _when(text: str | None, option: str, now: datetime) -> datetime | None:
    """``2026-11-30``, ``2026-11-30T12:00:00Z`` or a duration before now (``90d``, ``12h``)."""
    if text is None:
        return None
    value = text.strip()
    units = {"d": "days", "h": "hours", "m": "minutes"}
    if value[:-1].isdigit() and value[-1:] in units:
        return now - timedelta(**{units[value[-1]]: int(value[:-1])})
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            "command line", Problem(option, f"expected a date, a date and time or a duration (90d, 12h), got {text!r}")
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@contextmanager
def _progress(total: int | None, quiet: bool) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr over the files read, when stderr is a terminal."""
    if quiet or not err_console.is_terminal:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("reading CloudTrail files", total=total)
        yield lambda n: bar.advance(task, n)


@handles_input_errors
def detect(
    trails: Annotated[
        list[str] | None,
        typer.Argument(
            help="CloudTrail log files or folders (S3 layout, Records files, JSON arrays, JSON Lines), or "
            "s3://BUCKET/PREFIX (read-only, only the prefixes of --account/--region/--since/--until).",
            metavar="TRAIL...",
        ),
    ] = None,
    lookup_events: Annotated[
        bool,
        typer.Option(
            "--lookup-events",
            help="Also read the LookupEvents API (90 days of management events, every enabled region or --region).",
        ),
    ] = False,
    rules: Annotated[
        list[Path] | None,
        typer.Option(
            "--rules", help="A folder (or file) of Sigma rules to run too; repeat for several.", metavar="DIR"
        ),
    ] = None,
    no_pack: Annotated[
        bool, typer.Option("--no-pack", help="Run only the --rules given, not iamwarden's pack.")
    ] = False,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only records from this time: 2026-11-30, ISO time or 90d.", metavar="WHEN"),
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="Only records up to this time.", metavar="WHEN")] = None,
    account: Annotated[
        list[str] | None,
        typer.Option("--account", help="Only this account's records; repeat for several.", metavar="ID"),
    ] = None,
    region: Annotated[
        list[str] | None,
        typer.Option("--region", help="Only this region's records; repeat for several.", metavar="REGION"),
    ] = None,
    formats: Annotated[
        str | None, format_option(f"What to print or write: {', '.join(FORMATS)} (comma-separated).")
    ] = None,
    output: Annotated[
        Path | None, output_option("Write the file format here (a folder when several are asked for).")
    ] = None,
    severity: Annotated[
        str | None,
        typer.Option(
            "--severity",
            help=f"List alerts of this severity or worse on the console (all are counted): {', '.join(LEVELS)}.",
            metavar="LEVEL",
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on", help=f"Exit 1 when an alert is this severe or worse: {', '.join(LEVELS)}.", metavar="LEVEL"
        ),
    ] = None,
    snapshot: Annotated[
        Path | None,
        typer.Option(
            "--snapshot",
            "-s",
            help="The account's snapshot: alerts say who each principal is (person or workload, administrator, MFA, "
            "keys) with severity raised or lowered, and an escalation path the graph predicts, carried out, is one "
            "critical alert.",
            dir_okay=False,
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine", help="Where the rules run: duckdb (embedded) or spark (PySpark; needs Java).", metavar="NAME"
        ),
    ] = "duckdb",
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master", help="Spark master URL for --engine spark (default: local mode).", metavar="URL"
        ),
    ] = None,
    show: Annotated[
        str,
        typer.Option(
            "--show",
            help="How many alerts to list after the summary, worst principals first: a number, or all.",
            metavar="N|all",
        ),
    ] = "20",
    list_rules: Annotated[
        bool, typer.Option("--list-rules", help="List the rules loaded and those that cannot run.")
    ] = False,
    quiet: QuietOption = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every problem of bad input and every unsupported rule.")
    ] = False,
) -> None:
    """Detect suspicious activity in CloudTrail logs with Sigma rules: iamwarden's pack (CIS monitoring events, every
    Stratus Red Team technique, IAM attacks) and your own (--rules).

    Bad input (a truncated gzip, a line that is not JSON, a record without its time) is counted per file and reason in
    the summary, never silently dropped. Alerts of community rules name their author and licence.

    Exit codes: 0 no alert at or above --fail-on (without --fail-on: always 0 after a run); 1 alerts at or above
    --fail-on; 2 usage or input error, or nothing at all could be read; 3 internal error (a bug: please report it);
    4 a report could not be written (one line naming the file).

    Examples:

      iamwarden detect AWSLogs/ --since 30d --fail-on high

      iamwarden detect trail.json.gz --rules sigma/rules/cloud/aws -f console,jsonl -o alerts/
    """
    from iamwarden.collect.cloudtrail import TrailFilter, log_files
    from iamwarden.collect.cloudtrail_remote import is_s3_url, lookup_event_files, s3_files
    from iamwarden.detections import ENGINES, load_rules
    from iamwarden.detections import detect as run_detect
    from iamwarden.report.detect_console import at_least, render_console, render_rules
    from iamwarden.report.detect_outputs import write_outputs

    chosen = parse_formats(formats or ("console" if output is None else "jsonl"), FORMATS)
    limit = parse_show(show)
    gate = _level(fail_on, "--fail-on")
    floor = _level(severity, "--severity")
    if engine not in ENGINES:
        raise InputError(
            "command line", Problem("--engine", f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
        )
    now = datetime.now(UTC)
    where = TrailFilter(
        since=_when(since, "--since", now),
        until=_when(until, "--until", now),
        accounts=frozenset(account or ()),
        regions=frozenset(region or ()),
    )
    facts = None
    generated: list[tuple[str, str]] = []
    if snapshot is not None:
        from iamwarden.analysis.context import AnalysisContext
        from iamwarden.cli.inputs import load_input
        from iamwarden.detections.context import account_facts, escalation_rules
        from iamwarden.model import build_account

        context = AnalysisContext(build_account(load_input(snapshot, None, None, None)))
        facts = account_facts(context)
        text = escalation_rules(context)
        if text:
            generated.append((f"escalation rules from {snapshot}", text))
    ruleset = load_rules(rules or (), pack=not no_pack, generated=generated)
    console = stdout_console(soft_wrap=True)
    if list_rules:
        render_rules(console, ruleset)
        return
    if not trails and not lookup_events:
        raise InputError("command line", Problem("TRAIL", "give at least one CloudTrail file or folder"))
    if not ruleset.rules:
        raise InputError("command line", Problem("--rules", "no rule could be loaded"))
    with tempfile.TemporaryDirectory(prefix="iamwarden-trail-") as downloads:
        sources: list[Iterable[Path]] = []
        for trail in trails or ():
            if is_s3_url(trail):
                sources.append(s3_files(trail, where, Path(downloads)))
            else:
                sources.append(log_files(Path(trail), where))
        if lookup_events:
            sources.append(lookup_event_files(where, Path(downloads)))
        total = (
            sum(len(s) for s in sources if isinstance(s, list)) if all(isinstance(s, list) for s in sources) else None
        )
        with _progress(total, quiet) as advance:
            result = run_detect(
                itertools.chain(*sources),
                ruleset,
                where,
                engine=engine,
                spark_master=spark_master,
                facts=facts,
                progress=advance,
            )
    if result.report.records == 0 and result.report.problems:
        raise result.report.error()
    if "console" in chosen:
        render_console(console, result, show=limit, quiet=quiet, verbose=verbose, min_severity=floor)
    written = write_outputs(result, [f for f in chosen if f != "console"], output)
    for path in written:
        err_console.print(f"wrote {path}", markup=False)
    if gate is not None:
        worst = at_least(result.alerts, gate)
        if worst:
            if not quiet:
                err_console.print(
                    f"{len(worst)} alert{'s' if len(worst) != 1 else ''} at or above {gate} (--fail-on): exit 1",
                    markup=False,
                )
            raise typer.Exit(1)
