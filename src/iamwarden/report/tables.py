"""The one table style of the console: a header over a single rule, no box around it, columns a space apart
(scan's scorecard and failing checks, and every other command's tables), so that output reads the same in a
terminal, a file and a CI log and keeps as many columns as it can for the text."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table


def plain_table(title: str | None = None, **options: Any) -> Table:
    """A table in the console's style, its title (if any) on the left above it; ``options`` go to rich's ``Table``
    (``show_lines=True`` puts a blank line between rows)."""
    return Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        **options,
    )
