"""The consoles every command prints with: the terminal's width when there is one, ``COLUMNS`` when it is set, and a
wide layout otherwise (a CI log or a file), so that nothing is cut or wrapped at 80 columns when output is piped."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from rich.console import Console
from rich.text import Text

PIPED_WIDTH = 240
"""The width of output going to a file or a pipe when ``COLUMNS`` does not say otherwise: tables take only the width
they need, and text lines this long are rarely wrapped."""


def width_for(stream: TextIO) -> int | None:
    """``None`` (the terminal's width, or ``COLUMNS``) when ``stream`` is a terminal or ``COLUMNS`` is set; else
    :data:`PIPED_WIDTH`."""
    if os.environ.get("COLUMNS", "").strip().isdigit():
        return None
    try:
        if stream.isatty():
            return None
    except (AttributeError, ValueError):  # a closed or unusual stream: treat it as a file
        pass
    return PIPED_WIDTH


def stdout_console(*, soft_wrap: bool = False) -> Console:
    """The console a command prints its results on (stdout)."""
    return Console(highlight=False, soft_wrap=soft_wrap, width=width_for(sys.stdout))


def stderr_console() -> Console:
    """The console of errors, warnings and progress (stderr): one line per message, never wrapped."""
    return Console(stderr=True, highlight=False, soft_wrap=True, width=width_for(sys.stderr))


def print_wrapped(console: Console, text: str | Text, *, indent: int = 0, hanging: int = 2) -> None:
    """``text`` (rich markup when a string) wrapped at ``console``'s width between words (a word longer than a
    line is folded, never cut): the first line
    indented by ``indent`` spaces, the others by ``indent + hanging``, styles kept. At a wide layout (piped, no
    ``COLUMNS``) it is one line as before."""
    body = Text.from_markup(text) if isinstance(text, str) else text
    width = max(console.width - indent - hanging, 30)
    lines = body.wrap(console, width, overflow="fold") if body.cell_len > width + hanging else [body]
    for number, line in enumerate(lines):
        line.rstrip()
        pad = indent if number == 0 else indent + hanging
        console.print(Text(" " * pad) + line, soft_wrap=True, highlight=False)
