"""``iamwarden scan``: load an account (snapshot, authorization details or AWS CLI outputs), show what it holds,
assess it against the IAM best practices, and write the reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from iamwarden.cli.consoles import stdout_console
from iamwarden.cli.errors import err_console, handles_input_errors
from iamwarden.cli.history_options import DbOption, Recording, RecordOption, record_scan_before_reports
from iamwarden.cli.inputs import (
    AccountIdOption,
    AuthDetailsOption,
    ConfigOption,
    ImportDirOption,
    SnapshotOption,
    input_kind,
    load_input,
)
from iamwarden.cli.options import (
    PracticeOption,
    QuietOption,
    SeverityOption,
    format_option,
    output_option,
    parse_formats,
    parse_practices,
    parse_severity,
    parse_show,
    verbose_option,
)
from iamwarden.errors import InputError, Problem
from iamwarden.report.words import plural

if TYPE_CHECKING:
    from iamwarden.checks.base import Severity
    from iamwarden.checks.config import Thresholds
    from iamwarden.checks.runner import Assessment
    from iamwarden.checks.suppressions import Suppression
    from iamwarden.detections import Detection
    from iamwarden.model import Account

INVENTORY_FILE = "inventory.json"


@handles_input_errors
def scan(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="What to scan, its kind told from what it holds: a snapshot (.json or .json.gz), an "
            "authorization-details file, a folder of AWS CLI outputs, or an organization bundle (a folder with "
            "org.json, from `iamwarden collect --org`). Or give one of --snapshot, --authorization-details, "
            "--import-dir.",
            show_default=False,
        ),
    ] = None,
    snapshot: SnapshotOption = None,
    authorization_details: AuthDetailsOption = None,
    import_dir: ImportDirOption = None,
    account_id: AccountIdOption = None,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            "-d",
            help="Write inventory.json and the reports here (created if missing); without --format, every format "
            "(findings.json, report.html, findings.sarif, findings.ocsf.json, findings.asff.json, findings.csv). "
            "For an organization bundle: each account's under accounts/<id>/, organization.json and .html, and per "
            "file format one merged file (organization-findings.json, organization.sarif, organization.ocsf.json, "
            "organization.asff.json, organization.csv).",
            file_okay=False,
        ),
    ] = None,
    formats: Annotated[
        str | None,
        format_option(
            "Comma-separated: console, json, html, sarif, ocsf, asff, csv, or all (docs/reports.md). Default: "
            "console; every format with --output-dir; console and json with -o."
        ),
    ] = None,
    show_inventory: Annotated[
        bool,
        typer.Option("--inventory", help="Print every inventory table (users, roles, groups, policies, keys, ...)."),
    ] = False,
    config: ConfigOption = None,
    practice: PracticeOption = None,
    severity: SeverityOption = None,
    show: Annotated[
        str,
        typer.Option(
            "--show",
            help="How many failures to list after the summary, worst first, and failing checks in its table if more "
            "than 15: a number, or all.",
            metavar="N|all",
        ),
    ] = "10",
    quiet: QuietOption = False,
    output: Annotated[
        Path | None,
        output_option(
            "Where the file formats go: this file when one is asked for, this folder (created if missing) "
            "when several. Without --format: json."
        ),
    ] = None,
    verbose: Annotated[bool, verbose_option()] = False,
    practice_alias: Annotated[list[int] | None, typer.Option("-p", hidden=True)] = None,
    suppressions: Annotated[
        Path | None,
        typer.Option(
            "--suppressions",
            help="YAML list of accepted risks (check, resource, reason, expires, owner), added to the "
            "[[suppressions]] of iamwarden.toml. See docs/suppressions.md.",
            dir_okay=False,
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when an unsuppressed failure of this severity or worse exists (critical, high, medium, low, "
            "info), in any practice. Default: exit 0 whatever is found.",
            metavar="LEVEL",
        ),
    ] = None,
    compliance: Annotated[
        str | None,
        typer.Option(
            "--compliance",
            help="Also show a framework's requirements with their status: cis-aws-v6 (CIS AWS Foundations v6.0.0 "
            "sections 2, 4, 5). Written as compliance-<framework>.json next to the other outputs.",
            metavar="FRAMEWORK",
        ),
    ] = None,
    secrets: Annotated[
        Path | None,
        typer.Option(
            "--secrets",
            help="A secrets report (iamwarden secrets scan -f json): the account's keys it found in code fail "
            "secrets.keys_in_code, with their locations (docs/secrets.md).",
            dir_okay=False,
        ),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option("--today", hidden=True, help="Judge suppression expiry as of this date (YYYY-MM-DD); for tests."),
    ] = None,
    record: RecordOption = False,
    db: DbOption = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Organization bundle: how many accounts are assessed at once, each in its own process (default: one "
            "per CPU core).",
            min=1,
            metavar="N",
        ),
    ] = None,
    cloudtrail: Annotated[
        list[Path] | None,
        typer.Option(
            "--cloudtrail",
            help="CloudTrail log files or folders to run iamwarden detect's rule pack over, knowing who each "
            "principal is in this account: the HTML report gets an Activity section, the console a summary line "
            "(docs/detect.md). Repeat for several.",
            metavar="PATH",
        ),
    ] = None,
) -> None:
    """Scan an account or an organization: what it holds, how it scores on the 11 IAM best practices, and why.

    Give exactly one input: PATH (its kind is told from what it holds) or one of --snapshot, --authorization-details,
    --import-dir. Bad input exits 2 with one line naming the file and the place.

    Exit codes: 0 no unsuppressed failure at or above --fail-on (without --fail-on: always 0 after a scan);
    1 failures at or above --fail-on; 2 usage or input error; 3 internal error (a bug: please report it); 4 a report
    could not be written (one line naming the file).

    Examples:

      iamwarden scan demo/demo-account.json.gz

      iamwarden scan --snapshot demo/demo-account.json.gz --output-dir demo-output

      iamwarden scan org-bundle/ --output-dir org-report    (an organization: docs/organizations.md)

      iamwarden scan --snapshot account.json.gz --inventory

      iamwarden scan --snapshot account.json.gz --practice 2 --severity high --show all

      iamwarden scan --snapshot account.json.gz --format console,json -o findings.json

      iamwarden scan --snapshot account.json.gz --suppressions accepted.yaml --fail-on high --compliance cis-aws-v6

      iamwarden scan --snapshot account.json.gz --record    (keep it in the history: docs/history.md)

      iamwarden scan demo/demo-account.json.gz --cloudtrail demo/demo-trail.json -f html -o report.html
    """
    from iamwarden.checks.config import load_settings
    from iamwarden.checks.runner import run_checks
    from iamwarden.checks.suppressions import load_suppressions_file
    from iamwarden.model import build_account
    from iamwarden.report.console_inventory import render_gaps, render_header, render_inventory
    from iamwarden.report.inventory import inventory, write_inventory
    from iamwarden.report.outputs import FORMATS, emit
    from iamwarden.runtime import gc_paused

    chosen = parse_formats(formats or ("all" if output_dir else "console,json" if output else "console"), FORMATS)
    if output is not None and chosen == ["console"]:
        chosen.append("json")
    practices, min_severity = parse_practices([*(practice or ()), *(practice_alias or ())]), parse_severity(severity)
    shown = parse_show(show)
    gate = parse_severity(fail_on, "--fail-on")
    framework = parse_framework(compliance)
    day = parse_today(today)
    settings = load_settings(config)
    accepted = [*settings.suppressions, *(load_suppressions_file(suppressions) if suppressions else [])]
    if path is not None and input_kind(path) == "org-bundle":
        if cloudtrail:
            raise InputError("command line", Problem("--cloudtrail", "not yet for an organization bundle"))
        if any(v is not None for v in (snapshot, authorization_details, import_dir)):
            load_input(snapshot, authorization_details, import_dir, account_id, path, positional=True)  # the error
        one_account = [
            name
            for name, given in (
                ("--record", record),
                ("--secrets", secrets is not None),
                ("--compliance", framework is not None),
                ("--inventory", show_inventory),
                ("--output", output is not None),
            )
            if given
        ]
        if one_account:
            raise InputError(
                "command line",
                Problem(one_account[0], "reads one account; an organization bundle is scanned with --output-dir"),
            )
        worst = _scan_bundle(path, output_dir, chosen, settings.thresholds, accepted, workers, quiet, shown, gate)
        if gate is not None and worst:
            err_console.print(
                f"{plural(worst, 'unsuppressed failure')} at or above {gate.value} (--fail-on): exit 1", markup=False
            )
            raise typer.Exit(1)
        return
    # the collector's passes over the account and the checks' results would find next to nothing to free: it is
    # paused while they are built, and what is alive after is frozen, not walked (scan is a one-shot process)
    with gc_paused(freeze=True):
        loaded = load_input(snapshot, authorization_details, import_dir, account_id, path, positional=True)
        account = build_account(loaded)
    if secrets is not None:
        from dataclasses import replace

        from iamwarden.collect.secrets.report_file import read_secrets_report

        account = replace(account, code_leaks=read_secrets_report(secrets))
    inv = inventory(account)
    console = stdout_console()
    printing = "console" in chosen and not quiet
    inventory_path = output_dir / INVENTORY_FILE if output_dir is not None else None
    if printing:
        if show_inventory:
            render_inventory(inv, console, verbose=verbose, inventory_file=inventory_path)
        else:
            render_header(inv, console)
            render_gaps(inv, console, limit=None if verbose else 5, inventory_file=inventory_path)
        console.print()
    written: list[Path] = []
    if inventory_path is not None:
        write_inventory(inv, inventory_path)
        written.append(inventory_path)
    with gc_paused(freeze=True):
        assessment = run_checks(account, settings.thresholds, suppressions=accepted, today=day)
    activity = detect_activity(account, cloudtrail) if cloudtrail else None
    recording: Recording | None = None
    if record:  # before the reports (the HTML report shows the trend); a database problem is raised after them
        source = path or snapshot or authorization_details or import_dir
        recording = record_scan_before_reports(
            db, loaded, assessment, source, trends=bool({"html", "json"} & set(chosen))
        )
    with gc_paused(freeze=True):  # the reports' dicts form no cycles; the collector's passes would cost seconds
        written += emit(
            assessment,
            formats=chosen if printing else [f for f in chosen if f != "console"],
            console=console,
            output=output,
            output_dir=output_dir,
            practices=practices,
            min_severity=min_severity,
            show=shown,
            source_file=snapshot or authorization_details or (path if path is not None and path.is_file() else None),
            history=recording.history if recording is not None else None,
            activity=activity,
        )
    if not printing and (assessment.expired_suppressions or assessment.stale_suppressions):
        from iamwarden.report.scorecard import render_suppressions

        render_suppressions(assessment, err_console)  # expiry warnings are never silent, whatever the formats
    if activity is not None and not quiet:
        from iamwarden.report.detect_console import summary_line as activity_line

        console.print(f"CloudTrail: {activity_line(activity)}", markup=False)
    if framework is not None:
        written += show_compliance(assessment, framework, console, chosen if printing else [], output, output_dir)
    if quiet:
        from iamwarden.report.scorecard import summary_line

        console.print(summary_line(assessment), markup=False)
    elif written:
        console.print(wrote_line(written), markup=False)
    if recording is not None:  # a database that is down costs the record, not the reports
        recording.finish(None if quiet else console)
    if gate is not None:
        failing = assessment.failures_at_or_above(gate)
        if failing:
            err_console.print(
                f"{plural(len(failing), 'unsuppressed failure')} at or above {gate.value} (--fail-on): exit 1",
                markup=False,
            )
            raise typer.Exit(1)


def _scan_bundle(
    path: Path,
    output_dir: Path | None,
    chosen: list[str],
    thresholds: Thresholds,
    accepted: list[Suppression],
    workers: int | None,
    quiet: bool,
    shown: int | None,
    gate: Severity | None,
) -> int:
    """``scan BUNDLE``: every account, then the organization view (docs/organizations.md); returns how many
    unsuppressed failures (of the accounts and the organization checks) are at or above ``gate``."""
    from iamwarden.checks.base import Severity, Status
    from iamwarden.cli.consoles import stderr_console
    from iamwarden.cli.org_scan import default_workers, render_bundle_scan, scan_bundle
    from iamwarden.report.organization import AccountOutcome

    progress_console = stderr_console()

    def progress(done: int, total: int, outcome: AccountOutcome) -> None:
        if quiet:
            return
        failures = plural(sum(outcome.failures.values()), "failure")
        what = f"gap: {outcome.gap}" if outcome.gap else f"score {outcome.score}, {failures}"
        progress_console.print(
            f"[{done}/{total}] {outcome.account_id} {outcome.facts.name}: {what} ({outcome.seconds:.1f} s)",
            markup=False,
        )

    result = scan_bundle(
        path,
        output_dir=output_dir,
        formats=chosen,
        thresholds=thresholds,
        suppressions=accepted,
        workers=workers or default_workers(),
        progress=progress,
    )
    console = stdout_console()
    worst = 0
    if gate is not None:
        worst = sum(n for o in result.outcomes for sev, n in o.failures.items() if Severity(sev).rank <= gate.rank)
        worst += sum(1 for f in result.findings if f.status is Status.FAIL and f.severity.rank <= gate.rank)
    if quiet:
        failing = sum(sum(o.failures.values()) for o in result.outcomes)
        console.print(
            f"{result.data['organization']['id']}: {plural(len(result.outcomes), 'account')}, "
            f"{plural(failing, 'failure')} in accounts, "
            f"{plural(len(result.data['cross_account']['paths']), 'cross-account path')} to administrators",
            markup=False,
        )
        return worst
    render_bundle_scan(result, console, shown)
    if result.written:
        reports = sum(len(o.reports) for o in result.outcomes)
        console.print(
            f"{wrote_line(result.written)}; and {plural(reports, 'account report')} under {output_dir}/accounts/",
            markup=False,
        )
    return worst


def detect_activity(account: Account, trails: list[Path]) -> Detection:
    """``detect``'s rule pack over ``trails``, joined with what ``account`` says of each principal (and its predicted
    escalation paths as rules); bad input is counted, and only logs with no readable record at all are an error."""
    from iamwarden.analysis.context import AnalysisContext
    from iamwarden.collect.cloudtrail import log_files
    from iamwarden.detections import detect, load_rules
    from iamwarden.detections.context import account_facts, escalation_rules

    context = AnalysisContext(account)
    text = escalation_rules(context)
    rules = load_rules(generated=[("escalation rules from the account", text)] if text else [])
    files = [f for trail in trails for f in log_files(trail)]
    result = detect(files, rules, facts=account_facts(context))
    if result.report.records == 0 and result.report.problems:
        raise result.report.error()
    return result


def wrote_line(paths: list[Path]) -> str:
    """``wrote a.json`` for one file; ``wrote 3 files to DIR/: a, b, c`` for files of one folder."""
    folders = {p.parent for p in paths}
    if len(paths) == 1 or len(folders) != 1:
        return "wrote " + ", ".join(str(p) for p in paths)
    return f"wrote {plural(len(paths), 'file')} to {paths[0].parent}/: {', '.join(p.name for p in paths)}"


def parse_framework(text: str | None) -> str | None:
    from iamwarden.report.compliance import FRAMEWORKS

    if text is None:
        return None
    name = text.strip().lower()
    if name not in FRAMEWORKS:
        raise InputError(
            "command line", Problem("--compliance", f"unknown framework {text!r} (known: {', '.join(FRAMEWORKS)})")
        )
    return name


def parse_today(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError("command line", Problem("--today", f"expected a date YYYY-MM-DD, got {text!r}")) from None


def show_compliance(
    assessment: Assessment,
    framework: str,
    console: Console,
    formats: list[str],
    output: Path | None,
    output_dir: Path | None,
) -> list[Path]:
    """Print the compliance table (with the console format, or when nothing else shows it) and write
    compliance-<framework>.json into the output directory, or next to the -o file."""
    from iamwarden.report.compliance import compliance_view, file_name, render_compliance, write_compliance

    view = compliance_view(assessment, framework)
    folder = output_dir if output_dir is not None else (output if output is not None and output.is_dir() else None)
    if folder is None and output is not None:
        folder = output.parent
    if "console" in formats or folder is None:
        console.print()
        render_compliance(view, console)
    if folder is None:
        return []
    path = folder / file_name(framework)
    write_compliance(view, assessment, path)
    return [path]
