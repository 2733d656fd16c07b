"""How every command reports bad input (one line on stderr and exit code 2) and an output it could not write (one
line, exit code 4).

Kept apart from :mod:`iamwarden.cli.app` so that a command module can be imported on its own (``app.py`` imports
every command module inside ``_register()``; a command module importing ``app`` at its top would be a cycle when it
is imported first). ``app.py`` re-exports both names.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import typer

from iamwarden.cli.consoles import stderr_console
from iamwarden.errors import EXIT_INPUT_ERROR, EXIT_OUTPUT_ERROR, InputError, OutputError

P = ParamSpec("P")
R = TypeVar("R")

err_console = stderr_console()


def handles_input_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn an :class:`InputError` into one line on stderr and exit code 2 (all problems with ``--verbose``), an
    :class:`OutputError` into one line and exit code 4."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            lines = exc.all_lines() if kwargs.get("verbose") else [exc.one_line()]
            for line in lines:
                err_console.print(f"error: {line}", markup=False)
            raise typer.Exit(EXIT_INPUT_ERROR) from None
        except OutputError as exc:
            err_console.print(f"error: {exc.one_line()}", markup=False)
            raise typer.Exit(EXIT_OUTPUT_ERROR) from None

    return wrapper
