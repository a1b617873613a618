"""triage: the index on submitted_at also holds first_action_at

The dashboard's time to triage (a median over the requests submitted in the period) then reads
the index alone: at 100,000 requests over several years it no longer visits the table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("triage_entries", schema=None) as batch_op:
        batch_op.create_index("ix_triage_entries_submitted_action",
                              ["submitted_at", "first_action_at"], unique=False)
        batch_op.drop_index("ix_triage_entries_submitted")


def downgrade() -> None:
    with op.batch_alter_table("triage_entries", schema=None) as batch_op:
        batch_op.create_index("ix_triage_entries_submitted", ["submitted_at"], unique=False)
        batch_op.drop_index("ix_triage_entries_submitted_action")
