"""``iamwarden diff OLD NEW``: what changed between two points of an account's life (docs/history.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from iamwarden.cli.consoles import stdout_console
from iamwarden.cli.errors import err_console, handles_input_errors
from iamwarden.cli.history_options import DbOption
from iamwarden.cli.inputs import ConfigOption
from iamwarden.cli.options import format_option, output_option, parse_formats, parse_severity, parse_show
from iamwarden.errors import InputError, Problem

if TYPE_CHECKING:
    from datetime import datetime

    from iamwarden.store import History
    from iamwarden.store.content import ScanContent
    from iamwarden.store.diff import ScanDiff, Side

DIFF_FORMATS = ("console", "json", "html")
FILE_NAMES = {"json": "changes.json", "html": "changes.html"}


@handles_input_errors
def diff(
    old: Annotated[str, typer.Argument(help="Snapshot file, scan id, or ACCOUNT@latest|previous|YYYY-MM-DD.")],
    new: Annotated[str, typer.Argument(help="The same kinds as OLD.")],
    db: DbOption = None,
    formats: Annotated[
        str | None, format_option("Comma-separated: console, json, html. Default: console; json with -o.")
    ] = None,
    output: Annotated[
        Path | None,
        output_option("Where the file formats go: this file for one (changes.json, changes.html), a folder for both."),
    ] = None,
    fail_on_new: Annotated[
        str | None,
        typer.Option(
            "--fail-on-new",
            help="Exit 1 when a new or regressed failure of this severity or worse appears (critical, high, medium, "
            "low, info).",
            metavar="LEVEL",
        ),
    ] = None,
    show: Annotated[
        str,
        typer.Option(
            "--show",
            help="How many IAM changes of each kind and failures of each table to list: a number, or all.",
            metavar="N|all",
        ),
    ] = "20",
    config: ConfigOption = None,
) -> None:
    """What changed between OLD and NEW: IAM changes (principals, groups, policies statement by statement with what
    is newly allowed as the policy engine decides it, trusts opened or narrowed, administrators, escalation paths,
    access keys, MFA) and findings new, regressed (came back), resolved and unchanged.

    OLD and NEW are snapshot files (scanned now, with --config) or scans of the history (--db): a scan id,
    ACCOUNT@latest, ACCOUNT@previous or ACCOUNT@YYYY-MM-DD (the last scan collected on or before that day).

    Exit codes: 0 done; 1 a new or regressed failure at or above --fail-on-new; 2 usage, input or database error.

    Examples:

      iamwarden diff 444455556666@previous 444455556666@latest

      iamwarden diff 12 15 --format json -o changes.json

      iamwarden diff yesterday.json.gz today.json.gz --fail-on-new high
    """
    from iamwarden.store.diff import diff_scans

    chosen = _formats(formats, output)
    limit = parse_show(show)
    gate = parse_severity(fail_on_new, "--fail-on-new")
    files = [Path(old).is_file(), Path(new).is_file()]
    for ref, is_file in zip((old, new), files, strict=True):
        _check_ref(ref, is_file)
    from iamwarden.runtime import gc_paused

    # the rows read back, the engine's decisions and the diff form no cycles: no collector passes over them
    with gc_paused():
        history = _history(db, needed=not all(files))
        try:
            if history is not None and not any(files):  # two recorded scans: the database compares them
                old_content, old_side, new_content, new_side, failed_before = _scans(old, new, history)
            else:
                old_content, old_side = _side(old, files[0], history, config)
                new_content, new_side = _side(new, files[1], history, config)
                failed_before = None
                if history is not None:
                    ids = [f for f, r in new_content.results.items() if r.open_failure]
                    failed_before = history.first_failed(new_content.account_id, ids, before=new_content.collected_at)
            changes = diff_scans(old_content, new_content, old_side, new_side, failed_before)
        finally:
            if history is not None:
                history.close()
    _emit(changes, chosen, output, limit)
    if gate is not None:
        failing = changes.new_at_or_above(gate)
        if failing:
            err_console.print(
                f"{len(failing)} new or regressed failure{'s' if len(failing) != 1 else ''} at or above "
                f"{gate.value} (--fail-on-new): exit 1",
                markup=False,
            )
            raise typer.Exit(1)


def _formats(text: str | None, output: Path | None) -> list[str]:
    names = parse_formats(text or ("json" if output else "console"), DIFF_FORMATS)
    if output is None and any(n != "console" for n in names):
        raise InputError("command line", Problem("--format", "json and html need -o/--output (a file or a folder)"))
    return names


def _check_ref(ref: str, is_file: bool) -> None:
    from iamwarden.store.history import REF

    if not is_file and not ref.isdigit() and REF.match(ref) is None:
        raise InputError(
            ref, Problem("", "no such snapshot file, and not a scan id or ACCOUNT@latest|previous|YYYY-MM-DD")
        )


def _history(db: str | None, *, needed: bool) -> History | None:
    """The history, when a side names a scan, or when one is there to tell regressed failures and first-seen dates
    (given with --db or IAMWARDEN_DB, or the default file exists); never created just for a diff of two files."""
    from iamwarden.store import ENV_VAR, History, default_db_path

    if needed or db or os.environ.get(ENV_VAR) or default_db_path().is_file():
        return History.open(db)
    return None


def _scans(old: str, new: str, history: History) -> tuple[ScanContent, Side, ScanContent, Side, dict[str, datetime]]:
    from iamwarden.store.diff import Side

    old_record, new_record = history.resolve(old), history.resolve(new)
    old_content, new_content, failed_before = history.compared(old_record.id, new_record.id)
    sides = [Side(f"scan {r.id}", r.account_id, r.collected_at, r.id) for r in (old_record, new_record)]
    return old_content, sides[0], new_content, sides[1], failed_before


def _side(ref: str, is_file: bool, history: History | None, config: Path | None) -> tuple[ScanContent, Side]:
    from iamwarden.store.diff import Side

    if is_file:
        from iamwarden.checks.config import load_settings
        from iamwarden.checks.runner import run_checks
        from iamwarden.collect.snapshot import read_snapshot
        from iamwarden.model import build_account
        from iamwarden.store import scan_content

        settings = load_settings(config)
        account = build_account(read_snapshot(Path(ref)))
        assessment = run_checks(account, settings.thresholds, suppressions=settings.suppressions)
        content = scan_content(account, assessment)
        return content, Side(ref, content.account_id, content.collected_at)
    assert history is not None
    record = history.resolve(ref)
    content = history.content(record.id)
    return content, Side(f"scan {record.id}", record.account_id, record.collected_at, record.id)


def _emit(changes: ScanDiff, formats: list[str], output: Path | None, show: int | None) -> None:
    from iamwarden.report.changes import dumps_diff, render_diff, render_diff_html
    from iamwarden.runtime import write_atomically

    console = stdout_console(soft_wrap=True)
    if "console" in formats:
        render_diff(changes, console, show=show)
    files = [f for f in formats if f != "console"]
    if not files or output is None:
        return
    single = len(files) == 1 and not output.is_dir()
    for name in files:
        path = output if single else output / FILE_NAMES[name]
        data = dumps_diff(changes) if name == "json" else render_diff_html(changes).encode("utf-8")
        write_atomically(path, data, "the changes report")
        console.print(f"wrote {path}", markup=False)
