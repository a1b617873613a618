"""OIA's service targets on the queue entries (what counts and when: portal.triage.target_clock).

The clock's dates are stored on the entry when it starts or moves - :func:`restart` at each
submission, :func:`record_action` at each OIA action, :func:`refresh_due` at each change of
status - so that the queue filters and the dashboard count on one indexed column
(``target_due``, the earliest due date still owed) instead of computing working days per row.
:func:`recompute` fills them again from the timelines (after ``PORTAL_TARGET_*`` changed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from portal.requests.models import RequestEvent
from portal.target_settings import TargetSettings
from portal.triage import daily_counts
from portal.triage import target_clock as tc
from portal.triage.models import DailyCount, TriageEntry

FIRST_ACTION = "first_action"
DECISION = "decision"
KINDS = (FIRST_ACTION, DECISION)
#: "Due soon": due today or within this many working days.
SOON_DAYS = 2
#: The queue's filter values.
FILTERS = ("overdue", "soon")


def clock_of(entry: Any) -> tc.Clock | None:
    """The clock stored on an entry (or a row with its columns); None before it started."""
    if entry.target_started_at is None or entry.action_due is None \
            or entry.decision_due is None:
        return None
    return tc.Clock(started_at=entry.target_started_at, action_due=entry.action_due,
                    decision_due=entry.decision_due, acted_at=entry.acted_at,
                    decided_at=entry.decided_at)


def _store(entry: TriageEntry, clock: tc.Clock | None) -> None:
    entry.target_started_at = clock.started_at if clock else None
    entry.action_due = clock.action_due if clock else None
    entry.acted_at = clock.acted_at if clock else None
    entry.decision_due = clock.decision_due if clock else None
    entry.decided_at = clock.decided_at if clock else None
    refresh_due(entry)


def refresh_due(entry: TriageEntry) -> None:
    """Keep ``target_due`` in step with the entry's status and clock."""
    clock = clock_of(entry)
    entry.target_due = clock.pending_due(entry.status, entry.is_open) if clock else None


def restart(entry: TriageEntry, at: datetime, settings: TargetSettings) -> None:
    """A submission (first, or again after a return): both targets start over."""
    _store(entry, tc.start(at, settings.first_action_days, settings.decision_days))


def record_action(entry: TriageEntry, at: datetime, to_status: str, settings: TargetSettings,
                  *, reopened: bool = False) -> None:
    """An OIA action at ``at`` leading to ``to_status`` (a reopening starts the clock again,
    its first action done)."""
    clock = tc.start(at, settings.first_action_days, settings.decision_days) if reopened \
        else clock_of(entry)
    if clock is None:  # (no submission recorded: nothing to measure)
        refresh_due(entry)
        return
    _store(entry, clock.after_action(at, to_status))


def from_events(db: Session, request_id: int, settings: TargetSettings) -> tc.Clock | None:
    events = [(at, kind, to_status) for at, kind, to_status in db.execute(
        select(RequestEvent.at, RequestEvent.kind, RequestEvent.to_status)
        .where(RequestEvent.request_id == request_id)
        .order_by(RequestEvent.at, RequestEvent.id))]
    return tc.from_timeline(events, settings.first_action_days, settings.decision_days)


def fill(db: Session, entry: TriageEntry, settings: TargetSettings) -> None:
    """The entry's clock from its request's timeline."""
    _store(entry, from_events(db, entry.request_id, settings))


def recompute(db: Session, settings: TargetSettings, *, batch: int = 1000) -> int:
    """Every entry's clock again from the timelines, a batch of requests at a time."""
    count = 0
    after = 0
    while True:
        entries = list(db.scalars(select(TriageEntry).where(TriageEntry.request_id > after)
                                  .order_by(TriageEntry.request_id).limit(batch)))
        if not entries:
            return count
        ids = [e.request_id for e in entries]
        timelines: dict[int, list[tuple[datetime, str, str]]] = {i: [] for i in ids}
        for request_id, at, kind, to_status in db.execute(
                select(RequestEvent.request_id, RequestEvent.at, RequestEvent.kind,
                       RequestEvent.to_status)
                .where(RequestEvent.request_id.in_(ids))
                .order_by(RequestEvent.request_id, RequestEvent.at, RequestEvent.id)):
            timelines[request_id].append((at, kind, to_status))
        for entry in entries:
            _store(entry, tc.from_timeline(timelines[entry.request_id],
                                           settings.first_action_days, settings.decision_days))
        db.flush()
        count += len(entries)
        after = ids[-1]


# ------------------------------------------------------------------------- reading the targets

def soon_until(office_day: date) -> date:
    """The last due date counted as "due soon" on ``office_day``."""
    return tc.add_working_days(office_day, SOON_DAYS)


def due_filter(which: str, office_day: date) -> ColumnElement[bool] | None:
    """The queue's condition for ``overdue`` or ``soon`` (None for anything else): a range of
    ``target_due``, which is NULL when nothing is owed."""
    if which == "overdue":
        return TriageEntry.target_due < office_day
    if which == "soon":
        return and_(TriageEntry.target_due >= office_day,
                    TriageEntry.target_due <= soon_until(office_day))
    return None


def pending_kind(target_due: date | None, action_due: date | None,
                 acted_at: datetime | None) -> str:
    """Which target ``target_due`` is ("" when nothing is owed)."""
    if target_due is None:
        return ""
    return FIRST_ACTION if acted_at is None and action_due == target_due else DECISION


@dataclass(frozen=True)
class TargetView:
    """One target of a request as the package view shows it."""

    kind: str
    due: date
    done_at: datetime | None
    done_on: date | None  # the day in Washington it was met
    standing: tc.Standing | None  # while owed and the request is with OIA
    late_days: int  # once met: working days past the due date (0: on time)


def views(entry: Any, office_day: date) -> list[TargetView]:
    """Both targets of an entry (or a row with its columns); empty before the clock started."""
    clock = clock_of(entry)
    if clock is None:
        return []
    owed = clock.pending_due(entry.status, entry.is_open) is not None
    out = []
    for kind, due, done in ((FIRST_ACTION, clock.action_due, clock.acted_at),
                            (DECISION, clock.decision_due, clock.decided_at)):
        out.append(TargetView(kind, due, done, tc.office_date(done) if done else None,
                              tc.standing(due, office_day) if done is None and owed else None,
                              tc.late_by(due, done) if done is not None else 0))
    return out


@dataclass(frozen=True)
class TargetCount:
    """The dashboard's figures of one target over the open requests that owe it."""

    kind: str
    owed: int
    overdue: int
    soon: int


def counts(db: Session, office_day: date) -> list[TargetCount]:
    """Per target: open requests owing it now, overdue, due soon (sums over the due dates of
    the daily counts, portal.triage.daily_counts: a few hundred rows, not the entries)."""
    until = soon_until(office_day)
    due, n = DailyCount.day, DailyCount.n
    found = {measure: (int(owed or 0), int(late or 0), int(soon or 0))
             for measure, owed, late, soon in db.execute(
                 select(DailyCount.measure, func.sum(n),
                        func.sum(case((due < office_day, n), else_=0)),
                        func.sum(case(((due >= office_day) & (due <= until), n), else_=0)))
                 .where(DailyCount.measure.in_([m for m, _d, _f in daily_counts.OWED]))
                 .group_by(DailyCount.measure))}
    return [TargetCount(kind, *found.get(measure, (0, 0, 0)))
            for kind, (measure, _due, _done) in zip(KINDS, daily_counts.OWED, strict=True)]
