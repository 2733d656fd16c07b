"""The examples in --help are commands a reader can paste: at 80 columns a long one is cut between words with
`` \\`` continuations (never rewrapped into the text), its note is a ``#`` comment line above it, and joined back
it is the command of the docstring."""

from __future__ import annotations

import inspect

import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app
from iamwarden.cli.collect_cmd import collect
from iamwarden.cli.detect_cmd import detect
from iamwarden.cli.scan_cmd import scan

runner = CliRunner()


def _docstring_examples(doc: str) -> list[str]:
    lines = inspect.cleandoc(doc).split("Examples:", 1)[1].split("\n\n")
    return [p.strip().split("    (")[0] for p in lines if p.strip().startswith("iamwarden ")]


def _help_examples(text: str) -> list[str]:
    section = text.split("Examples:", 1)[1].split("\n\nArguments:")[0].split("\n\nOptions:")[0]
    commands = []
    for paragraph in section.split("\n\n"):
        lines = [line.strip() for line in paragraph.strip().splitlines() if not line.strip().startswith("#")]
        if lines and lines[0].startswith("iamwarden "):
            assert all(line.endswith(" \\") for line in lines[:-1]), paragraph
            commands.append(" ".join(line.removesuffix(" \\") for line in lines))
    return commands


@pytest.mark.parametrize(("args", "function"), [(["scan"], scan), (["collect"], collect), (["detect"], detect)])
@pytest.mark.parametrize("columns", [80, 200])
def test_examples_paste_as_written(args: list[str], function: object, columns: int) -> None:
    result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    assert _help_examples(result.output) == _docstring_examples(function.__doc__ or "")
    assert all(len(line) <= columns for line in result.output.splitlines())


def test_a_note_becomes_a_comment_above_its_command() -> None:
    result = runner.invoke(app, ["scan", "--help"], env={"COLUMNS": "80"})
    assert "    # an organization: docs/organizations.md\n    iamwarden scan org-bundle/ --output-dir org-report\n" in (
        result.output
    )
