"""Smaller scans: a result's status and severity stored as small integer codes (named in two new tables,
``result_statuses`` and ``severities``), the index on ``scan_results.finding`` dropped (first failures have had their
own table since 0004; nothing reads it), and in SQLite the per-scan tables rebuilt ``WITHOUT ROWID`` (a row stored
once, in its primary key). A daily scan of a 5,000-principal account took 6.2 MiB in SQLite, 4.7 MiB of it its
76,000 results stored three times over (table, primary key, finding index), with the status and severity as text.

Existing scans are moved over as they are (one transaction, like every migration). No downgrade: restore a backup.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels = None
depends_on = None

# the codes as this revision defines them (iamwarden.store.schema holds the same numbers for the code)
STATUSES = {"pass": 1, "fail": 2, "unknown": 3, "not_applicable": 4}
SEVERITIES = {"critical": 1, "high": 2, "medium": 3, "low": 4, "info": 5}


def _case(column: str, codes: dict[str, int]) -> str:
    whens = " ".join(f"WHEN '{name}' THEN {code}" for name, code in codes.items())
    return f"CASE {column} {whens} END"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, codes in (("result_statuses", STATUSES), ("severities", SEVERITIES)):
        created = op.create_table(
            table,
            sa.Column("code", sa.SmallInteger, primary_key=True, autoincrement=False),
            sa.Column("name", sa.String(16), nullable=False, unique=True),
        )
        op.bulk_insert(created, [{"code": code, "name": name} for name, code in codes.items()])
    op.drop_index("ix_scan_results_finding", "scan_results")
    op.create_table(
        "scan_results_0005",
        sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("finding", sa.Integer, sa.ForeignKey("findings.id"), primary_key=True),
        sa.Column("status", sa.SmallInteger, nullable=False),
        sa.Column("severity", sa.SmallInteger, nullable=False),
        sa.Column("suppressed", sa.Boolean, nullable=False),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO scan_results_0005 (scan_id, finding, status, severity, suppressed) "
        f"SELECT scan_id, finding, {_case('status', STATUSES)}, {_case('severity', SEVERITIES)}, suppressed "
        "FROM scan_results ORDER BY scan_id, finding"
    )
    op.drop_table("scan_results")
    op.rename_table("scan_results_0005", "scan_results")
    if not sqlite:
        return
    for name, column, key in (("scan_entities", "entity", "entity_keys"), ("scan_documents", "blob", "blob_store")):
        columns = [
            sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
            sa.Column(column, sa.Integer, sa.ForeignKey(f"{key}.id"), primary_key=True),
        ]
        if name == "scan_entities":
            columns.append(sa.Column("blob", sa.Integer, sa.ForeignKey("blob_store.id"), nullable=False))
        op.create_table(f"{name}_0005", *columns, sqlite_with_rowid=False)
        listed = ", ".join(c.name for c in columns)
        op.execute(f"INSERT INTO {name}_0005 ({listed}) SELECT {listed} FROM {name} ORDER BY scan_id, {column}")
        op.drop_index(f"ix_{name}_blob", name)
        op.drop_table(name)
        op.rename_table(f"{name}_0005", name)
        op.create_index(f"ix_{name}_blob", name, ["blob"])
