"""Each practice's score per scan (for the trend chart), and an index to find a finding's history (first seen).

Scans recorded before this revision have no scores: the trend leaves them out; their results stay comparable.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "practice_scores",
        sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("practice", sa.Integer, primary_key=True),
        sa.Column("score", sa.Integer, nullable=True),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("unknown", sa.Integer, nullable=False),
        sa.Column("suppressed", sa.Integer, nullable=False),
    )
    op.create_index("ix_results_finding", "results", ["finding_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_results_finding", "results")
    op.drop_table("practice_scores")
