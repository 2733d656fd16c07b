"""The history database's tables, as SQLAlchemy Core objects (one schema for SQLite and PostgreSQL).

The migrations in ``migrations/versions`` create these tables; this module describes the newest schema for queries.
A test compares the two (``tests/store/test_migrations.py``).

``scans``           one row per recorded scan: when, which account and organization, which iamwarden, which snapshot
``findings``        each finding once: its stable id (``iw-...``), check and resource
``scan_results``    every result of a scan: the finding, its status, severity and whether it was suppressed
``first_failures``  when each finding of each account first failed (unsuppressed), kept up to date on record
``practice_scores`` each practice's score and counts per scan (what the trend chart draws)
``entity_keys``     each IAM entity once: its kind (user, role, group, policy, key, mfa, admin, escalation) and key
``scan_entities``   the entities of a scan's snapshot, each pointing at the blob of its facts that day
``scan_documents``  the policy documents a scan's entities refer to (so blobs no scan uses can be pruned)
``blob_store``      content-addressed JSON (entity facts and policy documents), stored once however many scans share
                    it: a daily scan of an account that barely changes adds small rows of integers, not documents
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

scan_results = Table(
    "scan_results",
    metadata,
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("finding", Integer, ForeignKey("findings.id"), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("suppressed", Boolean, nullable=False),
    Index("ix_scan_results_finding", "finding", "status"),
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
)

scan_documents = Table(
    "scan_documents",
    metadata,
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("blob", Integer, ForeignKey("blob_store.id"), primary_key=True),
    Index("ix_scan_documents_blob", "blob"),
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
)
