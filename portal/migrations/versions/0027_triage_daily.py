"""triage_daily: the dashboard's counts per UTC day, kept as requests change

The dashboard rescanned the queue for each view (509 ms for 26 weeks, 978 ms for five years at
1,000,000 requests): a period's figures are now sums over its days (and months), and the
figures of now (open requests by age, service targets owed) sums over the days of first
submission and the due dates. triage_entries gains
triage_seconds (submission to first action, indexed with submitted_at for the median), and
triage_referrals an index of the open referrals. The counts of the rows already there are
made from the tables (as `portal triage rebuild-aggregates` does).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "triage_daily",
        sa.Column("measure", sa.String(length=12), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("measure", "day", "key", name=op.f("pk_triage_daily")),
    )
    with op.batch_alter_table("triage_entries") as batch_op:
        batch_op.add_column(sa.Column("triage_seconds", sa.Float(), nullable=True))
    op.create_index("ix_triage_entries_triage_seconds", "triage_entries",
                    ["triage_seconds", "submitted_at"])
    op.create_index("ix_triage_referrals_open", "triage_referrals",
                    ["referred_at", "district", "due_date"],
                    postgresql_where=sa.text("closed_at IS NULL"),
                    sqlite_where=sa.text("closed_at IS NULL"))
    from portal.triage.daily_counts import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_triage_referrals_open", table_name="triage_referrals")
    op.drop_index("ix_triage_entries_triage_seconds", table_name="triage_entries")
    with op.batch_alter_table("triage_entries") as batch_op:
        batch_op.drop_column("triage_seconds")
    op.drop_table("triage_daily")
