""""My requests": the requests of the submitter's authority (practice requests aside), the
latest changed first, filtered by status and by a text search (:mod:`portal.requests.search`),
in keyset pages: the cursor is the last row's (time of change, id), so pages stay stable while
requests are added and nothing is capped."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import tuple_
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.requests import search, search_text
from portal.requests.drafts import visible_requests
from portal.requests.models import MlaRequest, Status

PAGE_SIZE = 50


@dataclass(frozen=True)
class ListPage:
    rows: list[MlaRequest]
    next_cursor: str | None
    #: The search has only words too short to be found inside others (the page says so).
    short_search: bool = False


def encode_cursor(updated_at: datetime, request_id: int) -> str:
    raw = f"{updated_at.isoformat()}|{request_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """The position a cursor names; None when it is not one (then the first page shows)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        first, second = raw.split("|")
        at = datetime.fromisoformat(first)
        request_id = int(second)
    except (ValueError, UnicodeDecodeError):
        return None
    if at.tzinfo is None or not 0 <= request_id < 2**31:
        return None
    return at, request_id


def list_page(db: Session, user: User, *, status: str = "", q: str = "",
              after: str | None = None, size: int = PAGE_SIZE,
              updated_since: datetime | None = None) -> ListPage:
    """A page of the user's requests (only those the user may see: their authority's);
    ``updated_since``: only those changed at or after that time (the API's polling)."""
    query = visible_requests(user).where(MlaRequest.training.is_(False))
    if status in {s.value for s in Status}:
        query = query.where(MlaRequest.status == status)
    if updated_since is not None:
        query = query.where(MlaRequest.updated_at >= updated_since)
    found = search_text.terms(q)
    if not found.empty:
        query = query.where(MlaRequest.id.in_(search.matching_ids(found)))
    key = decode_cursor(after) if after else None
    if key is not None:
        query = query.where(tuple_(MlaRequest.updated_at, MlaRequest.id) < tuple_(*key))
    query = query.order_by(MlaRequest.updated_at.desc(), MlaRequest.id.desc()).limit(size + 1)
    rows = list(db.scalars(query))
    cursor = None
    if len(rows) > size:
        rows = rows[:size]
        cursor = encode_cursor(rows[-1].updated_at, rows[-1].id)
    return ListPage(rows, cursor, found.short_only)
