"""Tables of the triage workspace: ``triage_entries``, one row per submitted request with what
the queue sorts and filters on (kept by :mod:`portal.triage.intake`), ``triage_keys`` (search
and duplicate keys), notes, returns, referrals, portfolios and each attorney's load (kept at
every flush that changes an entry, so that the assignment form reads a few rows, not the queue)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, UTCDateTime, utcnow

#: Stands for "no urgency date" in the sort key so that such requests sort last, and the
#: keyset cursor never has to compare with NULL.
NO_URGENCY = date(9999, 12, 31)


class TriageEntry(Base):
    __tablename__ = "triage_entries"
    __table_args__ = (
        # the queue's order, restricted to open requests (first page and keyset pages)
        Index("ix_triage_entries_queue", "is_open", "urgency_key", "submitted_at", "request_id"),
        Index("ix_triage_entries_country", "country", "is_open"),
        Index("ix_triage_entries_assignee", "assignee_id", "is_open"),
        Index("ix_triage_entries_status", "status"),
        Index("ix_triage_entries_authority", "authority_id"),
        # periods of the dashboard; with first_action_at, the time to triage is an
        # index-only scan
        Index("ix_triage_entries_submitted_action", "submitted_at", "first_action_at"),
        Index("ix_triage_entries_closed", "closed_at"),
        # the queue's service-target filter (overdue, due soon): a range of one column
        Index("ix_triage_entries_target_due", "target_due"),
        # the median time to triage: the delays of one whole-day bucket, in order
        Index("ix_triage_entries_triage_seconds", "triage_seconds", "submitted_at"),
    )

    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), primary_key=True,
                                            autoincrement=False)
    reference: Mapped[str] = mapped_column(String(32), default="")
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    country: Mapped[str] = mapped_column(String(2), default="")
    # (active_history: a change's old value is loaded, for the attorney's load)
    status: Mapped[str] = mapped_column(String(20), active_history=True)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True, active_history=True)
    #: ``,type1,type2,`` so that one type is found with LIKE '%,type,%'.
    types: Mapped[str] = mapped_column(String(300), default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    urgency_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    urgency_key: Mapped[date] = mapped_column(Date, default=NO_URGENCY)
    #: First submission (the age of the request counts from here).
    # (active_history on the moments the daily counts read: a change's old value is loaded)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), active_history=True)
    last_submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    first_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True,
                                                             active_history=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True,
                                                       active_history=True)
    #: Seconds from first submission to first action (kept by portal.triage.daily_counts).
    triage_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True,
                                                    active_history=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0, active_history=True)
    blockers: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    acknowledged: Mapped[int] = mapped_column(Integer, default=0)
    duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    resubmit_unchanged: Mapped[bool] = mapped_column(Boolean, default=False)
    referral_district: Mapped[str] = mapped_column(String(3), default="")
    referral_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: Hand-off to OIA's case system (filled by the packages module; empty until then).
    handoff: Mapped[str] = mapped_column(String(20), default="")
    # Service targets (portal.triage.targets; the clock: portal.triage.target_clock): when the
    # clock last started (a submission, a reopening), the due date of each target and when it
    # was met, and the earliest due date still owed (None while returned or closed).
    # (active_history: the daily counts of the targets owed read a change's old values)
    target_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    action_due: Mapped[date | None] = mapped_column(Date, nullable=True, active_history=True)
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True,
                                                      active_history=True)
    decision_due: Mapped[date | None] = mapped_column(Date, nullable=True, active_history=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True,
                                                        active_history=True)
    target_due: Mapped[date | None] = mapped_column(Date, nullable=True, active_history=True)

    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])


class TriageKey(Base):
    """One normalized identifier, account or name of a request's latest version."""

    __tablename__ = "triage_keys"
    __table_args__ = (
        Index("ix_triage_keys_value_kind", "value", "kind"),
        Index("ix_triage_keys_request", "request_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    #: email, phone, ip, username, account_id, url, domain, imei, other, account, person,
    #: name_part (search only)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(200))
    #: For IP addresses: when the address was used (duplicates need the same time window).
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Where it is in the request (e.g. ``assistance[0].identifiers[1]``).
    path: Mapped[str] = mapped_column(String(120), default="")


class Portfolio(Base):
    """A country an OIA attorney covers (``*`` = every country)."""

    __tablename__ = "triage_portfolios"
    __table_args__ = (UniqueConstraint("user_id", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    country: Mapped[str] = mapped_column(String(2))


class TriageReturn(Base):
    """A return for deficiency: the findings OIA chose and its notes."""

    __tablename__ = "triage_returns"
    __table_args__ = (Index("ix_triage_returns_request_at", "request_id", "at"),
                      Index("ix_triage_returns_at", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    country: Mapped[str] = mapped_column(String(2), default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    items: Mapped[list[TriageReturnItem]] = relationship(
        back_populates="ret", order_by="TriageReturnItem.id")


class TriageReturnItem(Base):
    """One finding named by a return (its code, field and message parameters)."""

    __tablename__ = "triage_return_items"
    __table_args__ = (Index("ix_triage_return_items_return", "return_id"),
                      Index("ix_triage_return_items_code", "code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("triage_returns.id"))
    code: Mapped[str] = mapped_column(String(40))
    path: Mapped[str] = mapped_column(String(200), default="")
    params_json: Mapped[str] = mapped_column(Text, default="{}")

    ret: Mapped[TriageReturn] = relationship(back_populates="items")


class Referral(Base):
    """A referral to a U.S. Attorney's Office, open until the request leaves ``referred``."""

    __tablename__ = "triage_referrals"
    __table_args__ = (Index("ix_triage_referrals_request", "request_id"),
                      Index("ix_triage_referrals_district_at", "district", "referred_at"),
                      # the dashboard's open and overdue referrals: the open ones only
                      Index("ix_triage_referrals_open", "referred_at", "district", "due_date",
                            postgresql_where=text("closed_at IS NULL"),
                            sqlite_where=text("closed_at IS NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    district: Mapped[str] = mapped_column(String(3))
    due_date: Mapped[date] = mapped_column(Date)
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class TriageNote(Base):
    """OIA's internal note on a timeline event (assignment, referral): kept out of
    ``request_events.note``, which the requesting authority reads on its timeline."""

    __tablename__ = "triage_notes"

    event_id: Mapped[int] = mapped_column(ForeignKey("request_events.id"), primary_key=True,
                                          autoincrement=False)
    note: Mapped[str] = mapped_column(Text, default="")
    #: A coded reason (decline reasons: see portal.triage.operations.DECLINE_REASONS).
    reason: Mapped[str] = mapped_column(String(40), default="")


class AttorneyLoad(Base):
    """An attorney's load: the count and summed weight of the open requests assigned to them,
    returned ones excepted (kept by :func:`_count_loads`; :func:`recount_loads` rebuilds it)."""

    __tablename__ = "triage_loads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True,
                                         autoincrement=False)
    count: Mapped[int] = mapped_column(Integer, default=0)
    weight: Mapped[float] = mapped_column(Float, default=0.0)


class DailyCount(Base):
    """A count of one UTC day (kept by portal.triage.daily_counts, in the transaction of the
    change that moves it): requests first submitted, still open (by the day of their first
    submission), closed, triaged (``key``: whole days to the first action), returns (``key``:
    country), returned findings (``key``: rule code), USAO referrals (``key``: district), open
    requests owing a service target (by its due date). The dashboard adds up days, not
    requests."""

    __tablename__ = "triage_daily"

    measure: Mapped[str] = mapped_column(String(12), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    n: Mapped[int] = mapped_column(Integer, default=0)


RETURNED = "returned"


def _share(assignee_id: Any, status: Any, is_open: Any, weight: Any) -> tuple[int, float] | None:
    """What an entry with these values adds to its assignee's load (None: nothing)."""
    if assignee_id is None or not is_open or status == RETURNED:
        return None
    return assignee_id, float(weight if weight is not None else 1.0)


def _old_and_new(entry: TriageEntry, new: bool, deleted: bool) -> tuple[Any, Any]:
    state = inspect(entry)
    values: dict[str, tuple[Any, Any]] = {}
    for key in ("assignee_id", "status", "is_open", "weight"):
        history = state.attrs[key].history
        current = getattr(entry, key)
        old = history.deleted[0] if history.deleted else current
        values[key] = (old, current)
    old = None if new else _share(*(values[k][0] for k in values))
    now = None if deleted else _share(*(values[k][1] for k in values))
    return old, now


@event.listens_for(Session, "before_flush")
def _count_loads(session: Session, _context: Any, _instances: Any) -> None:
    """Move the changed entries' shares between the attorneys' loads, in the same flush (an
    increment, so that two transactions assigning at once both count)."""
    deltas: dict[int, list[float]] = {}
    for group, new, deleted in ((session.new, True, False), (session.dirty, False, False),
                                (session.deleted, False, True)):
        for entry in group:
            if not isinstance(entry, TriageEntry):
                continue
            old, now = _old_and_new(entry, new, deleted)
            if old == now:
                continue
            for share, sign in ((old, -1), (now, 1)):
                if share is not None:
                    delta = deltas.setdefault(share[0], [0, 0.0])
                    delta[0] += sign
                    delta[1] += sign * share[1]
    if deltas:
        add_to_loads(session, {k: (int(v[0]), v[1]) for k, v in deltas.items() if any(v)})


def add_to_loads(session: Session, deltas: dict[int, tuple[int, float]]) -> None:
    """Add (count, weight) to each attorney's load, making the row when missing."""
    if not deltas:
        return
    dialect = session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for user_id, (count, weight) in sorted(deltas.items()):  # one order: no deadlock
        statement = make(AttorneyLoad).values(user_id=user_id, count=count, weight=weight)
        session.execute(statement.on_conflict_do_update(
            index_elements=[AttorneyLoad.user_id],
            set_={"count": AttorneyLoad.count + count, "weight": AttorneyLoad.weight + weight}))
