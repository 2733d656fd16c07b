"""Every command's --help follows docs/cli.md at 80 columns: nothing cut, no Python types or markup placeholders,
every option written whole; usage errors are one line; one meaning per short flag across commands."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import typer
from typer import _click as click
from typer.core import TyperGroup, TyperOption
from typer.testing import CliRunner

from iamwarden.cli.app import app
from iamwarden.cli.conventions import conform

runner = CliRunner()
NARROW = {"COLUMNS": "80"}


def _commands() -> Iterator[tuple[list[str], click.core.Command]]:
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    conform(root)

    def walk(group: TyperGroup, path: list[str]) -> Iterator[tuple[list[str], click.core.Command]]:
        context = click.core.Context(group)
        for name in group.list_commands(context):  # the root loads each command on lookup (cli/app.py)
            command = group.get_command(context, name)
            assert command is not None
            yield [*path, name], command
            if isinstance(command, TyperGroup):
                yield from walk(command, [*path, name])

    yield [], root
    yield from walk(root, [])


COMMANDS = list(_commands())


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "iamwarden")
def test_help_is_plain_whole_and_typeless(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"], env=NARROW)
    assert result.exit_code == 0, result.output
    text = result.output
    assert max(len(line) for line in text.splitlines()) <= 80
    for bad in ("<bool>", "<str>", "<int", "list[", "<file>", "…"):
        assert bad not in text, f"{bad!r} in the help of {' '.join(path)}"
    assert not re.search(r"\{[a-z_]+\}", text), "argument names in braces"
    assert not re.search(r"[a-z,]\.\.\.$", text, re.M), "a sentence cut short"
    assert not re.search(r"\w-\n\s*\w", text), "a word split at a hyphen"
    command = dict((tuple(p), c) for p, c in COMMANDS)[tuple(path)]
    for param in command.params:
        if isinstance(param, TyperOption) and not param.hidden:
            for name in param.opts:
                assert re.search(rf"(^|[\s,]){re.escape(name)}([\s,]|$)", text, re.M), f"{name} not whole"


def test_placeholders_say_what_the_value_is() -> None:
    """A placeholder is a declared word (``ID``, ``LEVEL``, ``ARN``) or one conform derives from the type, never a
    Python parameter name (``FAIL_ON_NEW``, ``ACCOUNT_ID``; ``SOURCE`` for ``--from``)."""
    leaked = []
    for path, command in COMMANDS:
        for param in command.params:
            if isinstance(param, TyperOption) and not param.hidden and param.metavar:
                longest = max(param.opts, key=len).lstrip("-").replace("-", "_")
                named = param.name is not None and param.metavar == param.name.upper()
                if ("_" in param.metavar and param.metavar.isupper()) or (named and param.name != longest):
                    leaked.append(f"{' '.join(path)} {param.opts[-1]} {param.metavar}")
    assert not leaked, leaked


def test_commands_listed_with_scan_first() -> None:
    text = runner.invoke(app, ["--help"], env=NARROW).output
    listed = re.findall(r"^  ([a-z-]+)  ", text.split("Commands:")[1], re.M)
    assert listed[0] == "scan"


def test_brackets_in_help_are_text() -> None:
    assert "[[suppressions]]" in runner.invoke(app, ["scan", "--help"], env=NARROW).output


def test_one_meaning_per_short_flag() -> None:
    meaning: dict[str, set[str]] = {}
    for _, command in COMMANDS:
        for param in command.params:
            if isinstance(param, TyperOption):
                longs = [o for o in param.opts if o.startswith("--")]
                for short in (o for o in param.opts if not o.startswith("--")):
                    meaning.setdefault(short, set()).update(longs or ["(hidden alias)"])
    meaning.pop("-p", None) if meaning.get("-p") == {"--principal", "(hidden alias)"} else None
    several = {short: longs for short, longs in meaning.items() if len(longs) > 1}
    assert not several, several


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["scan", "--bogus"], "error: No such option: --bogus"),
        (["paths", "--max-hops", "0"], "error: Invalid value for '--max-hops'"),
        (["scan", "-s"], "error: Option '-s' requires an argument."),
    ],
)
def test_usage_errors_are_one_error_line(args: list[str], expected: str) -> None:
    result = runner.invoke(app, args, env=NARROW)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected), result.output


def test_json_alias_still_works() -> None:
    from tests.cli.test_paths_cmd import DEMO  # the demo snapshot

    old = runner.invoke(app, ["paths", "--snapshot", str(DEMO), "--json"])
    new = runner.invoke(app, ["paths", "--snapshot", str(DEMO), "--format", "json"])
    assert old.exit_code == 0 and old.output == new.output and old.output.startswith("{")
