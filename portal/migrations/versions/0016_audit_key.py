"""audit_events: the id of the key each row's hash is an HMAC under

Rows are now signed (HMAC-SHA256) with a key kept out of the database (PORTAL_AUDIT_KEYS), so
the chain cannot be recomputed by someone who can only write to the database. The rows written
before this revision keep their plain SHA-256 hashes: their key id is empty (legacy rows).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("key_id", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("key_id")
