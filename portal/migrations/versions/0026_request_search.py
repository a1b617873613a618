"""request search: one folded search document per request, with a trigram index

request_search holds each request's references (incl. the authority's own case numbers),
persons, identifiers, accounts and offence names, accent- and case-folded
(portal.requests.search_text). PostgreSQL: pg_trgm and a GIN trigram index on the document.
SQLite: an FTS5 table with the trigram tokenizer over the document (external content), kept
by triggers. requests gets an index for "My requests" pages (authority, latest change first).
The documents of the existing requests are filled from their working copies.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-28
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

_SQLITE = (
    "CREATE VIRTUAL TABLE request_search_fts USING fts5(document, content='request_search', "
    "content_rowid='request_id', tokenize='trigram')",
    "CREATE TRIGGER request_search_ai AFTER INSERT ON request_search BEGIN "
    "INSERT INTO request_search_fts(rowid, document) VALUES (new.request_id, new.document); END",
    "CREATE TRIGGER request_search_ad AFTER DELETE ON request_search BEGIN "
    "INSERT INTO request_search_fts(request_search_fts, rowid, document) "
    "VALUES ('delete', old.request_id, old.document); END",
    "CREATE TRIGGER request_search_au AFTER UPDATE ON request_search BEGIN "
    "INSERT INTO request_search_fts(request_search_fts, rowid, document) "
    "VALUES ('delete', old.request_id, old.document); "
    "INSERT INTO request_search_fts(rowid, document) VALUES (new.request_id, new.document); END",
)


def _fill() -> None:
    """The documents of the requests already stored, from their working copies."""
    from portal.contract.model import Request
    from portal.requests.search_text import document

    connection = op.get_bind()
    table = sa.table("request_search", sa.column("request_id"), sa.column("document"))
    last = 0
    while True:
        rows = connection.execute(sa.text(
            "SELECT id, reference, draft_json FROM requests WHERE id > :last ORDER BY id "
            "LIMIT 1000"), {"last": last}).all()
        if not rows:
            return
        values = []
        for row in rows:
            try:
                content = Request.from_dict(json.loads(row.draft_json or "{}"))
            except (ValueError, TypeError, KeyError):
                content = Request()
            values.append({"request_id": row.id,
                           "document": document(row.reference or "", content)})
        connection.execute(table.insert(), values)
        last = rows[-1].id


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "request_search",
        sa.Column("request_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"],
                                name=op.f("fk_request_search_request_id_requests")),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_request_search")),
    )
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.create_index("ix_requests_authority_updated",
                              ["authority_id", "updated_at", "id"], unique=False)
    if not postgres:
        for statement in _SQLITE:
            op.execute(statement)
    _fill()
    if postgres:  # (after the fill: one build instead of a million insertions)
        op.create_index("ix_request_search_document_trgm", "request_search", ["document"],
                        postgresql_using="gin", postgresql_ops={"document": "gin_trgm_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_request_search_document_trgm", table_name="request_search")
    else:
        for name in ("request_search_au", "request_search_ad", "request_search_ai"):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE request_search_fts")
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_index("ix_requests_authority_updated")
    op.drop_table("request_search")
    # (pg_trgm stays: other objects of the database may use it)
