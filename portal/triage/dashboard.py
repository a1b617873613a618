"""The dashboard's figures for a period: pending caseload per week, ages of the open requests,
time to triage, returns by rule and by country, caseloads, USAO referrals and the service
targets owed now (shown by portal.web.triage.dashboard_tables).

The figures of a period are sums over its days of the daily counts (portal.triage.daily_counts),
so that their cost does not grow with the requests; so are the ages of the open requests (by
the day of their first submission). The other figures of now (open referrals, targets owed,
caseloads) read the open rows through their indexes."""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from portal.triage import caseload, daily_counts, target_clock, targets
from portal.triage.models import DailyCount, Referral, TriageEntry

log = logging.getLogger(__name__)
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


def _weeks(start: date, end: date) -> list[date]:
    """The Monday of each week of the period (the last week ends with ``end``)."""
    out = []
    week = start - timedelta(days=start.weekday())
    while week <= end:
        out.append(week)
        week += timedelta(days=7)
    return out


def _sums(db: Session, measure: str, start: date, end: date) -> list[tuple[str, int]]:
    """(key, count) of a measure over the period, the largest first: its whole months from
    the monthly counts, the days of its two ends from the daily ones."""
    first = start if start.day == 1 else (start.replace(day=1) + timedelta(days=32)).replace(
        day=1)
    after = (end + timedelta(days=1)).replace(day=1)  # the first month not whole
    if first < after:
        days = or_(and_(DailyCount.day >= start, DailyCount.day < first),
                   and_(DailyCount.day >= after, DailyCount.day <= end))
        where = or_(and_(DailyCount.measure == measure, days),
                    and_(DailyCount.measure == daily_counts.monthly(measure),
                         DailyCount.day >= first, DailyCount.day < after))
    else:
        where = and_(DailyCount.measure == measure, DailyCount.day >= start,
                     DailyCount.day <= end)
    total = func.sum(DailyCount.n)
    rows = db.execute(select(DailyCount.key, total).where(where)
                      .group_by(DailyCount.key).having(total > 0)
                      .order_by(total.desc(), DailyCount.key))
    return [(key, int(n)) for key, n in rows]


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def pending_per_week(db: Session, start: date, end: date) -> list[tuple[date, int]]:
    """Open requests at the end of each week: those submitted minus those closed by then
    (the days before the first week added up in the database, then each day of the period)."""
    weeks = _weeks(start, end)
    if not weeks:
        return []
    monday = weeks[0]
    # (None stands for every day before the first Monday)
    day = case((DailyCount.day < monday, None), else_=DailyCount.day)
    rows = db.execute(select(DailyCount.measure, day, func.sum(DailyCount.n))
                      .where(DailyCount.measure.in_((daily_counts.SUBMITTED,
                                                     daily_counts.CLOSED)),
                             DailyCount.day <= end)
                      .group_by(DailyCount.measure, day))
    opened, shut = 0, 0
    moves = [[0, 0] for _ in weeks]
    for measure, value, n in rows:
        index = 0 if measure == daily_counts.SUBMITTED else 1
        if value is None:
            opened, shut = (opened + int(n), shut) if index == 0 else (opened, shut + int(n))
        else:
            moves[(_day(value) - monday).days // 7][index] += int(n)
    out: list[tuple[date, int]] = []
    for week, (submitted, closed) in zip(weeks, moves, strict=True):
        opened += submitted
        shut += closed
        out.append((week, opened - shut))
    return out


def age_buckets(db: Session, today: date) -> list[tuple[str, int]]:
    """Now: the open requests by age in days (from the day of their first submission)."""
    day = DailyCount.day
    columns = []
    for low, high in AGE_BUCKETS:
        cond = day <= today - timedelta(days=low)
        if high is not None:
            cond = cond & (day >= today - timedelta(days=high))
        columns.append(func.sum(case((cond, DailyCount.n), else_=0)))
    row = db.execute(select(*columns).where(DailyCount.measure == daily_counts.OPEN)).one()
    labels = [f"{low}–{high}" if high is not None else f"{low}+" for low, high in AGE_BUCKETS]
    return [(label, int(value or 0)) for label, value in zip(labels, row, strict=True)]


def _delays_at(db: Session, start: date, end: date, bucket: int, offset: int, count: int
               ) -> list[float]:
    """``count`` delays (seconds) in order from the ``offset``-th of a whole-day bucket, among
    the requests submitted in the period (a range of ix_triage_entries_triage_seconds)."""
    low = float(bucket * daily_counts.DAY_SECONDS)
    return [float(v) for v in db.scalars(
        select(TriageEntry.triage_seconds)
        .where(TriageEntry.triage_seconds >= low,
               TriageEntry.triage_seconds < low + daily_counts.DAY_SECONDS,
               TriageEntry.submitted_at >= _start_of(start),
               TriageEntry.submitted_at < _start_of(end + timedelta(days=1)))
        .order_by(TriageEntry.triage_seconds).offset(offset).limit(count)) if v is not None]


def _ranked(db: Session, start: date, end: date, buckets: list[tuple[int, int]],
            ranks: list[int]) -> list[float]:
    """The delays at these ranks (0: the shortest) of the period: the bucket of each from
    the daily counts, then its place in that bucket from the index."""
    found: list[float] = []
    before = 0
    for bucket, n in buckets:
        inside = [rank - before for rank in ranks if before <= rank < before + n]
        if inside:
            found += _delays_at(db, start, end, bucket, inside[0], inside[-1] - inside[0] + 1)
        before += n
    return found


def time_to_triage(db: Session, start: date, end: date) -> tuple[float | None, int, int]:
    """Median days from submission to the first triage action of the requests submitted in
    the period (as PostgreSQL's percentile_cont, or Python's median on SQLite), how many had
    one, how many did not."""
    submitted = sum(n for _key, n in _sums(db, daily_counts.SUBMITTED, start, end))
    buckets = sorted((int(key), n) for key, n in _sums(db, daily_counts.TRIAGED, start, end))
    triaged = sum(n for _bucket, n in buckets)
    if not triaged:
        return None, 0, submitted
    middle = sorted({(triaged - 1) // 2, triaged // 2})
    values = _ranked(db, start, end, buckets, middle)
    if len(values) != len(middle):  # the counts are not those of the entries
        log.warning("triage_daily is out of step: run `portal triage rebuild-aggregates`")
        return None, triaged, submitted - triaged
    low, high = values[0], values[-1]
    if _postgresql(db):
        median = (low + (high - low) * 0.5) / daily_counts.DAY_SECONDS
    else:
        median = statistics.median([low / daily_counts.DAY_SECONDS,
                                    high / daily_counts.DAY_SECONDS][:len(values)])
    return round(median, 1), triaged, submitted - triaged


def returns_by_rule(db: Session, start: date, end: date) -> list[tuple[str, int]]:
    return _sums(db, daily_counts.RULES, start, end)


def returns_by_country(db: Session, start: date, end: date) -> list[tuple[str, int]]:
    return _sums(db, daily_counts.RETURNS, start, end)


def referrals_by_district(db: Session, start: date, end: date, today: date
                          ) -> list[tuple[str, int, int, int]]:
    """Per district, the referrals of the period (daily counts), and of them those still open
    and overdue (now: through the index of the open referrals)."""
    overdue = func.sum(case((Referral.due_date < today, 1), else_=0))
    still_open = {district: (int(n), int(late or 0)) for district, n, late in db.execute(
        select(Referral.district, func.count(), overdue)
        .where(Referral.closed_at.is_(None),
               Referral.referred_at >= _start_of(start),
               Referral.referred_at < _start_of(end + timedelta(days=1)))
        .group_by(Referral.district))}
    totals = sorted(_sums(db, daily_counts.REFERRALS, start, end))
    return [(district, total, *still_open.get(district, (0, 0))) for district, total in totals]


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
