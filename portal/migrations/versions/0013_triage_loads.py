"""triage_loads: each attorney's load, kept at every change of a queue entry

The assignment form read the load by adding up every open entry (about 10 ms of the
database's time per package view at 100,000 requests); it now reads one row per attorney.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "triage_loads",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_triage_loads_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_triage_loads")),
    )
    op.execute("INSERT INTO triage_loads (user_id, count, weight) "
               "SELECT assignee_id, count(*), sum(weight) FROM triage_entries "
               "WHERE assignee_id IS NOT NULL AND is_open AND status <> 'returned' "
               "GROUP BY assignee_id")


def downgrade() -> None:
    op.drop_table("triage_loads")
