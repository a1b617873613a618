"""reference_versions: the reference data in the database, versioned and edited by admins

Every process reads the newest version (one small query per request or job) and parses it once
per version; version 1 is seeded from the package's files (portal/reference/*.json), which stay
the seed and the test fixture.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-23
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

#: The seed's files, read here (not through portal code, which may change after this revision).
_SEED_DIR = Path(__file__).resolve().parents[2] / "reference"
_KINDS = ("countries", "districts", "legal_bases", "offence_categories", "providers")


def upgrade() -> None:
    table = op.create_table(
        "reference_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=1000), nullable=False),
        sa.Column("data_json", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_reference_versions_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_versions")),
        sa.UniqueConstraint("number", name=op.f("uq_reference_versions_number")),
    )
    docs = {kind: json.loads((_SEED_DIR / f"{kind}.json").read_text(encoding="utf-8"))
            for kind in _KINDS}
    # the canonical form of portal.reference.store.canonical_json
    data = json.dumps(docs, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    now = datetime.now(UTC)
    op.bulk_insert(table, [{
        "number": 1, "created_at": now if op.get_context().dialect.name != "sqlite"
        else now.replace(tzinfo=None),
        "created_by_id": None, "reason": "Seeded from the portal's reference files.",
        "source": "portal/reference/*.json", "data_json": data,
        "sha256": hashlib.sha256(data.encode("utf-8")).hexdigest(),
    }])


def downgrade() -> None:
    op.drop_table("reference_versions")
