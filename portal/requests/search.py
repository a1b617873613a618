"""The search index of requests (table ``request_search``): one document per request, stored
when a draft is created or saved and at each submission, and the condition that finds the
requests whose document holds every word of a search (:mod:`portal.requests.search_text`).

PostgreSQL finds the words with LIKE over a pg_trgm GIN index. SQLite first asks its FTS5
trigram table (``request_search_fts``, see migration 0026) for the candidates, then checks
them with the same LIKE, so both databases find the same requests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, and_, bindparam, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from portal.contract import model as m
from portal.requests.models import RequestSearch
from portal.requests.search_text import Terms, document, fts_query, like_pattern

__all__ = ["FTS_TABLE", "TRIGRAM_INDEX", "Terms", "matching_ids", "store", "store_document"]

#: SQLite's FTS5 table of the documents (made by migration 0026, not a model).
FTS_TABLE = "request_search_fts"
#: PostgreSQL's pg_trgm GIN index of the documents (made by migration 0026).
TRIGRAM_INDEX = "ix_request_search_document_trgm"


def store_document(db: Session, request_id: int, text: str) -> None:
    """Insert or replace the request's document (no write when it is unchanged)."""
    make = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = make(RequestSearch).values(request_id=request_id, document=text)
    db.execute(statement.on_conflict_do_update(
        index_elements=[RequestSearch.request_id],
        set_={"document": statement.excluded.document},
        where=RequestSearch.document != statement.excluded.document))


def store(db: Session, request_id: int, reference: str, content: m.Request) -> None:
    """Index the request's content as it is now."""
    store_document(db, request_id, document(reference, content))


class _fts_candidates(FunctionElement[bool]):
    """SQLite: the request is among those the FTS5 table finds (true elsewhere)."""

    type = Boolean()
    inherit_cache = True
    name = "fts_candidates"


@compiles(_fts_candidates)
def _everywhere(_element: Any, _compiler: Any, **_kw: Any) -> str:
    return "1 = 1"


@compiles(_fts_candidates, "sqlite")
def _on_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    request_id, query = list(element.clauses)
    # (compiled SQL: a column and a bound parameter, no text from outside)
    return (f"{compiler.process(request_id, **kw)} IN (SELECT rowid FROM {FTS_TABLE} "  # noqa: S608
            f"WHERE {FTS_TABLE} MATCH {compiler.process(query, **kw)})")


def condition(found: Terms) -> ColumnElement[bool]:
    """The rows of ``request_search`` whose document holds one of the alternatives."""
    document_column = RequestSearch.document
    found_any = or_(*(and_(*(document_column.like(like_pattern(w), escape="\\") for w in words))
                      for words in found.alternatives))
    text = fts_query(found)
    if not text:  # only short words: a scan of the rows the caller's other filters leave
        return found_any
    candidates = _fts_candidates(RequestSearch.request_id, bindparam("fts", text, unique=True))
    return and_(candidates, found_any)


def matching_ids(found: Terms) -> Select[int]:
    """The ids of the requests that ``found`` finds."""
    return select(RequestSearch.request_id).where(condition(found))
