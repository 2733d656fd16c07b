"""Compact rows: a finding's id, check and resource, an entity's kind and key, and a blob's digest are stored once and
referred to by integer, so a scan adds small rows (a daily scan of a 5,000-principal account added about 20 MB with
the text repeated in every row).

Existing scans are moved over as they are. There is no downgrade: restore a backup to go back.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("finding_id", sa.String(32), nullable=False, unique=True),
        sa.Column("check_id", sa.String(128), nullable=False),
        sa.Column("resource", sa.Text, nullable=False),
    )
    op.execute(
        "INSERT INTO findings (finding_id, check_id, resource) "
        "SELECT finding_id, MIN(check_id), MIN(resource) FROM results GROUP BY finding_id "
        "ORDER BY MIN(scan_id), finding_id"
    )
    op.create_table(
        "blob_store",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.execute("INSERT INTO blob_store (digest, body) SELECT digest, body FROM blobs ORDER BY digest")
    op.create_table(
        "entity_keys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.UniqueConstraint("kind", "key", name="uq_entity_keys_kind_key"),
    )
    op.execute(
        "INSERT INTO entity_keys (kind, key) SELECT kind, key FROM entities WHERE kind <> 'document' "
        "GROUP BY kind, key ORDER BY kind, key"
    )
    op.create_table(
        "scan_results",
        sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("finding", sa.Integer, sa.ForeignKey("findings.id"), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("suppressed", sa.Boolean, nullable=False),
    )
    op.execute(
        "INSERT INTO scan_results (scan_id, finding, status, severity, suppressed) "
        "SELECT r.scan_id, f.id, r.status, r.severity, r.suppressed FROM results r JOIN findings f "
        "ON f.finding_id = r.finding_id"
    )
    op.create_table(
        "scan_entities",
        sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entity", sa.Integer, sa.ForeignKey("entity_keys.id"), primary_key=True),
        sa.Column("blob", sa.Integer, sa.ForeignKey("blob_store.id"), nullable=False),
    )
    op.execute(
        "INSERT INTO scan_entities (scan_id, entity, blob) SELECT e.scan_id, k.id, b.id FROM entities e "
        "JOIN entity_keys k ON k.kind = e.kind AND k.key = e.key JOIN blob_store b ON b.digest = e.digest"
    )
    op.create_table(
        "scan_documents",
        sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("blob", sa.Integer, sa.ForeignKey("blob_store.id"), primary_key=True),
    )
    op.execute(
        "INSERT INTO scan_documents (scan_id, blob) SELECT e.scan_id, b.id FROM entities e "
        "JOIN blob_store b ON b.digest = e.digest WHERE e.kind = 'document'"
    )
    op.drop_index("ix_results_finding", "results")
    op.drop_table("results")
    op.drop_table("entities")
    op.drop_table("blobs")
    op.create_index("ix_scan_results_finding", "scan_results", ["finding", "status"])
    op.create_index("ix_scan_entities_blob", "scan_entities", ["blob"])
    op.create_index("ix_scan_documents_blob", "scan_documents", ["blob"])
