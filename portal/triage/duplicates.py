"""TRI-DUPLICATE: an identifier, account or person of a request appears in another open request
(of any country). Matching is on the normalized keys (:mod:`portal.triage.normalize`); two uses
of one IP address match only when both have a time and they are within the window setting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, Select, and_, bindparam, select, update
from sqlalchemy.orm import Session, aliased

from portal.config import Settings
from portal.db_reads import Read, one, read_together
from portal.requests.models import MlaRequest
from portal.triage.models import TriageEntry, TriageKey

#: Kinds that never make a duplicate on their own (name words are for search only).
SEARCH_ONLY = frozenset({"name_part"})

#: The two sides of a shared key, aliased once.
_MINE = aliased(TriageKey, name="mine")
_THEIRS = aliased(TriageKey, name="theirs")


@dataclass(frozen=True)
class Duplicate:
    kind: str
    value: str
    path: str
    other_id: int
    other_public_id: str
    other_reference: str
    other_country: str
    other_path: str


def _close_in_time(a: datetime | None, b: datetime | None, window: timedelta) -> bool:
    if a is None or b is None:
        return False
    return abs(a - b) <= window


def _find_query() -> Select[*tuple[Any, ...]]:
    mine, theirs = _MINE, _THEIRS
    request_id: BindParameter[int] = bindparam("request_id")
    return (
        select(mine.kind, mine.value, mine.path, mine.used_at, theirs.request_id,
               theirs.used_at.label("other_used_at"), theirs.path.label("other_path"),
               MlaRequest.public_id, TriageEntry.reference, TriageEntry.country)
        .select_from(mine)
        .join(theirs, (theirs.value == mine.value) & (theirs.kind == mine.kind))
        .join(TriageEntry, TriageEntry.request_id == theirs.request_id)
        .join(MlaRequest, MlaRequest.id == theirs.request_id)
        # (one comparison per kind, not NOT IN: a read together cannot write out an IN list
        # in a statement whose request id is given when it runs)
        .where(mine.request_id == request_id, theirs.request_id != request_id,
               and_(*(mine.kind != kind for kind in sorted(SEARCH_ONLY))),
               TriageEntry.is_open.is_(True))
        .order_by(TriageEntry.reference, theirs.id)
    )


#: Built once, like the aliases: a statement keeps its cache key (the package view asks on
#: every page; building and keying the statement cost more than running it).
_FIND = _find_query()


def find_read(request_id: int, settings: Settings) -> Read[list[Duplicate]]:
    """The keys of ``request_id`` found in other open requests, with those requests."""
    window = timedelta(hours=settings.triage_duplicate_ip_window_hours)

    def make(rows: list[Any]) -> list[Duplicate]:
        # plain columns: a shared identifier can match many requests
        return [Duplicate(row.kind, row.value, row.path, row.request_id, row.public_id,
                          row.reference, row.country, row.other_path)
                for row in rows
                if row.kind != "ip" or _close_in_time(row.used_at, row.other_used_at, window)]

    return one(_FIND, {"request_id": request_id}, make)


def find(db: Session, request_id: int, settings: Settings) -> list[Duplicate]:
    found: list[Duplicate] = read_together(db, find_read(request_id, settings))[0]
    return found


def refresh_around(db: Session, request_id: int, settings: Settings) -> None:
    """Recompute the duplicate flag of a request and of every request sharing a key with it."""
    other = _THEIRS
    related = set(db.scalars(
        select(other.request_id)
        .join(TriageKey, (TriageKey.value == other.value) & (TriageKey.kind == other.kind))
        .where(TriageKey.request_id == request_id, other.request_id != request_id,
               TriageKey.kind.notin_(SEARCH_ONLY))))
    for rid in {request_id, *related}:
        entry_open = db.scalar(select(TriageEntry.is_open).where(TriageEntry.request_id == rid))
        flag = bool(entry_open) and bool(find(db, rid, settings))
        db.execute(update(TriageEntry).where(TriageEntry.request_id == rid)
                   .values(duplicate=flag).execution_options(synchronize_session="fetch"))
