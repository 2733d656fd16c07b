"""The errors iamwarden raises for bad input.

Exception tree::

    IamwardenError
     └── InputError          bad input from the user: a file, an option; carries every Problem found
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
