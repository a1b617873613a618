"""reference_counters: one counter per series and year (MLA-2026-000042, PRACTICE-2026-000012)

Practice requests took numbers from the real series, so real references jumped
(MLA-2026-000001, then -000003). Each series now counts on its own.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reference_series_counters",
        sa.Column("series", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", "year", name=op.f("pk_reference_series_counters")),
    )
    op.execute("INSERT INTO reference_series_counters (series, year, last) "
               "SELECT 'MLA', year, last FROM reference_counters")
    op.drop_table("reference_counters")


def downgrade() -> None:
    op.create_table(
        "reference_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_reference_counters")),
    )
    op.execute("INSERT INTO reference_counters (year, last) "
               "SELECT year, last FROM reference_series_counters WHERE series = 'MLA'")
    op.drop_table("reference_series_counters")
