"""The service-target clock, in OIA's working days (pure: no Flask, no database).

A working day is a Monday to Friday in Washington (America/New_York) that is not a U.S.
federal holiday as observed (the ``holidays`` package, country US, no state: a holiday falling
on a Saturday is observed the Friday before, on a Sunday the Monday after).

Each submission (the first, or again after a return) starts the clock, and so does OIA's
reopening of a closed request:

- **first action**: OIA's first triage action after the clock started (open for triage,
  assign, return, accept, decline, refer, ... - any action of portal.triage.operations;
  the reopening is itself one; an ask for documents is one too). Messages in the thread do
  not count, nor the documents the requester sends.
- **decision**: OIA's first action after the clock started that takes the request out of
  triage with an outcome: accepted (and the steps after it), returned for deficiency, or
  declined.

A target of N working days is due at the end of the N-th working day after the day the clock
started (a request submitted on a Saturday with a 5-day target is due on Friday; on a Monday,
the next Monday). While the request is returned (with the requester) or closed, nothing is due.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

OFFICE = ZoneInfo("America/New_York")
#: Statuses that mean OIA has decided (the request left triage with an outcome).
DECIDED = frozenset({"returned", "accepted", "assigned", "referred", "in_execution",
                     "completed", "declined"})
#: Timeline events that start the clock (kinds of portal.requests.models.RequestEvent).
STARTS = frozenset({"submitted", "resubmitted", "reopened"})
#: Timeline events that are not OIA's actions.
NOT_OIA = frozenset({"created", "submitted", "resubmitted", "withdrawn", "documents_added"})
#: The longest target (a bound on the day-by-day walks below).
MAX_DAYS = 250


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[date]:
    """The federal holidays of a year as observed (a frozen copy: ``holidays`` fills its
    dictionaries lazily, which is not safe across threads)."""
    return frozenset(holidays.country_holidays("US", years=year, observed=True).keys())


def is_holiday(day: date) -> bool:
    return day in _holidays_of(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def office_date(moment: datetime) -> date:
    """The day in Washington at ``moment`` (an aware datetime; a naive one is taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(OFFICE).date()


def office_today(now: datetime | None = None) -> date:
    return office_date(now or datetime.now(UTC))


@lru_cache(maxsize=8192)
def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts; 0 days:
    ``start`` if it is a working day, else the next one)."""
    if days < 0 or days > MAX_DAYS:
        raise ValueError(f"working days must be between 0 and {MAX_DAYS}, got {days}")
    day = start
    if days == 0:
        while not is_working_day(day):
            day += timedelta(days=1)
        return day
    left = days
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """The working days after ``start`` up to and including ``end`` (negative when ``end``
    is before ``start``)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1)
               if is_working_day(start + timedelta(days=n)))


@dataclass(frozen=True)
class Standing:
    """Where a pending target stands on a day: due in ``days`` working days (0: due today),
    or overdue by ``days`` working days (at least 1: the first day past the due date, a
    weekend's included, is overdue)."""

    days: int
    overdue: bool


def standing(due: date, today: date) -> Standing:
    if today <= due:
        return Standing(working_days_between(today, due), overdue=False)
    return Standing(max(1, working_days_between(due, today)), overdue=True)


def late_by(due: date, done_at: datetime) -> int:
    """Working days by which a target met at ``done_at`` missed its due date (0: on time)."""
    return max(0, working_days_between(due, office_date(done_at)))


@dataclass(frozen=True)
class Clock:
    """A request's service targets since its clock last started."""

    started_at: datetime
    action_due: date
    decision_due: date
    acted_at: datetime | None = None
    decided_at: datetime | None = None

    def pending_due(self, status: str, is_open: bool) -> date | None:
        """The earliest due date of the targets still owed (None: nothing owed now)."""
        if not is_open or status == "returned":
            return None
        owed = [due for due, done in ((self.action_due, self.acted_at),
                                      (self.decision_due, self.decided_at)) if done is None]
        return min(owed) if owed else None

    def after_action(self, at: datetime, to_status: str) -> Clock:
        """The clock after an OIA action at ``at`` leading to ``to_status``."""
        return replace(self, acted_at=self.acted_at or at,
                       decided_at=self.decided_at or (at if to_status in DECIDED else None))


def start(at: datetime, first_action_days: int, decision_days: int) -> Clock:
    day = office_date(at)
    return Clock(started_at=at, action_due=add_working_days(day, first_action_days),
                 decision_due=add_working_days(day, decision_days))


def from_timeline(events: Iterable[tuple[datetime, str, str]], first_action_days: int,
                  decision_days: int) -> Clock | None:
    """The clock from a request's timeline: (at, kind, to_status) in order of time (None
    before any submission). Used to fill the entries of requests submitted before the
    targets existed, and when the targets change."""
    clock: Clock | None = None
    for at, kind, to_status in events:
        if kind in STARTS:
            clock = start(at, first_action_days, decision_days)
            if kind == "reopened":  # OIA's own action: the first action is done
                clock = replace(clock, acted_at=at)
        elif clock is not None and kind not in NOT_OIA:
            clock = clock.after_action(at, to_status)
    return clock
