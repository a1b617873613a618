"""rate limits: counts per (key, window) shared by every process and machine

rate_counters holds how many form posts an account or an address sent, and how many failed
sign-ins an address, an account, or an account from one address or browser had, in each fixed
window of time (portal.limits.counters); the windows that ended are pruned by a scheduled job.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_rate_counters")),
    )


def downgrade() -> None:
    op.drop_table("rate_counters")
