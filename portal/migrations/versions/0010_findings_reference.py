"""request_versions: the version of the reference data that the findings were computed with

A finding such as GEN-BASIS-COUNTRY or ELEC-PROVIDER-US depends on the reference data (treaties
in force, providers); the package and the API say which version judged the request.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("request_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference_version", sa.String(length=400),
                                      nullable=False, server_default=""))
    # the default only fills the versions already there (they were judged before it existed)
    with op.batch_alter_table("request_versions", schema=None) as batch_op:
        batch_op.alter_column("reference_version", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("request_versions", schema=None) as batch_op:
        batch_op.drop_column("reference_version")
