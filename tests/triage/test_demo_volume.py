"""``generate(db, n, seed)``: realistic requests in bulk that the queue and dashboard read."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import func, select

from portal.requests.models import MlaRequest, RequestVersion
from portal.triage import dashboard, demo_volume, queue
from portal.triage.models import TriageEntry
from tests.conftest import Account
from tests.triage.conftest import session, user


def test_generate_volume(app: Flask, staff: Account) -> None:
    with session(app) as db:
        assert demo_volume.generate(db, 300, seed=7) == 300
    with session(app) as db:
        assert db.scalar(select(func.count()).select_from(MlaRequest)) == 300
        assert db.scalar(select(func.count()).select_from(RequestVersion)) == 300
        assert db.scalar(select(func.count()).select_from(TriageEntry)) == 300
        statuses = set(db.scalars(select(TriageEntry.status)))
        assert {"completed", "assigned", "submitted"} <= statuses
        assert len(set(db.scalars(select(TriageEntry.country)))) > 5
        first = queue.page(db, user(db, staff), queue.Filters())
        assert len(first.rows) == queue.PAGE_SIZE and first.next_cursor
        today = date.today()
        figures = dashboard.compute(db, today - timedelta(days=365 * 3), today, today=today)
        assert sum(n for _a, n in figures.ages) == db.scalar(
            select(func.count()).where(TriageEntry.is_open.is_(True)))
        # a second run continues the numbering
        demo_volume.generate(db, 10, seed=8)
        assert db.scalar(select(func.count(func.distinct(MlaRequest.reference)))) == 310
