"""The dashboard's daily counts (``triage_daily``): kept at every flush that adds, changes or
deletes a queue entry, a return, a returned finding or a referral (in the same transaction, by
increments, as the attorneys' loads), forgotten for the requests a purge deletes, and rebuilt
from the tables by :func:`rebuild` (the migration, ``portal triage rebuild-aggregates``, the
volume generator). A period's figures are then sums over its days, not scans of the requests.

Days are UTC days, as the dashboard's periods. ``open`` counts the open requests by the day of
their first submission (their ages, now). ``triaged`` counts the requests by the day of
their first submission and the whole days to their first action (``floor(seconds / 86400)``,
the key), so that the median is found in one bucket of delays (see
:mod:`portal.triage.dashboard`)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    bindparam,
    delete,
    event,
    func,
    inspect,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.triage.models import (
    NO_URGENCY,
    DailyCount,
    Referral,
    TriageEntry,
    TriageReturn,
    TriageReturnItem,
)

SUBMITTED, CLOSED, TRIAGED, OPEN = "submitted", "closed", "triaged", "open"
RETURNS, RULES, REFERRALS = "returns", "rules", "referrals"
#: Open requests owing a service target, by its due date (see portal.triage.targets).
OWE_ACTION, OWE_DECISION = "owe_action", "owe_decision"
OWED = ((OWE_ACTION, "action_due", "acted_at"), (OWE_DECISION, "decision_due", "decided_at"))
DAY_SECONDS = 86400
#: The measures also counted per month (``<measure>:m`` on the month's first day), so that a
#: long period adds up its whole months and the days of its two ends.
MONTHLY = (SUBMITTED, TRIAGED, RETURNS, RULES, REFERRALS)
Key = tuple[str, date, str]  # (measure, day, key)


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date() if moment.tzinfo else moment.date()


def delay_seconds(submitted: datetime | None, first: datetime | None) -> float | None:
    """Seconds from submission to first action (exact microseconds, correctly rounded)."""
    if submitted is None or first is None:
        return None
    return (first - submitted) / timedelta(seconds=1)


def delay_bucket(seconds: float) -> int:
    """The whole days of a delay (as the SQL of :func:`_bucket_sql`)."""
    return math.floor(seconds / DAY_SECONDS)


# ------------------------------------------------------------------------ kept at each flush

def _value(obj: Any, name: str, old: bool) -> Any:
    if old:
        history = inspect(obj).attrs[name].history
        if history.deleted:
            return history.deleted[0]
    return getattr(obj, name)


def _entry_keys(_session: Session, entry: TriageEntry, old: bool) -> list[Key]:
    submitted = _value(entry, "submitted_at", old)
    closed = _value(entry, "closed_at", old)
    if submitted is None:
        return []
    keys: list[Key] = [(SUBMITTED, utc_day(submitted), "")]
    if _value(entry, "is_open", old):
        keys.append((OPEN, utc_day(submitted), ""))
    if closed is not None:
        keys.append((CLOSED, utc_day(closed), ""))
    seconds = delay_seconds(submitted, _value(entry, "first_action_at", old))
    if seconds is not None:
        keys.append((TRIAGED, utc_day(submitted), str(delay_bucket(seconds))))
    if _value(entry, "target_due", old) is not None:  # (None: nothing owed now)
        for measure, due, done in OWED:
            if _value(entry, done, old) is None:
                keys.append((measure, _value(entry, due, old) or NO_URGENCY, ""))
    return keys


def _return_keys(_session: Session, ret: TriageReturn, old: bool) -> list[Key]:
    at = _value(ret, "at", old)
    return [] if at is None else [(RETURNS, utc_day(at), _value(ret, "country", old) or "")]


def _item_keys(session: Session, item: TriageReturnItem, old: bool) -> list[Key]:
    ret = item.ret
    if ret is None and item.return_id is not None:
        with session.no_autoflush:
            ret = session.get(TriageReturn, item.return_id)
    if ret is None or ret.at is None:
        return []
    return [(RULES, utc_day(ret.at), _value(item, "code", old))]


def _referral_keys(_session: Session, referral: Referral, old: bool) -> list[Key]:
    at = _value(referral, "referred_at", old)
    return [] if at is None else [(REFERRALS, utc_day(at), _value(referral, "district", old))]


_KEYS: dict[type, Callable[[Session, Any, bool], list[Key]]] = {
    TriageEntry: _entry_keys, TriageReturn: _return_keys, TriageReturnItem: _item_keys,
    Referral: _referral_keys}


def _complete(obj: Any) -> None:
    """Fill what the counts read before the row's defaults would (at the INSERT)."""
    if isinstance(obj, TriageEntry):
        seconds = delay_seconds(obj.submitted_at, obj.first_action_at)
        if obj.triage_seconds != seconds:
            obj.triage_seconds = seconds
    elif isinstance(obj, TriageReturn) and obj.at is None:
        obj.at = utcnow()
    elif isinstance(obj, Referral) and obj.referred_at is None:
        obj.referred_at = utcnow()


