"""attachment checks: an upload is stored at once and checked by a worker

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("check_state", sa.String(length=10), nullable=False,
                                      server_default="accepted"))
        batch_op.add_column(sa.Column("check_reason", sa.String(length=40), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("check_params", sa.String(length=200), nullable=False,
                                      server_default="{}"))
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
    # (the defaults filled the existing rows: every file stored so far was checked at upload)
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        for column in ("check_state", "check_reason", "check_params"):
            batch_op.alter_column(column, server_default=None)
        batch_op.create_index("ix_attachments_checking", ["uploaded_by_id", "check_state"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_attachments_checking")
        batch_op.drop_column("checked_at")
        batch_op.drop_column("check_params")
        batch_op.drop_column("check_reason")
        batch_op.drop_column("check_state")
