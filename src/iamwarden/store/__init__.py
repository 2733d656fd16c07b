"""The scan history: recorded scans of accounts in a database the user owns (SQLite or PostgreSQL), and the changes
between any two points of it (see docs/history.md).

* :mod:`.database` - where the database is, connecting, migrating it on open (Alembic), and :class:`StoreError`
* :mod:`.schema` - the tables (SQLAlchemy Core)
* :mod:`.content` - what is kept of a scan (:class:`ScanContent`), taken from the account and the assessment
* :mod:`.history` - recording, listing, pruning and reading back scans (:class:`History`)
* :mod:`.diff` - what changed between two scans: IAM entities (with the policy engine) and findings
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from iamwarden.store.content import ScanContent, scan_content
from iamwarden.store.database import ENV_VAR, StoreError, database_url, default_db_path, describe
from iamwarden.store.history import History, ScanRecord, TrendPoint

if TYPE_CHECKING:
    from iamwarden.checks.runner import Assessment
    from iamwarden.collect.snapshot import Snapshot

__all__ = [
    "ENV_VAR",
    "History",
    "ScanContent",
    "ScanRecord",
    "StoreError",
    "TrendPoint",
    "database_url",
    "default_db_path",
    "describe",
    "record_scan",
    "scan_content",
    "snapshot_hash",
]


def snapshot_hash(snapshot: Snapshot) -> str:
    """SHA-256 of the snapshot's JSON as iamwarden writes it (the same whether the file was gzip-compressed or not)."""
    from iamwarden.collect.snapshot import dumps_snapshot

    return hashlib.sha256(dumps_snapshot(snapshot)).hexdigest()


def record_scan(
    history: History, snapshot: Snapshot, assessment: Assessment, snapshot_path: Path | None
) -> tuple[ScanRecord, ScanContent]:
    """Record the scan of ``snapshot`` in ``history`` (one transaction); the record and what was recorded."""
    from iamwarden import __version__

    content = scan_content(assessment.account, assessment)
    record = history.record(
        content,
        tool_version=__version__,
        snapshot_hash=snapshot_hash(snapshot),
        snapshot_path=str(snapshot_path.resolve()) if snapshot_path is not None else None,
        source=snapshot.source,
    )
    return record, content
