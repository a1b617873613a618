"""request messages

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("from_oia", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_request_messages_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_request_messages_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_messages")),
    )
    with op.batch_alter_table("request_messages", schema=None) as batch_op:
        batch_op.create_index("ix_request_messages_request_at", ["request_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("request_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_request_messages_request_at")

    op.drop_table("request_messages")
