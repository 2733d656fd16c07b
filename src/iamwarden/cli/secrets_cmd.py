"""``iamwarden secrets scan``: find AWS access keys in files, folders and git history, and say whose they are
without ever using them (docs/secrets.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from iamwarden.cli.consoles import stdout_console
from iamwarden.cli.errors import err_console, handles_input_errors
from iamwarden.cli.options import (
    QuietOption,
    format_option,
    parse_formats,
    parse_severity,
    parse_show,
)
from iamwarden.errors import InputError, Problem

if TYPE_CHECKING:
    from iamwarden.model import Account

app = typer.Typer(
    name="secrets",
    help="Find AWS access keys in files and git history, and tell whose they are (without using them).",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

FORMATS = ("console", "json", "sarif")
FILE_NAMES = {"json": "secrets.json", "sarif": "secrets.sarif"}


@app.command("scan")
@handles_input_errors
def scan(
    paths: Annotated[
        list[Path], typer.Argument(help="Files, folders or git work trees to search.", show_default=False)
    ],
    staged: Annotated[
        bool, typer.Option("--staged", help="Search what is staged for the next commit (the index), for pre-commit.")
    ] = False,
    history: Annotated[
        bool,
        typer.Option(
            "--history",
            help="Also search the whole git history: every commit of every branch, tag, stash and reflog entry "
            "(deleted files included) and unreachable objects.",
        ),
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="COMMIT", help="Search only the commits not reachable from COMMIT (implies --history)."
        ),
    ] = None,
    snapshot: Annotated[
        list[Path] | None,
        typer.Option(
            "--snapshot",
            "-s",
            help="Snapshot of an account (from `iamwarden collect`): its keys are matched (owner, status, last used). "
            "Repeat for several accounts.",
            dir_okay=False,
        ),
    ] = None,
    org_account: Annotated[
        list[str] | None,
        typer.Option("--org-account", metavar="ID", help="An account id of your organization (keys of it are high)."),
    ] = None,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Ask AWS whose each key id is with sts:GetAccessKeyInfo, signed with YOUR credentials (the found keys "
            "are never used).",
        ),
    ] = False,
    formats: Annotated[
        str | None,
        format_option("Comma-separated: console, json, sarif, all. Default: console; json with -o."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Where the file formats go: this file for one format, this folder for several."
        ),
    ] = None,
    suppressions: Annotated[
        Path | None,
        typer.Option(
            "--suppressions",
            help="YAML list of accepted findings (check: secrets.*, resource: <path>#<fingerprint> glob, reason, "
            "expires): a baseline. See docs/secrets.md.",
            dir_okay=False,
        ),
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option(
            "--write-baseline",
            help="Write every current leak as a suppression (reason and 90-day expiry to edit) to this YAML file.",
            dir_okay=False,
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when an unsuppressed finding of this severity or worse exists (critical, high, medium, low, "
            "info). Default: exit 0 whatever is found.",
            metavar="LEVEL",
        ),
    ] = None,
    include_vendored: Annotated[
        bool, typer.Option("--include-vendored", help="Also search node_modules, vendor, .venv and the like.")
    ] = False,
    max_size: Annotated[
        int, typer.Option("--max-size", metavar="MB", min=1, help="Skip files and blobs larger than this (reported).")
    ] = 20,
    show: Annotated[str, typer.Option("--show", metavar="N|all", help="Findings printed on the console.")] = "50",
    quiet: QuietOption = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print examples and every skipped file.")] = False,
    today: Annotated[
        str | None,
        typer.Option("--today", hidden=True, help="Judge suppression expiry as of this date (YYYY-MM-DD); for tests."),
    ] = None,
) -> None:
    """Find AWS access key ids, secret access keys and session tokens in files, folders and git history; say whose
    keys they are (the account decoded from the key id; with --snapshot the user, status and last use; with
    --verify, AWS's answer) without ever using a secret. Values are always masked.

    Exit codes: 0 nothing unsuppressed at or above --fail-on (without --fail-on: always 0); 1 findings at or above
    --fail-on; 2 usage or input error; 3 internal error.

    Examples:

      iamwarden secrets scan . --history --snapshot account.json.gz

      iamwarden secrets scan . --staged --fail-on medium

      iamwarden secrets scan . --history --since origin/main -f sarif -o secrets.sarif
    """
    from iamwarden.analysis.secrets import KnownAccounts, attribute, key_ids
    from iamwarden.checks.suppressions import load_suppressions_file, today_utc
    from iamwarden.cli.scan_cmd import parse_today, wrote_line
    from iamwarden.collect.secrets import ScanOptions, scan_sources
    from iamwarden.collect.secrets.sources import printable
    from iamwarden.report.secrets import (
        apply_suppressions,
        baseline_yaml,
        dumps_json,
        dumps_sarif,
        render,
        summary_line,
        write,
    )
    from iamwarden.report.words import wrap

    chosen = parse_formats(formats or ("json" if output else "console"), FORMATS)
    limit = parse_show(show)
    gate = parse_severity(fail_on, "--fail-on")
    if staged and (history or since):
        raise InputError("command line", Problem("--staged", "reads the index; it does not go with --history/--since"))
    accepted = load_suppressions_file(suppressions) if suppressions else []
    accounts = [_account(path) for path in snapshot or ()]
    options = ScanOptions(
        staged=staged,
        history=history or since is not None,
        since=since,
        include_vendored=include_vendored,
        max_bytes=max_size * 1024 * 1024,
    )
    hits, stats = scan_sources(paths, options)
    verified: dict[str, str | None] = {}
    if verify:
        from iamwarden.collect.secrets.verify import key_accounts

        for key_id, info in key_accounts(key_ids(hits)).items():
            verified[key_id] = info.account
            if info.error:
                err_console.print(
                    f"warning: sts:GetAccessKeyInfo for {key_id[:4]}…{key_id[-4:]}: {info.error}", markup=False
                )
    findings = attribute(hits, KnownAccounts.of(accounts, org_account or ()), verified)
    scanned = {
        "paths": [printable(str(p)) for p in paths],
        "staged": staged,
        "history": options.history,
        "since": since,
        "snapshots": [str(p) for p in snapshot or ()],
        "verified": verify,
        "scanned_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    day = parse_today(today) or today_utc()
    report = apply_suppressions(findings, stats, scanned, accepted, day)
    console = stdout_console(soft_wrap=True)
    if quiet:
        console.print(wrap(f"Secrets scan: {summary_line(report)}", console.width), markup=False, soft_wrap=True)
    elif "console" in chosen:
        render(report, console, show=limit, verbose=verbose)
    written = []
    files = [f for f in chosen if f in FILE_NAMES]
    for name in files:
        if output is not None and len(files) == 1 and not output.is_dir():
            path = output
        else:
            path = (output or Path.cwd()) / FILE_NAMES[name]
        write(path, dumps_json(report) if name == "json" else dumps_sarif(report), f"the {name} report")
        written.append(path)
    if write_baseline is not None:
        write(write_baseline, baseline_yaml(report, day), "the baseline")
        written.append(write_baseline)
    if written and not quiet:
        console.print(wrote_line(written), markup=False)
    if gate is not None:
        failing = report.at_or_above(gate)
        if failing:
            n = len(failing)
            err_console.print(
                f"{n} unsuppressed finding{'s' if n != 1 else ''} at or above {gate.value} (--fail-on): exit 1",
                markup=False,
            )
            raise typer.Exit(1)


def _account(path: Path) -> Account:
    from iamwarden.collect.snapshot import read_snapshot
    from iamwarden.model import build_account

    return build_account(read_snapshot(path))
