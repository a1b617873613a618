"""attachments: the language of each document, declared on upload

GEN-LETTER-ENGLISH judges the letter of request by the language its submitter declares (RULES.md,
version 2). Documents attached before this revision have none: the submitter is asked for it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=35), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.alter_column("language", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_column("language")
