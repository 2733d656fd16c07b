"""The history database's tables, as SQLAlchemy Core objects (one schema for SQLite and PostgreSQL).

The migrations in ``migrations/versions`` create these tables; this module describes the newest schema for queries.
A test compares the two (``tests/store/test_migrations.py``).

``scans``           one row per recorded scan: when, which account and organization, which iamwarden, which snapshot
``findings``        each finding once: its stable id (``iw-...``), check and resource
``scan_results``    every result of a scan: the finding, its status, severity (small integer codes, named in
                    ``result_statuses`` and ``severities``) and whether it was suppressed
``first_failures``  when each finding of each account first failed (unsuppressed), kept up to date on record
``practice_scores`` each practice's score and counts per scan (what the trend chart draws)
``entity_keys``     each IAM entity once: its kind (user, role, group, policy, key, mfa, admin, escalation) and key
``scan_entities``   the entities of a scan's snapshot, each pointing at the blob of its facts that day
``scan_documents``  the policy documents a scan's entities refer to (so blobs no scan uses can be pruned)
``blob_store``      content-addressed JSON (entity facts and policy documents), stored once however many scans share
                    it: a daily scan of an account that barely changes adds small rows of integers, not documents
``result_statuses`` / ``severities``  the names of the codes ``scan_results`` stores (for SQL written by hand)

The per-scan tables (``scan_results``, ``scan_entities``, ``scan_documents``) are SQLite ``WITHOUT ROWID`` tables: a
row lives once, in its primary key's B-tree, instead of in the table and again in the key's index. With the codes,
a result costs about 16 bytes in SQLite instead of 65 (a scan of 76,000 results: 1.2 MiB instead of 4.7 MiB).
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
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
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

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("finding_id", String(32), nullable=False, unique=True),
    Column("check_id", String(128), nullable=False),
    Column("resource", Text, nullable=False),
)

STATUS_CODES = {"pass": 1, "fail": 2, "unknown": 3, "not_applicable": 4}
"""How ``scan_results.status`` stores a result's status (fixed: recorded databases hold these numbers)."""
SEVERITY_CODES = {"critical": 1, "high": 2, "medium": 3, "low": 4, "info": 5}
"""How ``scan_results.severity`` stores a severity (fixed as well)."""
STATUS_NAMES = {code: name for name, code in STATUS_CODES.items()}
SEVERITY_NAMES = {code: name for name, code in SEVERITY_CODES.items()}

scan_results = Table(
    "scan_results",
    metadata,
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("finding", Integer, ForeignKey("findings.id"), primary_key=True),
    Column("status", SmallInteger, nullable=False),
    Column("severity", SmallInteger, nullable=False),
    Column("suppressed", Boolean, nullable=False),
    sqlite_with_rowid=False,
)

result_statuses = Table(
    "result_statuses",
    metadata,
    Column("code", SmallInteger, primary_key=True, autoincrement=False),
    Column("name", String(16), nullable=False, unique=True),
)

severities = Table(
    "severities",
    metadata,
    Column("code", SmallInteger, primary_key=True, autoincrement=False),
    Column("name", String(16), nullable=False, unique=True),
)

first_failures = Table(
    "first_failures",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("finding", Integer, ForeignKey("findings.id"), primary_key=True),
    Column("first_at", DateTime(timezone=True), nullable=False),
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

entity_keys = Table(
    "entity_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("key", Text, nullable=False),
    UniqueConstraint("kind", "key", name="uq_entity_keys_kind_key"),
)

blob_store = Table(
    "blob_store",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("body", Text, nullable=False),
)

scan_entities = Table(
    "scan_entities",
    metadata,
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("entity", Integer, ForeignKey("entity_keys.id"), primary_key=True),
    Column("blob", Integer, ForeignKey("blob_store.id"), nullable=False),
    Index("ix_scan_entities_blob", "blob"),
    sqlite_with_rowid=False,
)

scan_documents = Table(
    "scan_documents",
    metadata,
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("blob", Integer, ForeignKey("blob_store.id"), primary_key=True),
    Index("ix_scan_documents_blob", "blob"),
    sqlite_with_rowid=False,
)

TABLES = (
    "scans",
    "findings",
    "scan_results",
    "first_failures",
    "practice_scores",
    "entity_keys",
    "blob_store",
    "scan_entities",
    "scan_documents",
    "result_statuses",
    "severities",
)
