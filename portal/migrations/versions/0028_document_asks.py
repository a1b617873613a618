"""documents after submission: asks for documents and minor versions

document_asks holds OIA's asks for documents and their answers; attachments.ask_id ties an
uploaded file to the ask it answers; request_versions and packages gain ``minor`` (0 for every
existing row: version 1.1 is version 1 with documents added), and their unique keys include it.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_asks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("kinds_json", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answer_message_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"],
                                name=op.f("fk_document_asks_request_id_requests")),
        sa.ForeignKeyConstraint(["asked_by_id"], ["users.id"],
                                name=op.f("fk_document_asks_asked_by_id_users")),
        sa.ForeignKeyConstraint(["message_id"], ["request_messages.id"],
                                name=op.f("fk_document_asks_message_id_request_messages")),
        sa.ForeignKeyConstraint(["answered_by_id"], ["users.id"],
                                name=op.f("fk_document_asks_answered_by_id_users")),
        sa.ForeignKeyConstraint(
            ["answer_message_id"], ["request_messages.id"],
            name=op.f("fk_document_asks_answer_message_id_request_messages")),
        sa.ForeignKeyConstraint(["version_id"], ["request_versions.id"],
                                name=op.f("fk_document_asks_version_id_request_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_asks")),
        sa.UniqueConstraint("public_id", name=op.f("uq_document_asks_public_id")),
    )
    with op.batch_alter_table("document_asks", schema=None) as batch_op:
        batch_op.create_index("ix_document_asks_request_id", ["request_id"], unique=False)
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ask_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_attachments_ask_id_document_asks"),
                                    "document_asks", ["ask_id"], ["id"])
    with op.batch_alter_table("request_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("minor", sa.Integer(), nullable=False, server_default="0"))
        batch_op.drop_constraint("uq_request_versions_request_id", type_="unique")
        batch_op.create_unique_constraint("uq_request_versions_request_id",
                                          ["request_id", "number", "minor"])
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("minor", sa.Integer(), nullable=False, server_default="0"))
        batch_op.drop_constraint("uq_packages_request_id", type_="unique")
        batch_op.create_unique_constraint("uq_packages_request_id",
                                          ["request_id", "version", "minor"])


def downgrade() -> None:
    # (minor versions cannot be kept under the old keys: they go, with their packages)
    op.execute("UPDATE document_asks SET version_id = NULL")
    op.execute("DELETE FROM package_handoff_attempts WHERE handoff_id IN (SELECT h.id FROM "
               "package_handoffs h JOIN packages p ON p.id = h.package_id WHERE p.minor > 0)")
    op.execute("DELETE FROM package_handoffs WHERE package_id IN "
               "(SELECT id FROM packages WHERE minor > 0)")
    op.execute("DELETE FROM packages WHERE minor > 0")
    op.execute("DELETE FROM request_versions WHERE minor > 0")
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.drop_constraint("uq_packages_request_id", type_="unique")
        batch_op.create_unique_constraint("uq_packages_request_id", ["request_id", "version"])
        batch_op.drop_column("minor")
    with op.batch_alter_table("request_versions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_request_versions_request_id", type_="unique")
        batch_op.create_unique_constraint("uq_request_versions_request_id",
                                          ["request_id", "number"])
        batch_op.drop_column("minor")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_constraint("fk_attachments_ask_id_document_asks", type_="foreignkey")
        batch_op.drop_column("ask_id")
    with op.batch_alter_table("document_asks", schema=None) as batch_op:
        batch_op.drop_index("ix_document_asks_request_id")
    op.drop_table("document_asks")
