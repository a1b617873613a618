"""legal hold: a request under a legal hold is never purged

held_at is set (with held_by, the public id of the OIA manager who set it, and hold_reason)
while the hold stands; lifting it empties the three (NULL) (the audit log keeps both steps).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("requests", sa.Column("held_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("requests", sa.Column("held_by", sa.String(length=32), nullable=True))
    op.add_column("requests", sa.Column("hold_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_column("hold_reason")
        batch_op.drop_column("held_by")
        batch_op.drop_column("held_at")
