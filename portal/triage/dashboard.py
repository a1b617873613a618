"""The dashboard's figures, computed in the database with grouped queries (no row-by-row work
over the whole caseload), for a date range.

- pending caseload per week: requests first submitted on or before the week's last day and not
  closed by then (closure as currently recorded: a reopened request counts as open);
- age buckets of the open requests today;
- median days from (first) submission to the first triage action, for requests submitted in
  the period;
- returns by rule code and by country, for returns made in the period;
- open caseload and weighted load per attorney, today;
- USAO referrals made in the period, by district: total, still open, overdue today.
"""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from portal.triage import caseload
from portal.triage import charts as svg
from portal.triage.models import Referral, TriageEntry, TriageReturn, TriageReturnItem

AGE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 30), (31, 90), (91, 180), (181, 365),
                                                   (366, None))
TABLES = ("pending", "ages", "time_to_triage", "returns_by_rule", "returns_by_country",
          "attorneys", "referrals")


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


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _day(db: Session, column: Any) -> ColumnElement[Any]:
    if db.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _daily(db: Session, column: Any, since: datetime, before: datetime
           ) -> list[tuple[date, int]]:
    day = _day(db, column)
    rows = db.execute(select(day, func.count()).where(column >= since, column < before)
                      .group_by(day).order_by(day))
    return [(_as_date(d), int(n)) for d, n in rows]


def _count_before(db: Session, column: Any, before: datetime) -> int:
    return int(db.scalar(select(func.count()).select_from(TriageEntry)
                         .where(column < before)) or 0)


def pending_per_week(db: Session, start: date, end: date) -> list[tuple[date, int]]:
    """Open requests at the end of each week: those submitted minus those closed by then.
    The history before the period is two indexed counts; only the period is grouped by day."""
    monday = start - timedelta(days=start.weekday())
    since = _start_of(monday)
    before = _start_of(end + timedelta(days=1))
    submitted = _daily(db, TriageEntry.submitted_at, since, before)
    closed = _daily(db, TriageEntry.closed_at, since, before)
    out: list[tuple[date, int]] = []
    week = monday
    i = j = 0
    opened = _count_before(db, TriageEntry.submitted_at, since)
    shut = _count_before(db, TriageEntry.closed_at, since)
    while week <= end:
        last = min(week + timedelta(days=6), end)
        while i < len(submitted) and submitted[i][0] <= last:
            opened += submitted[i][1]
            i += 1
        while j < len(closed) and closed[j][0] <= last:
            shut += closed[j][1]
            j += 1
        out.append((week, opened - shut))
        week += timedelta(days=7)
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
    """Median days from submission to the first triage action (requests submitted in the
    period), how many had one, how many did not. The median is computed by the database on
    PostgreSQL; SQLite has no percentile function, so its rows are read."""
    period = and_(TriageEntry.submitted_at >= _start_of(start),
                  TriageEntry.submitted_at < _start_of(end + timedelta(days=1)))
    acted = TriageEntry.first_action_at.is_not(None)
    counts = db.execute(select(func.sum(case((acted, 1), else_=0)),
                               func.sum(case((acted, 0), else_=1))).where(period)).one()
    triaged, untriaged = int(counts[0] or 0), int(counts[1] or 0)
    if not triaged:
        return None, 0, untriaged
    if db.get_bind().dialect.name == "postgresql":
        seconds = func.extract("epoch", TriageEntry.first_action_at - TriageEntry.submitted_at)
        value = db.scalar(select(func.percentile_cont(0.5).within_group(seconds))
                          .where(period, acted))
        return round(float(value or 0) / 86400, 1), triaged, untriaged
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


def compute(db: Session, start: date, end: date, *, today: date) -> Figures:
    median, triaged, untriaged = time_to_triage(db, start, end)
    return Figures(
        start=start, end=end, pending=pending_per_week(db, start, end),
        ages=age_buckets(db, today), median_days=median, triaged=triaged, untriaged=untriaged,
        returns_by_rule=returns_by_rule(db, start, end),
        returns_by_country=returns_by_country(db, start, end),
        attorneys=[(load.user.name, load.count, load.weight) for load in caseload.loads(db)],
        referrals=referrals_by_district(db, start, end, today))


def tables(figures: Figures) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Each table's translated headers and rows (what the page shows and the CSV holds)."""
    return {
        "pending": ([_("Week starting"), _("Pending requests")],
                    [[w.isoformat(), n] for w, n in figures.pending]),
        "ages": ([_("Age (days)"), _("Open requests")], [[a, n] for a, n in figures.ages]),
        "time_to_triage": ([_("Median days to first triage action"), _("Requests triaged"),
                            _("Requests not yet triaged")],
                           [[figures.median_days if figures.median_days is not None else "",
                             figures.triaged, figures.untriaged]]),
        "returns_by_rule": ([_("Rule"), _("Returns")],
                            [[c, n] for c, n in figures.returns_by_rule]),
        "returns_by_country": ([_("Country"), _("Returns")],
                               [[c, n] for c, n in figures.returns_by_country]),
        "attorneys": ([_("Attorney"), _("Open requests"), _("Weighted load")],
                      [[name, n, f"{w:g}"] for name, n, w in figures.attorneys]),
        "referrals": ([_("District"), _("Referrals"), _("Still open"), _("Overdue")],
                      [[d, t, o, v] for d, t, o, v in figures.referrals]),
    }


def table_csv(figures: Figures, name: str) -> str:
    headers, rows = tables(figures)[name]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in "=+-@" else c
                         for c in row])
    return out.getvalue()


def charts(figures: Figures) -> dict[str, Any]:
    period = _("from %(start)s to %(end)s", start=figures.start.isoformat(),
               end=figures.end.isoformat())
    pending = figures.pending
    return {
        "pending": charts_line(
            "chart-pending", _("Pending caseload per week"),
            _("Open requests at the end of each week, %(period)s: %(first)s at the start, "
              "%(last)s at the end.", period=period,
              first=pending[0][1] if pending else 0, last=pending[-1][1] if pending else 0),
            [(w.isoformat(), float(n)) for w, n in pending]),
        "ages": svg.bar_chart(
            "chart-ages", _("Open requests by age"),
            _("Number of open requests in each age bracket, in days since submission."),
            [svg.Bar(label, n) for label, n in figures.ages]),
        "returns_by_rule": svg.bar_chart(
            "chart-returns-rule", _("Returns by rule"),
            _("How often each rule was named in a return for deficiency, %(period)s.",
              period=period),
            [svg.Bar(code, n) for code, n in figures.returns_by_rule[:20]]),
        "returns_by_country": svg.bar_chart(
            "chart-returns-country", _("Returns by country"),
            _("Returns for deficiency per requesting country, %(period)s.", period=period),
            [svg.Bar(c or "?", n) for c, n in figures.returns_by_country[:20]]),
        "attorneys": svg.bar_chart(
            "chart-attorneys", _("Weighted caseload per attorney"),
            _("Open requests assigned to each attorney, weighted by type of assistance."),
            [svg.Bar(name, w) for name, _n, w in figures.attorneys]),
        "referrals": svg.bar_chart(
            "chart-referrals", _("USAO referrals by district"),
            _("Referrals per district %(period)s; the red part of each bar is overdue.",
              period=period),
            [svg.Bar(d, t, v) for d, t, _o, v in figures.referrals]),
    }


def charts_line(chart_id: str, title: str, desc: str, points: list[tuple[str, float]]) -> Any:
    """The weekly line chart (kept apart so that its long description reads well above)."""
    return svg.line_chart(chart_id, title, desc, points)
