"""The history database's tables, as SQLAlchemy Core objects (one schema for SQLite and PostgreSQL).

The migrations in ``migrations/versions`` create these tables; this module describes the newest schema for queries.
A test compares the two (``tests/store/test_migrations.py``).

``scans``           one row per recorded scan: when, which account and organization, which iamwarden, which snapshot
``results``         every result of a scan: the finding's stable id, check, resource, status, severity, suppressed
``practice_scores`` each practice's score and counts per scan (what the trend chart draws)
``entities``        the IAM entities of the scan's snapshot, one row per (kind, key), pointing at a blob of facts
``blobs``           content-addressed JSON: entity facts and policy documents, stored once however many scans share
                    them (a daily scan of an account that barely changes adds rows, not documents)
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

scans = Table(
    "scans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("collected_at", DateTime(timezone=True), nullable=False),
    Column("account_id", String(12), nullable=False),
    Column("org_id", String(64), nullable=True),
    Column("tool_version", String(64), nullable=False),
    Column("snapshot_hash", String(64), nullable=False),
    Column("snapshot_path", Text, nullable=True),
    Column("source", String(32), nullable=False),
    Index("ix_scans_account_collected", "account_id", "collected_at"),
)

results = Table(
    "results",
    metadata,
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("finding_id", String(32), primary_key=True),
    Column("check_id", String(128), nullable=False),
    Column("resource", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("suppressed", Boolean, nullable=False),
    Index("ix_results_finding", "finding_id", "status"),
)

practice_scores = Table(
    "practice_scores",
    metadata,
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("practice", Integer, primary_key=True),
    Column("score", Integer, nullable=True),
    Column("passed", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("unknown", Integer, nullable=False),
    Column("suppressed", Integer, nullable=False),
)

entities = Table(
    "entities",
    metadata,
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("digest", String(64), nullable=False),
)

blobs = Table(
    "blobs",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("body", Text, nullable=False),
)

TABLES = ("scans", "results", "practice_scores", "entities", "blobs")
