"""The triage queue: the open requests the user may see, most urgent then oldest first, with
filters, search, keyset pages (the cursor is the last row's sort key) and the CSV export; the
status is checked against the request itself, so a lagging entry never shows a closed one."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, select, tuple_
from sqlalchemy.orm import Session

from portal import cache
from portal.accounts.models import Authority, Role, User
from portal.db import utcnow
from portal.db_reads import Read, one, read_together
from portal.requests import search, search_text
from portal.requests.drafts import visible_requests
from portal.requests.models import MlaRequest, Status
from portal.triage import target_clock, targets
from portal.triage.intake import OPEN
from portal.triage.models import TriageEntry

QueueSelect = Select[*tuple[Any, ...]]
PAGE_SIZE = 50
STATUS_OPEN = ""  # the default filter: every open status


@dataclass(frozen=True)
class Filters:
    status: str = STATUS_OPEN
    country: str = ""
    authority: str = ""  # public id
    type: str = ""
    assignee: str = ""  # public id, or "none"
    overdue: bool = False
    acknowledged: bool = False
    duplicates: bool = False
    #: Service targets: "overdue", or "soon" (due within targets.SOON_DAYS working days).
    target: str = ""
    q: str = ""

    @property
    def short_search(self) -> bool:
        """The search has only words too short to be found inside others (explained)."""
        return search_text.terms(self.q).short_only

    def as_args(self) -> dict[str, str]:
        out = {"status": self.status, "country": self.country, "authority": self.authority,
               "type": self.type, "assignee": self.assignee, "target": self.target,
               "q": self.q}
        for name in ("overdue", "acknowledged", "duplicates"):
            if getattr(self, name):
                out[name] = "1"
        return {k: v for k, v in out.items() if v}


@dataclass(frozen=True)
class Row:
    request_id: int
    public_id: str
    reference: str
    country: str
    status: str
    types: tuple[str, ...]
    urgency_date: date | None
    submitted_at: datetime
    age_days: int
    assignee: str
    blockers: int
    warnings: int
    acknowledged: int
    duplicate: bool
    resubmit_unchanged: bool
    referral_district: str
    referral_due: date | None
    overdue: bool
    handoff: str
    #: Under a legal hold (portal.retention.hold).
    held: bool = False
    #: The service target owed first (targets.FIRST_ACTION or DECISION; "" when none).
    target: str = ""
    target_due: date | None = None
    target_standing: target_clock.Standing | None = None


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_cursor: str | None
    filters: Filters = field(default_factory=Filters)


def encode_cursor(entry_key: tuple[date, datetime, int]) -> str:
    raw = f"{entry_key[0].isoformat()}|{entry_key[1].isoformat()}|{entry_key[2]}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[date, datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        first, second, third = raw.split("|")
        at = datetime.fromisoformat(second)
        if at.tzinfo is None:
            return None
        request_id = int(third)
        if not 0 <= request_id < 2**31:  # (an id the database cannot hold is no position)
            return None
        return date.fromisoformat(first), at, request_id
    except (ValueError, UnicodeDecodeError):
        return None


#: What a row shows, read as plain columns (no ORM objects: a page is 50 rows, an export
#: thousands).
_COLUMNS = (
    TriageEntry.request_id, TriageEntry.reference, TriageEntry.country, TriageEntry.types,
    TriageEntry.urgency_date, TriageEntry.urgency_key, TriageEntry.submitted_at,
    TriageEntry.blockers, TriageEntry.warnings, TriageEntry.acknowledged, TriageEntry.duplicate,
    TriageEntry.resubmit_unchanged, TriageEntry.referral_district, TriageEntry.referral_due,
    TriageEntry.handoff, TriageEntry.target_due, TriageEntry.action_due, TriageEntry.acted_at,
    MlaRequest.public_id, MlaRequest.status.label("request_status"),
    User.name.label("assignee_name"), MlaRequest.held_at.is_not(None).label("held"),
)


def query(user: User, filters: Filters, today: date, office_day: date | None = None
          ) -> QueueSelect:
    """``today``: the day of referral due dates; ``office_day``: the day in Washington, of the
    service targets (``today`` when not given)."""
    q: QueueSelect = (
        visible_requests(user)
        .with_only_columns(*_COLUMNS)
         .select_from(MlaRequest)
         .join(TriageEntry, TriageEntry.request_id == MlaRequest.id)
         .outerjoin(User, User.id == TriageEntry.assignee_id))
    if filters.status in {s.value for s in Status} - {Status.DRAFT.value}:
        q = q.where(TriageEntry.status == filters.status, MlaRequest.status == filters.status)
    else:
        q = q.where(TriageEntry.is_open.is_(True), MlaRequest.status.in_(OPEN))
    if filters.country:
        q = q.where(TriageEntry.country == filters.country.upper()[:2])
    if filters.authority:
        q = q.where(TriageEntry.authority_id == select(Authority.id).where(
            Authority.public_id == filters.authority).scalar_subquery())
    if filters.type:
        q = q.where(TriageEntry.types.like(f"%,{filters.type.replace('%', '')},%"))
    if filters.assignee == "none":
        q = q.where(TriageEntry.assignee_id.is_(None))
    elif filters.assignee:
        q = q.where(TriageEntry.assignee_id == select(User.id).where(
            User.public_id == filters.assignee).scalar_subquery())
    if filters.overdue:
        q = q.where(TriageEntry.status == Status.REFERRED.value,
                    TriageEntry.referral_due < today)
    target = targets.due_filter(filters.target, office_day or today)
    if target is not None:
        q = q.where(target)
    if filters.acknowledged:
        q = q.where(TriageEntry.acknowledged > 0)
    if filters.duplicates:
        q = q.where(TriageEntry.duplicate.is_(True))
    found = search_text.terms(filters.q)
    if not found.empty:  # every word in the request's search document
        q = q.where(TriageEntry.request_id.in_(search.matching_ids(found)))
    return q


def _row(entry: Any, today: date, office_day: date) -> Row:
    """A queue row from a result row of :data:`_COLUMNS` (unpacked by position: reading fifty
    rows' eighteen columns by name was a tenth of the queue page)."""
    (request_id, reference, country, types, urgency_date, _key, submitted_at, blockers,
     warnings, acknowledged, duplicate, resubmit_unchanged, referral_district, referral_due,
     handoff, target_due, action_due, acted_at, public_id, status, assignee_name, held) = entry
    overdue = (status == _REFERRED and referral_due is not None and referral_due < today)
    if status not in OPEN:  # (a lagging entry: the request's own status decides)
        target_due = None
    return Row(
        request_id=request_id, public_id=public_id, reference=reference, country=country,
        status=status, types=tuple(t for t in types.split(",") if t),
        urgency_date=urgency_date, submitted_at=submitted_at,
        age_days=max(0, (today - submitted_at.date()).days), assignee=assignee_name or "",
        blockers=blockers, warnings=warnings, acknowledged=acknowledged, duplicate=duplicate,
        resubmit_unchanged=resubmit_unchanged, referral_district=referral_district,
        referral_due=referral_due, overdue=overdue, handoff=handoff, held=bool(held),
        target=targets.pending_kind(target_due, action_due, acted_at), target_due=target_due,
        target_standing=(target_clock.standing(target_due, office_day) if target_due else None))


_REFERRED = Status.REFERRED.value


def ordered(q: QueueSelect, after: str | None) -> QueueSelect:
    if after:
        key = decode_cursor(after)
        if key is not None:
            q = q.where(tuple_(TriageEntry.urgency_key, TriageEntry.submitted_at,
                               TriageEntry.request_id) > tuple_(*key))
    return q.order_by(TriageEntry.urgency_key, TriageEntry.submitted_at, TriageEntry.request_id)


#: Page statements by everything they are built from (the same page asked again, the first
#: page of a filter all day long, is neither built nor keyed again by SQLAlchemy).
_STATEMENTS = cache.named("triage.queue_statements", max_bytes=2 * 1024 * 1024,
                          why="a queue page's statement, built once per filter, day and cursor",
                          sizeof=lambda _statement: 8 * 1024)


def _page_statement(user: User, filters: Filters, day: date, office_day: date,
                    after: str | None, size: int) -> QueueSelect:
    # what visible_requests reads of the user (OIA staff all see the same requests)
    key = (user.role, user.authority_id, None if user.role_enum is Role.TRIAGE else user.id,
           filters, day, office_day, after, size)
    return _STATEMENTS.get_or_make(  # type: ignore[no-any-return]
        key, lambda: ordered(query(user, filters, day, office_day), after).limit(size + 1))


def page_read(user: User, filters: Filters, *, after: str | None = None,
              size: int = PAGE_SIZE, today: date | None = None) -> Read[Page]:
    """A page of the queue, to read with others (portal.db_reads); ``today`` (tests) stands
    for both the UTC day and the day in Washington."""
    day = today or utcnow().date()
    office_day = today or target_clock.office_today()

    def make(rows: list[Any]) -> Page:
        shown = [_row(r, day, office_day) for r in rows[:size]]
        cursor = None
        if len(rows) > size:
            last = rows[size - 1]
            cursor = encode_cursor((last.urgency_key, last.submitted_at, last.request_id))
        return Page(shown, cursor, filters)

    # planned by PostgreSQL for each page (not generic): the best plan depends on the
    # page's LIMIT and cursor
    return one(_page_statement(user, filters, day, office_day, after, size), {}, make,
               generic=False)


def page(db: Session, user: User, filters: Filters, *, after: str | None = None,
         size: int = PAGE_SIZE, today: date | None = None) -> Page:
    found: Page = read_together(db, page_read(user, filters, after=after, size=size,
                                              today=today))[0]
    return found


def iterate(db: Session, user: User, filters: Filters, *, today: date | None = None,
            batch: int = 1000) -> Iterator[Row]:
    """Every row of the filtered queue, in order, fetched page by page."""
    after: str | None = None
    while True:
        current = page(db, user, filters, after=after, size=batch, today=today)
        yield from current.rows
        if current.next_cursor is None:
            return
        after = current.next_cursor


CSV_COLUMNS = ("reference", "country", "status", "types", "urgency_date", "submitted_at",
               "age_days", "assignee", "blockers", "warnings", "acknowledged_warnings",
               "duplicate", "resubmitted_unchanged", "referral_district", "referral_due",
               "referral_overdue", "handoff", "service_target", "service_target_due",
               "service_target_overdue")


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(rows: Iterator[Row] | list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([_cell(v) for v in (
            r.reference, r.country, r.status, " ".join(r.types),
            r.urgency_date.isoformat() if r.urgency_date else "",
            r.submitted_at.isoformat(timespec="seconds"), r.age_days, r.assignee, r.blockers,
            r.warnings, r.acknowledged, "yes" if r.duplicate else "",
            "yes" if r.resubmit_unchanged else "", r.referral_district,
            r.referral_due.isoformat() if r.referral_due else "", "yes" if r.overdue else "",
            r.handoff, r.target, r.target_due.isoformat() if r.target_due else "",
            "yes" if r.target_standing and r.target_standing.overdue else "")])
    return out.getvalue()


def authority_options_read(*criteria: ColumnElement[bool]) -> Read[list[tuple[str, str]]]:
    """(public id, "name (country)") of the requesting authorities meeting ``criteria`` (the
    caller leaves out the trainers' sandboxes), by name, for the queue's filter."""
    statement = (select(Authority.public_id, Authority.name, Authority.country)
                 .where(*criteria).order_by(Authority.name))
    return one(statement, {}, lambda rows: [
        (row.public_id, f"{row.name} ({row.country})") for row in rows])