@event.listens_for(Session, "before_flush")
def _keep_counts(session: Session, _context: Any, _instances: Any) -> None:
    """Move the changed rows' counts between days and keys, in the same flush."""
    deltas: Counter[Key] = Counter()
    for group, new, deleted in ((session.new, True, False), (session.dirty, False, False),
                                (session.deleted, False, True)):
        for obj in group:
            keys_of = _KEYS.get(type(obj))
            if keys_of is None:
                continue
            if not deleted:
                _complete(obj)
            for key in ([] if new else keys_of(session, obj, True)):
                deltas[key] -= 1
            for key in ([] if deleted else keys_of(session, obj, False)):
                deltas[key] += 1
    add(session, deltas)


def monthly(measure: str) -> str:
    return f"{measure}:m"


def add(db: Session | Connection, deltas: Counter[Key] | dict[Key, int]) -> None:
    """Add each delta to its day's count, making the row when missing (an increment, so that
    two transactions at once both count; in one order, so that they never deadlock)."""
    dialect = db.get_bind().dialect.name if isinstance(db, Session) else db.dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    months: Counter[Key] = Counter()
    for (measure, day, key), n in deltas.items():
        if measure in MONTHLY:
            months[(monthly(measure), day.replace(day=1), key)] += n
    for (measure, day, key), n in sorted({**deltas, **months}.items()):
        if not n:
            continue
        statement = make(DailyCount).values(measure=measure, day=day, key=key, n=n)
        db.execute(statement.on_conflict_do_update(
            index_elements=[DailyCount.measure, DailyCount.day, DailyCount.key],
            set_={"n": DailyCount.n + n}))


# ------------------------------------------------------------------ rebuilt from the tables

