"""When each finding of each account first failed, kept up to date as scans are recorded, so the first-seen dates of a
diff or of the report's failure ages are one row per finding, not one per scan it failed in (a year of daily scans of
a 5,000-principal account holds millions of those).

Filled from the scans already recorded.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "first_failures",
        sa.Column("account_id", sa.String(12), primary_key=True),
        sa.Column("finding", sa.Integer, sa.ForeignKey("findings.id"), primary_key=True),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO first_failures (account_id, finding, first_at) "
        "SELECT s.account_id, r.finding, MIN(s.collected_at) FROM scan_results r JOIN scans s ON s.id = r.scan_id "
        "WHERE r.status = 'fail' AND NOT r.suppressed GROUP BY s.account_id, r.finding"
    )
