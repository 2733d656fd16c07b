"""``iamwarden policy suggest``: a least-privilege identity policy from what a principal used, and what it removes.

Use comes from service-last-accessed (in the snapshot) at service level and, with ``--cloudtrail``, from the logged
calls at action and resource level (:mod:`iamwarden.analysis.usage`). The policy is checked with our own linter
before it is written. See docs/policy-suggest.md.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from rich.console import Console

from iamwarden.cli.access_cmd import (
    input_name,
    load_account,
)
from iamwarden.cli.consoles import stderr_console, stdout_console
from iamwarden.cli.errors import handles_input_errors
from iamwarden.cli.inputs import AccountIdOption, AuthDetailsOption, ConfigOption, ImportDirOption, SnapshotOption
from iamwarden.cli.options import (
    JsonAliasOption,
    PrincipalOption,
    chosen_format,
    format_option,
    parse_choice,
    verbose_option,
)
from iamwarden.errors import InputError, Problem
from iamwarden.report.words import wrap

if TYPE_CHECKING:
    from iamwarden.collect.cloudtrail import ObservedCall

app = typer.Typer(
    help="Right-sized policies from what principals used.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_LINT_FINDINGS = 1
SHOWN = 12
"""Removed actions listed on the console (``--report`` writes them all)."""
TABLE_SHOWN = 4
"""Unused services named per principal in the ``policy unused`` table (``--json`` lists them all)."""


@app.command("suggest")
@handles_input_errors
def suggest(
    principal: PrincipalOption,
    cloudtrail: Annotated[
        str | None,
        typer.Option(
            "--cloudtrail",
            help="CloudTrail log file or folder (.json/.json.gz as S3 delivers them, a JSON array of events, or "
            "JSON Lines), or s3://BUCKET/PREFIX (read-only): action- and resource-level use.",
            metavar="PATH|S3URL",
        ),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(
            "--days", min=1, help="Use counts within this many days before collection (default: unused_service_days)."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the policy here instead of stdout.", dir_okay=False)
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="Also write the whole comparison (used, removed, notes) as JSON.", dir_okay=False
        ),
    ] = None,
    config: ConfigOption = None,
    snapshot: SnapshotOption = None,
    authorization_details: AuthDetailsOption = None,
    import_dir: ImportDirOption = None,
    account_id: AccountIdOption = None,
    verbose: Annotated[bool, verbose_option("List every problem of bad input.")] = False,
) -> None:
    """Write a least-privilege identity policy from what the --principal used, and list what it would remove.

    The policy goes to --output (or stdout); the comparison with today's grants goes to stderr.

    Exit code 0: written. 1: our linter found an error or security warning in the policy (not written).
    2: bad input. 4: the policy or the comparison could not be written.
    """
    from iamwarden.analysis.context import AnalysisContext
    from iamwarden.analysis.usage import principal_usage, suggest_policy
    from iamwarden.checks.config import load_settings
    from iamwarden.model import Role, User
    from iamwarden.policy.lint import KIND_ORDER, lint_policy_text
    from iamwarden.runtime import write_atomically

    source = input_name(snapshot, authorization_details, import_dir)
    window = days if days is not None else load_settings(config).thresholds.unused_service_days
    calls = None
    if cloudtrail is not None:
        calls = observed_calls(cloudtrail)
    account = load_account(snapshot, authorization_details, import_dir, account_id)
    subject = account.principals_by_arn.get(principal)
    if not isinstance(subject, User | Role):
        raise InputError(
            source, Problem("--principal", f"{principal!r} is not a user or role of account {account.account_id}")
        )
    usage = principal_usage(AnalysisContext(account), subject, days=window, calls=calls)
    if not usage.known:
        raise InputError(
            source,
            Problem(
                "--principal",
                f"no service-last-accessed data for {principal} and no --cloudtrail: use is unknown, nothing suggested",
            ),
        )
    suggestion = suggest_policy(usage)
    err = stderr_console()
    policy_text = ""
    if suggestion.statements:
        policy_text = orjson.dumps(suggestion.policy(), option=orjson.OPT_INDENT_2).decode() + "\n"
        findings = lint_policy_text(policy_text, policy_type="identity", source=str(output or "suggested policy"))
        # an oversized policy is Access Analyzer's WARNING, but IAM refuses to store it: it blocks too
        blocking = [
            f
            for f in findings
            if f.severity >= KIND_ORDER.index("SECURITY_WARNING") or f.code.startswith("POLICY_SIZE_EXCEEDS")
        ]
        if blocking:
            for f in blocking:
                err.print(f"{f.source}:{f.line}:{f.column}: {f.kind} {f.code} {f.message}", markup=False)
            err.print("the suggested policy did not pass the linter: not written", markup=False)
            raise typer.Exit(EXIT_LINT_FINDINGS)
    if report is not None:
        write_atomically(
            report, orjson.dumps(_report(suggestion), option=orjson.OPT_INDENT_2) + b"\n", "the comparison"
        )
    if policy_text:
        if output is not None:
            write_atomically(output, policy_text.encode(), "the policy")
        else:
            typer.echo(policy_text, nl=False)
    _summary(err, suggestion, output)


@app.command("unused")
@handles_input_errors
def unused(
    cloudtrail: Annotated[
        str | None,
        typer.Option(
            "--cloudtrail",
            help="CloudTrail log file or folder, or s3://BUCKET/PREFIX: action-level use (see `policy suggest`).",
            metavar="PATH|S3URL",
        ),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(
            "--days", min=1, help="Use counts within this many days before collection (default: unused_service_days)."
        ),
    ] = None,
    output_format: Annotated[str | None, format_option("text (the default) or json.")] = None,
    json_alias: JsonAliasOption = False,
    config: ConfigOption = None,
    snapshot: SnapshotOption = None,
    authorization_details: AuthDetailsOption = None,
    import_dir: ImportDirOption = None,
    account_id: AccountIdOption = None,
    verbose: Annotated[bool, verbose_option("List every problem of bad input.")] = False,
) -> None:
    """List, per user and role, the granted services and actions unused for N days.

    A principal with neither service-last-accessed data nor CloudTrail logs is listed as unknown, never as clean.
    """
    json_output = parse_choice(chosen_format(output_format, json_alias, "text"), ("text", "json")) == "json"
    from iamwarden.analysis.context import AnalysisContext
    from iamwarden.analysis.usage import account_usage
    from iamwarden.checks.config import load_settings
    from iamwarden.report.tables import plain_table

    window = days if days is not None else load_settings(config).thresholds.unused_service_days
    calls = None
    if cloudtrail is not None:
        calls = observed_calls(cloudtrail)
    account = load_account(snapshot, authorization_details, import_dir, account_id)
    found = [
        (u, u.unused_actions() if u.known else [])
        for u in account_usage(AnalysisContext(account), days=window, calls=calls)
    ]
    if json_output:
        rows = [
            {
                "principal": u.arn,
                "known": u.known,
                "granted_services": list(u.granted_services),
                "used_services": {k: v.isoformat() for k, v in u.used_services.items()},
                "unused_services": list(u.unused_services) if u.known else None,
                "granted_actions": u.granted_actions.bit_count(),
                "unused_actions": actions if u.known else None,
            }
            for u, actions in found
        ]
        doc = {"days": window, "as_of": account.collected_at.isoformat(), "principals": rows}
        typer.echo(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())
        return
    table = plain_table(f"Granted but unused for {window} days (before {account.collected_at:%Y-%m-%d})")
    for column in ("principal", "unused services", "unused actions"):
        table.add_column(column, overflow="fold")
    for u, actions in found:
        if not u.known:
            table.add_row(u.arn, "unknown: no service-last-accessed data, no CloudTrail", "-")
            continue
        names = u.unused_services
        shown = ", ".join(names[:TABLE_SHOWN]) + (f" +{len(names) - TABLE_SHOWN}" if len(names) > TABLE_SHOWN else "")
        table.add_row(
            u.arn,
            f"{len(names)} of {len(u.granted_services)}" + (f": {shown}" if names else ""),
            f"{len(actions)} of {u.granted_actions.bit_count()}",
        )
    stdout_console().print(table)


def _report(suggestion: Any) -> dict[str, Any]:
    usage = suggestion.usage
    return {
        "principal": usage.arn,
        "days": usage.days,
        "as_of": usage.as_of.isoformat(),
        "sources": {"service_last_accessed": usage.service_data, "cloudtrail": usage.cloudtrail},
        "policy": suggestion.policy() if suggestion.statements else None,
        "statements": [{"sid": s.sid, "basis": s.basis} for s in suggestion.statements],
        "used_services": {k: v.isoformat() for k, v in usage.used_services.items()},
        "used_actions": [
            {"action": u.action, "last_seen": u.last_seen.isoformat(), "count": u.count, "resources": list(u.resources)}
            for u in usage.used_actions
        ],
        "granted_services": list(usage.granted_services),
        "removed_services": list(suggestion.removed_services),
        "removed_actions": list(suggestion.removed_actions),
        "unmapped_calls": list(usage.unmapped),
        "used_but_not_granted": list(usage.not_granted),
        "notes": list(suggestion.notes),
    }


def _summary(err: Console, suggestion: Any, output: Path | None) -> None:
    usage = suggestion.usage
    sources = " and ".join(
        name for name, on in (("service-last-accessed", usage.service_data), ("CloudTrail", usage.cloudtrail)) if on
    )
    lines = [
        f"{usage.arn}: use within {usage.days} days before {usage.as_of:%Y-%m-%d} from {sources}",
        f"used: {len(usage.used_services)} of {len(usage.granted_services)} granted services"
        + (f", {len(usage.used_actions)} actions seen in CloudTrail" if usage.cloudtrail else ""),
    ]
    if suggestion.statements:
        where = str(output) if output is not None else "stdout"
        lines.append(f"policy: {len(suggestion.statements)} statements written to {where} (linter: no error)")
    else:
        lines.append("policy: nothing used in the window; no policy written: every grant can go")
    removed = suggestion.removed_actions
    lines.append(
        f"would remove: {len(suggestion.removed_services)} services, {len(removed)} actions"
        + (f" ({', '.join(removed[:SHOWN])}{', ...' if len(removed) > SHOWN else ''})" if removed else "")
    )
    if suggestion.removed_services:
        shown = suggestion.removed_services[:SHOWN]
        more = len(suggestion.removed_services) - len(shown)
        lines.append(f"services removed: {', '.join(shown)}" + (f" and {more} more" if more else ""))
    lines += [f"note: {n}" for n in suggestion.notes]
    if usage.unmapped:
        lines.append(f"note: calls naming no catalogue action (left out): {', '.join(usage.unmapped)}")
    if usage.not_granted:
        lines.append(f"note: used but not granted by identity policies (left out): {', '.join(usage.not_granted)}")
    for line in lines:  # a summary for a person (stdout is the policy): wrapped at the terminal's width
        err.print(wrap(line, err.width), markup=False, soft_wrap=True)


def observed_calls(source: str) -> list[ObservedCall]:
    """The calls logged at ``source``: a file or folder, or ``s3://BUCKET/PREFIX`` (the log files are fetched into a
    temporary folder, read, then deleted)."""
    from iamwarden.collect.cloudtrail import TrailFilter, read_calls
    from iamwarden.collect.cloudtrail_remote import is_s3_url, s3_files

    if not is_s3_url(source):
        return read_calls(Path(source))
    with tempfile.TemporaryDirectory(prefix="iamwarden-trail-") as folder:
        files = list(s3_files(source, TrailFilter(), Path(folder)))
        if not files:
            raise InputError(source, Problem("", "no CloudTrail log files under this prefix"))
        return read_calls(files)
