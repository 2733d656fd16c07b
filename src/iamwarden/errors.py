"""The errors iamwarden raises on purpose, and the exit code each one ends a command with.

Exception tree::

    IamwardenError
     ├── InputError          bad input from the user: a file, an option; carries every Problem found   (exit 2)
     └── OutputError         a file iamwarden was asked to write could not be written                   (exit 4)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson


class IamwardenError(Exception):
    """Base of every error iamwarden raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, and where it is (a JSON path such as ``$.calls["iam:X"]``, or ``line 4``)."""

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


class InputError(IamwardenError):
    """Bad input. ``str()`` gives the one-line form: the file, the first problem's place and what is wrong."""

    def __init__(self, source: str, problems: list[Problem] | Problem) -> None:
        self.source = source
        self.problems: list[Problem] = problems if isinstance(problems, list) else [problems]
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        super().__init__(self.one_line())

    def one_line(self) -> str:
        first = self.problems[0]
        more = len(self.problems) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''}; --verbose lists them)" if more else ""
        return f"{self.source}: {first}{tail}"

    def all_lines(self) -> list[str]:
        return [f"{self.source}: {p}" for p in self.problems]


class OutputError(IamwardenError):
    """An output (a report, a snapshot, a policy) could not be written: the input was fine, the destination is not
    (a read-only folder, a full disk, a directory where the file should be). ``str()`` names the file and why."""

    def __init__(self, destination: str, message: str) -> None:
        self.destination = destination
        self.message = message
        super().__init__(self.one_line())

    def one_line(self) -> str:
        return f"{self.destination}: {self.message}"


EXIT_FINDINGS = 1
"""A command found what it gates on: ``scan --fail-on`` failures, ``lint`` warnings or errors."""
EXIT_INPUT_ERROR = 2
"""Bad input (:class:`InputError`), or a bad option."""
EXIT_INTERNAL_ERROR = 3
"""A bug in iamwarden: an exception nobody raised on purpose."""
EXIT_OUTPUT_ERROR = 4
"""An output could not be written (:class:`OutputError`)."""


def json_path(loc: tuple[int | str, ...] | list[int | str]) -> str:
    """``("calls", "iam:X", 3)`` -> ``$.calls["iam:X"][3]``: the place of a problem, as users read it."""
    out = "$"
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}"
        else:
            out += "[" + orjson.dumps(part).decode() + "]"
    return out


def read_input_text(path: Path) -> str:
    """The UTF-8 text of an input file the user named; a missing or unreadable file is an :class:`InputError`
    naming it."""
    source = str(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(source, Problem("", "no such file")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(source, Problem("", f"cannot read: {exc}")) from None
