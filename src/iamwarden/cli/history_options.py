"""The history options ``scan`` and ``collect`` share (``--record``, ``--db``), and recording a scan from a command.

Declared once here so their names and help stay the same everywhere (``history`` and ``diff`` take ``--db`` too).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from iamwarden.checks.runner import Assessment
    from iamwarden.collect.snapshot import Snapshot
    from iamwarden.report.trends import HistoryView
    from iamwarden.store import ScanRecord, StoreError

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="History database: an SQLite file, or postgresql://user@host:port/db. Default: $IAMWARDEN_DB, else "
        "history.sqlite in your data directory (docs/history.md).",
        show_default=False,
    ),
]
RecordOption = Annotated[
    bool,
    typer.Option(
        "--record",
        help="Also record this scan in the history database (--db), for `iamwarden history` and `iamwarden diff`.",
    ),
]


@dataclass(frozen=True, slots=True)
class Recording:
    """A scan recorded (or not: ``error``) before the reports are written, and the history the HTML report shows."""

    where: str
    record: ScanRecord | None = None
    history: HistoryView | None = None
    error: StoreError | None = None

    def finish(self, console: Console | None) -> None:
        """Say where the scan was recorded (unless ``console`` is ``None``: ``--quiet``), or raise the database's
        error now that the reports are written (one line, exit 2)."""
        if self.error is not None:
            raise self.error
        if console is not None and self.record is not None:
            console.print(
                f"recorded scan {self.record.id} of account {self.record.account_id} in {self.where}", markup=False
            )


def record_scan_before_reports(
    db: str | None, snapshot: Snapshot, assessment: Assessment, source: Path | None, *, trends: bool
) -> Recording:
    """Record the scan (one transaction) and, with ``trends``, read the history the HTML report shows (and the JSON
    report's first-seen dates). A database problem is kept in the result, so the reports are still written before
    the command fails."""
    from iamwarden.runtime import gc_paused
    from iamwarden.store import History, StoreError, database_url, describe, record_scan

    where = describe(database_url(db))
    try:
        # rows, documents and diffs form no cycles; the collector's passes over the account cost seconds
        with gc_paused(), History.open(db) as history:
            done, content = record_scan(history, snapshot, assessment, source)
            view = None
            if trends:
                from iamwarden.report.trends import history_view

                view = history_view(history, content, done.id)
    except StoreError as exc:
        return Recording(where, error=exc)
    return Recording(where, done, view)
