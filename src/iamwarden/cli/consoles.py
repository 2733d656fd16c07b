"""The consoles every command prints with: the terminal's width when there is one, ``COLUMNS`` when it is set, and a
wide layout otherwise (a CI log or a file), so that nothing is cut or wrapped at 80 columns when output is piped."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from rich.console import Console

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
