"""The ``iamwarden`` command line: one typer app, every command registered here explicitly and imported when it runs."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from difflib import get_close_matches
from typing import Annotated, Any

import typer
import typer.main
from typer import _click as click

from iamwarden.cli.conventions import HELP_WIDTH, WardenGroup, conform
from iamwarden.cli.errors import err_console, handles_input_errors

__all__ = ["app", "err_console", "handles_input_errors", "main"]

_SETTINGS: dict[str, Any] = {
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
}
"""What the root app and each command's one-command app share, so a command built on first use is built as the
root's own registration would build it."""


class _LazyGroup(WardenGroup):
    """The root group: lists every command in :data:`_COMMANDS` order and imports a command's module only when that
    command is looked up (to run it, or to list it in the root ``--help``), so ``iamwarden scan`` does not import
    the other commands' modules at start."""

    def list_commands(self, ctx: click.core.Context) -> list[str]:
        return [*_COMMANDS, *(name for name in self.commands if name not in _COMMANDS)]

    def get_command(self, ctx: click.core.Context, cmd_name: str) -> click.core.Command | None:
        if cmd_name not in self.commands and cmd_name in _COMMANDS:
            self.commands[cmd_name] = _load(cmd_name)
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.core.Context, args: list[str]
    ) -> tuple[str | None, click.core.Command | None, list[str]]:
        """typer's "Did you mean ...?" for a mistyped command, from every command rather than the ones loaded."""
        try:
            return self._click_resolve_command(ctx, args)
        except click.exceptions.UsageError as exc:
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args and self.suggest_commands else []
            if matches:
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {', '.join(repr(m) for m in matches)}?"
            raise


app = typer.Typer(
    name="iamwarden",
    help="Assess an AWS account against the IAM best practices, with evidence, offline or live (read-only).",
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": HELP_WIDTH},
    **_SETTINGS,
)


def _version_callback(value: bool) -> None:
    if value:
        from iamwarden import __version__

        typer.echo(f"iamwarden {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Assess an AWS account against the IAM best practices, with evidence, offline or live (read-only)."""


def _scan(app: typer.Typer) -> None:
    from iamwarden.cli import scan_cmd

    app.command("scan")(scan_cmd.scan)


def _paths(app: typer.Typer) -> None:
    from iamwarden.cli import paths_cmd

    app.command("paths")(paths_cmd.paths)


def _access(app: typer.Typer) -> None:
    from iamwarden.cli import access_cmd

    app.command("access")(access_cmd.access)


def _who_can(app: typer.Typer) -> None:
    from iamwarden.cli import who_can_cmd

    app.command("who-can")(who_can_cmd.who_can)


def _simulate(app: typer.Typer) -> None:
    from iamwarden.cli import simulate_cmd

    app.command("simulate")(simulate_cmd.simulate)


def _policy(app: typer.Typer) -> None:
    from iamwarden.cli import policy_cmd

    app.add_typer(policy_cmd.app, name="policy")


def _secrets(app: typer.Typer) -> None:
    from iamwarden.cli import secrets_cmd

    app.add_typer(secrets_cmd.app, name="secrets")


def _detect(app: typer.Typer) -> None:
    from iamwarden.cli import detect_cmd

    app.command("detect")(detect_cmd.detect)


def _lint(app: typer.Typer) -> None:
    from iamwarden.cli import lint_cmd

    app.command("lint")(lint_cmd.lint)


def _collect(app: typer.Typer) -> None:
    from iamwarden.cli import collect_cmd

    app.command("collect")(collect_cmd.collect)


def _snapshot(app: typer.Typer) -> None:
    from iamwarden.cli import snapshot_cmd

    app.add_typer(snapshot_cmd.app, name="snapshot")


def _history(app: typer.Typer) -> None:
    from iamwarden.cli import history_cmd

    app.add_typer(history_cmd.app, name="history")


def _diff(app: typer.Typer) -> None:
    from iamwarden.cli import diff_cmd

    app.command("diff")(diff_cmd.diff)


_COMMANDS: dict[str, Callable[[typer.Typer], None]] = {
    "scan": _scan,
    "paths": _paths,
    "access": _access,
    "who-can": _who_can,
    "simulate": _simulate,
    "detect": _detect,
    "lint": _lint,
    "collect": _collect,
    "diff": _diff,
    "policy": _policy,
    "secrets": _secrets,
    "snapshot": _snapshot,
    "history": _history,
}
"""Every command, listed explicitly (no registration by import side effect), in the order ``--help`` lists them:
the scan first, then the questions about one account, the files and snapshots; then the groups of commands. Each
entry registers its command on the app it is given, importing the command's module only then."""


def _load(name: str) -> click.core.Command:
    """The command ``name``, built by typer as the root app would build it, with the house classes."""
    one = typer.Typer(cls=WardenGroup, **_SETTINGS)
    _COMMANDS[name](one)
    group = typer.main.get_group(one)
    conform(group)
    return group.commands[name]


def main() -> None:
    """Console-script entry point. Unexpected errors exit 3 with a bug-report hint, never a bare traceback."""
    try:
        _run()
    finally:
        # The process ends with the command: the cyclic collector's last passes over everything the command built
        # would free nothing the exit does not, and take seconds on a large account (2.6 s of CPU after the analysis
        # of 7,000 principals in benchmarks/least_privilege.py). Frozen objects are left to the exit.
        gc.freeze()


def _run() -> None:
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # last line of defence: the user gets a line, not a traceback
        err_console.print(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in iamwarden; please report it with the command you ran "
            "(set IAMWARDEN_DEBUG=1 to see the traceback).",
            markup=False,
        )
        if _debug():
            raise
        sys.exit(3)


def _debug() -> bool:
    import os

    return os.environ.get("IAMWARDEN_DEBUG", "") not in ("", "0")
