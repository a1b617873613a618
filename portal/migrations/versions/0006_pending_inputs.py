"""pending inputs

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_inputs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("form_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_pending_inputs_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_inputs")),
    )
    with op.batch_alter_table("pending_inputs", schema=None) as batch_op:
        batch_op.create_index("ix_pending_inputs_user_path", ["user_id", "path"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pending_inputs", schema=None) as batch_op:
        batch_op.drop_index("ix_pending_inputs_user_path")

    op.drop_table("pending_inputs")
