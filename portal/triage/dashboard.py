"""The dashboard's figures for a period, computed in the database with grouped queries: pending
caseload per week, ages of the open requests, time to triage, returns by rule and by country,
caseloads, USAO referrals and the service targets owed now (shown by
portal.web.triage.dashboard_tables)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    column,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.orm import Session

from portal.db import UTCDateTime
from portal.triage import caseload, target_clock, targets
from portal.triage.models import Referral, TriageEntry, TriageReturn, TriageReturnItem

AGE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 30), (31, 90), (91, 180), (181, 365),
                                                   (366, None))
TABLES = ("pending", "ages", "time_to_triage", "returns_by_rule", "returns_by_country",
          "attorneys", "referrals", "targets")


@dataclass(frozen=True)
class Figures:
    start: date
    end: date
    pending: list[tuple[date, int]]
    ages: list[tuple[str, int]]
    median_days: float | None
    triaged: int
    untriaged: int
    returns_by_rule: list[tuple[str, int]]
    returns_by_country: list[tuple[str, int]]
    attorneys: list[tuple[str, int, float]]
    referrals: list[tuple[str, int, int, int]]  # district, total, open, overdue
    #: Now (whatever the period): per target, the open requests owing it, overdue, due soon.
    targets: list[targets.TargetCount]


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _postgresql(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def _at(moment: datetime) -> ColumnElement[Any]:
    return literal(moment, UTCDateTime())


#: A week in absolute hours: adding days to a timestamp with time zone would follow the
#: session's time zone across its daylight saving changes.
WEEK: ColumnElement[Any] = literal_column("interval '168 hours'")


def _weeks(start: date, end: date) -> list[tuple[date, datetime, datetime]]:
    """Each week of the period from its Monday: (Monday, from, until), ``until`` being the
    start of the next week or of the day after ``end``."""
    out = []
    week = start - timedelta(days=start.weekday())
    after = end + timedelta(days=1)
    while week <= end:
        out.append((week, _start_of(week), _start_of(min(week + timedelta(days=7), after))))
        week += timedelta(days=7)
    return out


def _weekly_counts(db: Session, weeks: list[tuple[date, datetime, datetime]]
                   ) -> list[tuple[int, int]]:
    """Per week, how many requests were (first) submitted and how many closed in it (two range
    counts per week on PostgreSQL; grouped by day, then summed per week on SQLite)."""
    first, last, until = weeks[0][1], weeks[-1][1], weeks[-1][2]
    if _postgresql(db):
        series = func.generate_series(_at(first), _at(last), WEEK).table_valued(
            column("lo", UTCDateTime())).render_derived("weeks")
        lo = series.c.lo
        hi = func.least(lo + WEEK, _at(until))

        def count(moment: Any) -> Any:
            return (select(func.count()).select_from(TriageEntry)
                    .where(moment >= lo, moment < hi).scalar_subquery())

        rows = db.execute(select(lo, count(TriageEntry.submitted_at),
                                 count(TriageEntry.closed_at)).order_by(lo)).all()
        if [row[0] for row in rows] != [w[1] for w in weeks]:  # pragma: no cover
            raise RuntimeError("the weeks of the database are not the dashboard's")
        return [(int(s), int(c)) for _lo, s, c in rows]
    monday = weeks[0][0]
    counts = [[0, 0] for _ in weeks]
    for index, moment in enumerate((TriageEntry.submitted_at, TriageEntry.closed_at)):
        day = func.date(moment)
        for value, n in db.execute(select(day, func.count())
                                   .where(moment >= first, moment < until).group_by(day)):
            counts[(date.fromisoformat(str(value)[:10]) - monday).days // 7][index] += int(n)
    return [(s, c) for s, c in counts]


def _count_before(db: Session, column: Any, before: datetime) -> int:
    return int(db.scalar(select(func.count()).select_from(TriageEntry)
                         .where(column < before)) or 0)


def pending_per_week(db: Session, start: date, end: date) -> list[tuple[date, int]]:
    """Open requests at the end of each week: those submitted minus those closed by then.
    The history before the period is two indexed counts, then each week adds its own."""
    weeks = _weeks(start, end)
    if not weeks:
        return []
    counts = _weekly_counts(db, weeks)
    opened = _count_before(db, TriageEntry.submitted_at, weeks[0][1])
    shut = _count_before(db, TriageEntry.closed_at, weeks[0][1])
    out: list[tuple[date, int]] = []
    for (week, _from, _until), (submitted, closed) in zip(weeks, counts, strict=True):
        opened += submitted
        shut += closed
        out.append((week, opened - shut))
    return out


def age_buckets(db: Session, today: date) -> list[tuple[str, int]]:
    tomorrow = _start_of(today + timedelta(days=1))
    columns = []
    for low, high in AGE_BUCKETS:
        cond = TriageEntry.submitted_at < tomorrow - timedelta(days=low)
        if high is not None:
            cond = cond & (TriageEntry.submitted_at >= tomorrow - timedelta(days=high + 1))
        columns.append(func.sum(case((cond, 1), else_=0)))
    row = db.execute(select(*columns).where(TriageEntry.is_open.is_(True))).one()
    labels = [f"{low}–{high}" if high is not None else f"{low}+" for low, high in AGE_BUCKETS]
    return [(label, int(value or 0)) for label, value in zip(labels, row, strict=True)]


def time_to_triage(db: Session, start: date, end: date) -> tuple[float | None, int, int]:
    """Median days from submission to the first triage action of the requests submitted in
    the period, how many had one, how many did not (SQLite, without a percentile function,
    reads the rows)."""
    period = and_(TriageEntry.submitted_at >= _start_of(start),
                  TriageEntry.submitted_at < _start_of(end + timedelta(days=1)))
    if _postgresql(db):
        seconds = func.date_part("epoch", TriageEntry.first_action_at
                                 - TriageEntry.submitted_at)
        # (percentile_cont ignores the NULLs of the requests not triaged yet)
        acted_count, total, value = db.execute(
            select(func.count(TriageEntry.first_action_at), func.count(),
                   func.percentile_cont(0.5).within_group(seconds)).where(period)).one()
        triaged, untriaged = int(acted_count or 0), int(total or 0) - int(acted_count or 0)
        if not triaged:
            return None, 0, untriaged
        return round(float(value) / 86400, 1), triaged, untriaged
    acted = TriageEntry.first_action_at.is_not(None)
    counts = db.execute(select(func.sum(case((acted, 1), else_=0)),
                               func.sum(case((acted, 0), else_=1))).where(period)).one()
    triaged, untriaged = int(counts[0] or 0), int(counts[1] or 0)
    if not triaged:
        return None, 0, untriaged
    days = [(first - submitted).total_seconds() / 86400 for submitted, first in db.execute(
        select(TriageEntry.submitted_at, TriageEntry.first_action_at).where(period, acted))
        if first is not None]
    return round(statistics.median(days), 1), triaged, untriaged


def _in_period(column: Any, start: date, end: date) -> ColumnElement[bool]:
    return and_(column >= _start_of(start), column < _start_of(end + timedelta(days=1)))


def returns_by_rule(db: Session, start: date, end: date) -> list[tuple[str, int]]:
    count = func.count(TriageReturnItem.id)
    rows = db.execute(select(TriageReturnItem.code, count)
                      .join(TriageReturn, TriageReturn.id == TriageReturnItem.return_id)
                      .where(_in_period(TriageReturn.at, start, end))
                      .group_by(TriageReturnItem.code).order_by(count.desc(),
                                                                TriageReturnItem.code))
    return [(code, int(n)) for code, n in rows]


def returns_by_country(db: Session, start: date, end: date) -> list[tuple[str, int]]:
    count = func.count(TriageReturn.id)
    rows = db.execute(select(TriageReturn.country, count)
                      .where(_in_period(TriageReturn.at, start, end))
                      .group_by(TriageReturn.country).order_by(count.desc(),
                                                               TriageReturn.country))
    return [(country, int(n)) for country, n in rows]


def referrals_by_district(db: Session, start: date, end: date, today: date
                          ) -> list[tuple[str, int, int, int]]:
    still_open = Referral.closed_at.is_(None)
    rows = db.execute(
        select(Referral.district, func.count(),
               func.sum(case((still_open, 1), else_=0)),
               func.sum(case((still_open & (Referral.due_date < today), 1), else_=0)))
        .where(_in_period(Referral.referred_at, start, end))
        .group_by(Referral.district).order_by(Referral.district))
    return [(d, int(t), int(o or 0), int(v or 0)) for d, t, o, v in rows]


def compute(db: Session, start: date, end: date, *, today: date,
            office_day: date | None = None) -> Figures:
    """``office_day``: today in Washington, for the service targets (default: now's)."""
    median, triaged, untriaged = time_to_triage(db, start, end)
    return Figures(
        start=start, end=end, pending=pending_per_week(db, start, end),
        ages=age_buckets(db, today), median_days=median, triaged=triaged, untriaged=untriaged,
        returns_by_rule=returns_by_rule(db, start, end),
        returns_by_country=returns_by_country(db, start, end),
        attorneys=[(load.user.name, load.count, load.weight) for load in caseload.loads(db)],
        referrals=referrals_by_district(db, start, end, today),
        targets=targets.counts(db, office_day or target_clock.office_today()))
