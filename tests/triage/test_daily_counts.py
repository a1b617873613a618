"""The dashboard from its daily counts gives the figures of a scan of every request (the scan
the dashboard made before, kept here as the oracle), over a generated history changed since by
OIA's actions, by changes of the entries' moments, by deletions and by a purge; and the counts
kept at each flush are those a rebuild makes from the tables."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from portal.accounts.models import Role
from portal.config import Settings
from portal.requests.models import MlaRequest
from portal.retention.removal import delete_requests
from portal.triage import daily_counts, dashboard, demo_volume, targets
from portal.triage import operations as ops
from portal.triage.models import (
    DailyCount,
    Referral,
    TriageEntry,
    TriageReturn,
    TriageReturnItem,
)
from tests.conftest import Account, Accounts
from tests.triage.conftest import session, user

# ------------------------------------------------------- the oracle: the scan of every request


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _in(column: Any, start: date, end: date) -> Any:
    return and_(column >= _start_of(start), column < _start_of(end + timedelta(days=1)))


def _count(db: Session, *where: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(TriageEntry).where(*where)) or 0)


def scan_pending(db: Session, start: date, end: date) -> list[tuple[date, int]]:
    out = []
    week = start - timedelta(days=start.weekday())
    while week <= end:
        until = _start_of(min(week + timedelta(days=7), end + timedelta(days=1)))
        out.append((week, _count(db, TriageEntry.submitted_at < until)
                    - _count(db, TriageEntry.closed_at < until)))
        week += timedelta(days=7)
    return out


def scan_ages(db: Session, today: date) -> list[tuple[str, int]]:
    tomorrow = _start_of(today + timedelta(days=1))
    columns = []
    for low, high in dashboard.AGE_BUCKETS:
        cond = TriageEntry.submitted_at < tomorrow - timedelta(days=low)
        if high is not None:
            cond = cond & (TriageEntry.submitted_at >= tomorrow - timedelta(days=high + 1))
        columns.append(func.sum(case((cond, 1), else_=0)))
    row = db.execute(select(*columns).where(TriageEntry.is_open.is_(True))).one()
    return [(label, int(n or 0)) for (label, _n), n in zip(
        dashboard.age_buckets(db, today), row, strict=True)]


def scan_time_to_triage(db: Session, start: date, end: date
                        ) -> tuple[float | None, int, int]:
    period = _in(TriageEntry.submitted_at, start, end)
    if db.get_bind().dialect.name == "postgresql":
        seconds = func.date_part("epoch", TriageEntry.first_action_at
                                 - TriageEntry.submitted_at)
        acted, total, value = db.execute(
            select(func.count(TriageEntry.first_action_at), func.count(),
                   func.percentile_cont(0.5).within_group(seconds)).where(period)).one()
        if not acted:
            return None, 0, int(total)
        return round(float(value) / 86400, 1), int(acted), int(total) - int(acted)
    rows = db.execute(select(TriageEntry.submitted_at, TriageEntry.first_action_at)
                      .where(period)).all()
    days = [(first - submitted).total_seconds() / 86400 for submitted, first in rows
            if first is not None]
    if not days:
        return None, 0, len(rows)
    return round(statistics.median(days), 1), len(days), len(rows) - len(days)


def scan_returns(db: Session, start: date, end: date
                 ) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    by_rule = func.count(TriageReturnItem.id)
    rules = db.execute(select(TriageReturnItem.code, by_rule)
                       .join(TriageReturn, TriageReturn.id == TriageReturnItem.return_id)
                       .where(_in(TriageReturn.at, start, end))
                       .group_by(TriageReturnItem.code)
                       .order_by(by_rule.desc(), TriageReturnItem.code))
    by_country = func.count(TriageReturn.id)
    countries = db.execute(select(TriageReturn.country, by_country)
                           .where(_in(TriageReturn.at, start, end))
                           .group_by(TriageReturn.country)
                           .order_by(by_country.desc(), TriageReturn.country))
    return [(c, int(n)) for c, n in rules], [(c, int(n)) for c, n in countries]


def scan_referrals(db: Session, start: date, end: date, today: date
                   ) -> list[tuple[str, int, int, int]]:
    still_open = Referral.closed_at.is_(None)
    rows = db.execute(
        select(Referral.district, func.count(), func.sum(case((still_open, 1), else_=0)),
               func.sum(case((still_open & (Referral.due_date < today), 1), else_=0)))
        .where(_in(Referral.referred_at, start, end))
        .group_by(Referral.district).order_by(Referral.district))
    return [(d, int(t), int(o or 0), int(v or 0)) for d, t, o, v in rows]


def scan_targets(db: Session, office_day: date) -> list[targets.TargetCount]:
    until = targets.soon_until(office_day)
    columns: list[Any] = []
    for due, done in ((TriageEntry.action_due, TriageEntry.acted_at),
                      (TriageEntry.decision_due, TriageEntry.decided_at)):
        owing = done.is_(None)
        columns += [func.sum(case((owing, 1), else_=0)),
                    func.sum(case((owing & (due < office_day), 1), else_=0)),
                    func.sum(case((owing & (due >= office_day) & (due <= until), 1), else_=0))]
    row = db.execute(select(*columns).where(TriageEntry.target_due.is_not(None))).one()
    values = [int(v or 0) for v in row]
    return [targets.TargetCount(kind, *values[3 * i:3 * i + 3])
            for i, kind in enumerate(targets.KINDS)]


def assert_same_figures(db: Session, today: date) -> None:
    periods = [(today - timedelta(weeks=26), today), (today - timedelta(days=366 * 5), today),
               (today - timedelta(days=700), today - timedelta(days=400)),
               (today - timedelta(days=30), today - timedelta(days=30)),
               (today - timedelta(days=3), today + timedelta(days=9)),
               (date(today.year - 1, 3, 1), date(today.year - 1, 5, 31)),  # whole months
               (date(today.year - 2, 1, 31), date(today.year - 2, 3, 1))]
    for start, end in periods:
        office_day = end if end <= today else today
        figures = dashboard.compute(db, start, end, today=today, office_day=office_day)
        assert figures.targets == scan_targets(db, office_day), (start, end)
        assert figures.pending == scan_pending(db, start, end), (start, end)
        assert (figures.median_days, figures.triaged, figures.untriaged) == \
            scan_time_to_triage(db, start, end), (start, end)
        assert (figures.returns_by_rule, figures.returns_by_country) == \
            scan_returns(db, start, end), (start, end)
        assert figures.referrals == scan_referrals(db, start, end, today), (start, end)
        assert figures.ages == scan_ages(db, today)
        assert sum(n for _label, n in figures.ages) == _count(db, TriageEntry.is_open.is_(True))


def kept_counts(db: Session) -> dict[tuple[str, date, str], int]:
    return {(m, d, k): n for m, d, k, n in db.execute(
        select(DailyCount.measure, DailyCount.day, DailyCount.key, DailyCount.n)) if n}


def assert_kept_as_rebuilt(db: Session) -> None:
    kept = kept_counts(db)
    seconds = dict(db.execute(select(TriageEntry.request_id, TriageEntry.triage_seconds)).all())
    daily_counts.rebuild(db)
    assert kept_counts(db) == kept
    assert dict(db.execute(select(TriageEntry.request_id,
                                  TriageEntry.triage_seconds)).all()) == seconds
    daily_counts.rebuild(db)  # idempotent
    assert kept_counts(db) == kept


# ------------------------------------------------------------------------------- the history

ACTIONS = ("open", "assign", "return", "refer", "accept", "decline", "execute", "complete",
           "reopen")


def _act(db: Session, settings: Settings, actor: Any, request: MlaRequest, name: str,
         rng: random.Random) -> None:
    if name == "assign":
        ops.assign(db, settings, actor, request, actor)
    elif name == "return":
        codes = rng.sample(["GEN-CONTACT", "ELEC-IP-TIME"], rng.randint(1, 2))
        ops.return_for_deficiency(db, settings, actor, request, [f"{c}@x" for c in codes],
                                  "Please fix.")
    elif name == "refer":
        ops.refer(db, settings, actor, request, rng.choice(["CAN", "NYS"]),
                  date.today() + timedelta(days=rng.randint(1, 60)))
    elif name == "decline":
        ops.decline(db, settings, actor, request, "other", "No treaty basis.")
    elif name == "reopen":
        ops.reopen(db, settings, actor, request, "A new fact.")
    else:
        {"open": ops.open_request, "accept": ops.accept, "execute": ops.start_execution,
         "complete": ops.complete}[name](db, settings, actor, request)


def _walk(app: Flask, settings: Settings, staff: Account, rng: random.Random, n: int) -> int:
    """OIA's actions on ``n`` requests, each in a transaction of its own (a refused one
    leaves nothing); returns how many were done."""
    done = 0
    with session(app) as db:
        ids = sorted(db.scalars(select(TriageEntry.request_id)))
    for request_id in rng.sample(ids, n):
        for name in rng.choices(ACTIONS, k=6):
            try:
                with session(app) as db:
                    request = db.get(MlaRequest, request_id)
                    assert request is not None
                    _act(db, settings, user(db, staff), request, name, rng)
                done += 1
            except ops.TriageError:
                pass
    return done


def _move_moments(db: Session, rng: random.Random, now: datetime) -> None:
    """Entries' moments changed through the ORM (a rebuild of an entry does so)."""
    entries = list(db.scalars(select(TriageEntry).order_by(TriageEntry.request_id)))
    for entry in rng.sample(entries, 25):
        entry.submitted_at = now - timedelta(days=rng.random() * 1500)
        if entry.first_action_at is not None or rng.random() < 0.3:
            entry.first_action_at = entry.submitted_at + timedelta(
                seconds=rng.random() * 86400 * 40)
        if entry.closed_at is not None:
            entry.closed_at = entry.submitted_at + timedelta(days=rng.random() * 100)
    owing = [e for e in entries if e.target_due is not None]
    for entry in rng.sample(owing, 10):  # targets owed, moved or no longer owed
        entry.acted_at = entry.decided_at = None
        entry.action_due = (now + timedelta(days=rng.randint(-20, 20))).date()
        if rng.random() < 0.5:
            entry.target_due = None
    db.flush()
    for item in rng.sample(list(db.scalars(select(TriageReturnItem))), 3):
        db.delete(item)
    for referral in rng.sample(list(db.scalars(select(Referral))), 2):
        referral.referred_at = now - timedelta(days=rng.random() * 900)
        referral.district = "WAW"