def _day_sql(column: str, dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return literal_column(f"CAST(timezone('UTC', {column}) AS DATE)")
    return literal_column(f"date({column})")


def _bucket_sql(dialect: str) -> ColumnElement[Any]:
    """``floor(triage_seconds / 86400)`` as text (SQLite's CAST truncates toward zero)."""
    x = "triage_entries.triage_seconds / 86400.0"
    if dialect == "postgresql":
        return literal_column(f"CAST(CAST(floor({x}) AS BIGINT) AS VARCHAR)")
    return literal_column(f"CAST(CAST({x} AS INTEGER) - ({x} < 0 AND {x} <> "
                          f"CAST({x} AS INTEGER)) AS TEXT)")


def _groupings(dialect: str, ids: list[int] | None = None) -> list[Select[Any]]:
    """(measure, day, key, n) of every count, from the tables (of ``ids``' requests only)."""
    def of(column: Any) -> list[ColumnElement[bool]]:
        return [] if ids is None else [column.in_(bindparam("ids", ids, expanding=True))]

    def measure(name: str) -> ColumnElement[Any]:
        return literal_column(f"'{name}'")

    empty: ColumnElement[Any] = literal_column("''")
    submitted = _day_sql("triage_entries.submitted_at", dialect)
    closed = _day_sql("triage_entries.closed_at", dialect)
    returned = _day_sql("triage_returns.at", dialect)
    referred = _day_sql("triage_referrals.referred_at", dialect)
    bucket = _bucket_sql(dialect)
    entry_ids = of(TriageEntry.request_id)
    never = "DATE '9999-12-31'" if dialect == "postgresql" else "'9999-12-31'"
    owed = []
    for name, due, done in OWED:
        day: ColumnElement[Any] = literal_column(f"COALESCE(triage_entries.{due}, {never})")
        owed.append(select(measure(name), day, empty, func.count())
                    .where(TriageEntry.target_due.is_not(None),
                           getattr(TriageEntry, done).is_(None), *entry_ids).group_by(day))
    return [*owed,
        select(measure(SUBMITTED), submitted, empty, func.count())
        .select_from(TriageEntry).where(*entry_ids).group_by(submitted),
        select(measure(OPEN), submitted, empty, func.count())
        .where(TriageEntry.is_open.is_(True), *entry_ids).group_by(submitted),
        select(measure(CLOSED), closed, empty, func.count())
        .where(TriageEntry.closed_at.is_not(None), *entry_ids).group_by(closed),
        select(measure(TRIAGED), submitted, bucket, func.count())
        .where(TriageEntry.triage_seconds.is_not(None), *entry_ids)
        .group_by(submitted, bucket),
        select(measure(RETURNS), returned, TriageReturn.country, func.count())
        .where(*of(TriageReturn.request_id)).group_by(returned, TriageReturn.country),
        select(measure(RULES), returned, TriageReturnItem.code, func.count())
        .join(TriageReturn, TriageReturn.id == TriageReturnItem.return_id)
        .where(*of(TriageReturn.request_id)).group_by(returned, TriageReturnItem.code),
        select(measure(REFERRALS), referred, Referral.district, func.count())
        .where(*of(Referral.request_id)).group_by(referred, Referral.district),
    ]


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def fill_delays(db: Session | Connection) -> None:
    """Set every entry's ``triage_seconds`` from its submission and first action."""
    dialect = db.get_bind().dialect.name if isinstance(db, Session) else db.dialect.name
    if dialect == "postgresql":  # (extract is exact; its cast to float is correctly rounded)
        exact = text("CAST(extract(epoch FROM first_action_at - submitted_at) AS FLOAT8)")
        db.execute(update(TriageEntry).where(
            TriageEntry.triage_seconds.is_distinct_from(exact)).values(triage_seconds=exact)
            .execution_options(synchronize_session=False))
        return
    rows = db.execute(select(TriageEntry.request_id, TriageEntry.submitted_at,
                             TriageEntry.first_action_at, TriageEntry.triage_seconds)).all()
    changed = [{"rid": rid, "seconds": seconds} for rid, submitted, first, stored in rows
               if (seconds := delay_seconds(submitted, first)) != stored]
    if changed:
        table = _table(TriageEntry)
        db.execute(update(table).where(table.c.request_id == bindparam("rid"))
                   .values(triage_seconds=bindparam("seconds")), changed)


def rebuild(db: Session | Connection) -> int:
    """Recount every day from the tables (idempotent); returns the rows written."""
    dialect = db.get_bind().dialect.name if isinstance(db, Session) else db.dialect.name
    fill_delays(db)
    db.execute(delete(DailyCount))
    columns = ["measure", "day", "key", "n"]
    for grouping in _groupings(dialect):
        db.execute(_table(DailyCount).insert().from_select(columns, grouping))
    month: ColumnElement[Any] = literal_column(
        "CAST(date_trunc('month', triage_daily.day) AS DATE)" if dialect == "postgresql"
        else "date(triage_daily.day, 'start of month')")
    name: ColumnElement[Any] = literal_column("triage_daily.measure || ':m'")
    db.execute(_table(DailyCount).insert().from_select(columns, select(
        name, month, DailyCount.key, func.sum(DailyCount.n))
        .where(DailyCount.measure.in_(MONTHLY)).group_by(name, month, DailyCount.key)))
    return int(db.execute(select(func.count()).select_from(DailyCount)).scalar_one())


def forget(db: Session, request_ids: Iterable[int]) -> None:
    """Take out the counts of requests about to be deleted in bulk (a purge)."""
    ids = sorted(set(request_ids))
    if not ids:
        return
    deltas: Counter[Key] = Counter()
    for grouping in _groupings(db.get_bind().dialect.name, ids):
        for measure, day, key, n in db.execute(grouping):
            deltas[(measure, day if isinstance(day, date) else date.fromisoformat(day),
                    key or "")] -= int(n)
    add(db, deltas)
