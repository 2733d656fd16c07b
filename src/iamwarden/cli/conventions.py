"""How every command's help and usage errors look (docs/cli.md), applied to the whole command tree in one place.

- Help is click's plain layout (the same in a terminal and a CI log, wrapped at the terminal's width or ``COLUMNS``,
  at most :data:`HELP_WIDTH`), never cut: option names are written whole, words are not split at hyphens
  (``--fail-on`` stays one word), and brackets in help text are text (``[[suppressions]]``), not markup.
- A value's placeholder is a word in capitals: the command's own ``metavar`` when it declares one, else ``FILE``,
  ``DIR`` or ``PATH`` for paths, ``N`` for numbers, ``a|b|c`` for choices and the option's name in capitals for
  text (``--account-id ACCOUNT_ID``). Switches show none. Arguments are ``NAME`` (``NAME...`` for several).
- A usage error (an unknown option, a missing value) is one line on stderr, ``error: ...`` with where to find the
  help, and exit code 2: the same shape as bad input (:mod:`iamwarden.cli.errors`).

:class:`WardenGroup` is the root group's class; when it runs it gives every command under it (commands other
modules register included) the class of its kind below, so no command has to remember to. It builds on typer's
own copy of click (``typer._click``, typer >= 0.29), which is why pyproject.toml pins typer's minor version.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, get_args

from typer import _click as click  # typer >= 0.29 carries its own click (pinned in pyproject.toml)
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.exceptions import Abort

HELP_WIDTH = 120
"""The widest help text gets in a wide terminal (click's default is 80)."""

_HYPHEN = "-"
_KEEP = "\u2011"  # a non-breaking hyphen stands in for "-" while click wraps text, so words are not split at hyphens


class HelpFormatter(click.formatting.HelpFormatter):
    """click's formatter, except that words containing hyphens are never split across lines."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(_keep(prog), _keep(args), prefix)

    def write_text(self, text: str) -> None:
        super().write_text(_keep(text))

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(_keep(a), _keep(b)) for a, b in rows], col_max, col_spacing)

    def getvalue(self) -> str:
        return super().getvalue().replace(_KEEP, _HYPHEN)


def _keep(text: str) -> str:
    return text.replace(_HYPHEN, _KEEP)


class Context(click.core.Context):
    formatter_class = HelpFormatter


class WardenCommand(TyperCommand):
    """A command with the house help layout (see the module docstring)."""

    context_class = Context

    def format_help_text(self, ctx: click.core.Context, formatter: click.formatting.HelpFormatter) -> None:
        """The docstring as click writes it, except that each example (a paragraph starting ``iamwarden ``) is a
        command a reader can paste: never rewrapped into the text, cut with `` \\`` continuations at the width, and
        its note (after four spaces: ``    (a note)``) as a ``#`` comment line above it."""
        if self.help is None:
            return
        text = inspect.cleandoc(self.help).partition("\f")[0]
        width = max(formatter.width - formatter.current_indent - 4, 40)
        paragraphs = [_example(p, width) for p in text.split("\n\n")]
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text("\n\n".join(paragraphs))

    def collect_usage_pieces(self, ctx: click.core.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument) and not param.hidden:
                name = _argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: click.core.Context, formatter: click.formatting.HelpFormatter) -> None:
        arguments = [
            (_argument_name(p), p.help or "")
            for p in self.get_params(ctx)
            if isinstance(p, TyperArgument) and not p.hidden
        ]
        options = [r for p in self.get_params(ctx) if isinstance(p, TyperOption) and (r := p.get_help_record(ctx))]
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)


def _example(paragraph: str, width: int) -> str:
    """An example paragraph (``  iamwarden ...``) as a verbatim block (click's ``\\b``): its note as a comment line,
    the command cut between words with `` \\`` at ``width`` columns; any other paragraph unchanged."""
    stripped = paragraph.strip()
    if not stripped.startswith("iamwarden ") or "\n" in stripped:
        return paragraph
    indent = paragraph[: len(paragraph) - len(paragraph.lstrip())]
    command, _, note = stripped.partition("    (")
    lines = [f"{indent}# {note.rstrip(')').strip()}"] if note else []
    line = ""
    for word in command.split():
        if line and len(line) + 1 + len(word) > width - 2:
            lines.append(f"{indent}{line} \\")
            line = "    " + word
        else:
            line = f"{line} {word}" if line else word
    lines.append(f"{indent}{line}")
    return "\b\n" + "\n".join(lines)


def _argument_name(param: TyperArgument) -> str:
    return _placeholder(param) + ("..." if param.nargs != 1 else "")


class WardenGroup(TyperGroup):
    """A group of commands with the house help layout, listing commands in the order they were registered, each with
    the first sentence of its help, wrapped rather than cut."""

    context_class = Context
    format_help_text = WardenCommand.format_help_text

    def format_commands(self, ctx: click.core.Context, formatter: click.formatting.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        conform(self)
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # a group named alone: its help, as with --help
            click.utils.echo(exc.format_message())
            sys.exit(0)
        except click.exceptions.UsageError as exc:
            sys.exit(_usage_error(exc))
        except click.exceptions.ClickException as exc:
            click.utils.echo(f"error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except Abort:
            click.utils.echo("aborted", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _usage_error(exc: click.exceptions.UsageError) -> int:
    """``error: No such option: --foo (see 'iamwarden scan --help')``: one line, exit code 2."""
    message = " ".join(exc.format_message().split())
    where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
    click.utils.echo(f"error: {message}{where}", err=True)
    return exc.exit_code


def conform(group: TyperGroup) -> None:
    """Give every command under ``group`` the house classes and placeholders (idempotent)."""
    for command in _walk(group):
        if type(command) is TyperGroup:
            command.__class__ = WardenGroup
        elif type(command) is TyperCommand:
            command.__class__ = WardenCommand
        for param in command.params:
            _set_placeholder(param)


def _walk(group: TyperGroup) -> Iterator[click.core.Command]:
    for command in group.commands.values():
        yield command
        if isinstance(command, TyperGroup):
            yield from _walk(command)


def _set_placeholder(param: click.core.Parameter) -> None:
    if not isinstance(param, TyperOption | TyperArgument):
        return
    if isinstance(param, TyperOption) and (param.is_flag or param.count):
        return
    if param.metavar is None:
        param.metavar = _placeholder(param)


def _placeholder(param: TyperOption | TyperArgument) -> str:
    if param.metavar is not None and param.metavar.replace("|", "").replace("_", "").isalnum():
        return param.metavar
    if isinstance(param, TyperArgument):
        return (param.name or "value").upper()
    kind = param.type_descriptor
    if kind.is_choice:
        return "|".join(str(getattr(c, "value", c)) for c in kind.choices or ())
    element = (get_args(kind.annotation) or (kind.annotation,))[0] if kind.is_list else kind.annotation
    if kind.is_path or element is Path:
        info = kind.parameter_info
        return "FILE" if not info.dir_okay else "DIR" if not info.file_okay else "PATH"
    if element in (int, float):
        return "N"
    return (param.name or "value").upper()