def test_daily_counts_give_the_scans_figures(app: Flask, settings_obj: Settings,
                                             accounts: Accounts) -> None:
    manager = accounts.create(Role.TRIAGE, manager=True)  # (a reopening is a manager's)
    rng = random.Random(11)
    today = datetime.now(UTC).date()
    with session(app) as db:
        demo_volume.generate(db, 500, seed=23)  # written in bulk, then counted by a rebuild
    with session(app) as db:
        assert kept_counts(db) and db.scalar(select(func.count()).select_from(
            TriageReturnItem)) and db.scalar(select(func.count()).select_from(Referral))
        assert_same_figures(db, today)
    assert _walk(app, settings_obj, manager, rng, 60) > 40
    with session(app) as db:
        assert db.scalar(select(func.count()).select_from(TriageReturn)
                         .where(TriageReturn.at >= _start_of(today)))
        assert_same_figures(db, today)
        _move_moments(db, rng, datetime.now(UTC))
    with session(app) as db:
        assert_same_figures(db, today)
        returned = db.scalars(select(MlaRequest).join(
            TriageReturn, TriageReturn.request_id == MlaRequest.id).limit(5)).all()
        referred = db.scalars(select(MlaRequest).join(
            Referral, Referral.request_id == MlaRequest.id).limit(5)).all()
        delete_requests(db, {*returned, *referred})  # a purge: rows deleted in bulk
    with session(app) as db:
        assert_same_figures(db, today)
        assert_kept_as_rebuilt(db)


def test_a_return_and_a_referral_count_on_their_day(app: Flask, settings_obj: Settings,
                                                    staff: Account) -> None:
    """Rows added without their moment get it before they are counted (the defaults of
    ``at`` and ``referred_at`` would come only with the INSERT)."""
    with session(app) as db:
        demo_volume.generate(db, 5, seed=2)
        request_id = db.scalars(select(TriageEntry.request_id)).first()
        ret = TriageReturn(request_id=request_id, version=1, country="ZZ")
        ret.items.append(TriageReturnItem(code="GEN-TEST", path=""))
        db.add(ret)
        db.add(Referral(request_id=request_id, district="ZZZ", due_date=date(2030, 1, 1)))
    with session(app) as db:
        today = datetime.now(UTC).date()
        figures = dashboard.compute(db, today, today, today=today)
        assert ("ZZ", 1) in figures.returns_by_country
        assert ("GEN-TEST", 1) in figures.returns_by_rule
        assert ("ZZZ", 1, 1, 0) in figures.referrals
        assert_kept_as_rebuilt(db)
