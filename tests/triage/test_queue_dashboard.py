"""The queue (order, filters, search, keyset pagination, CSV) and the dashboard's figures
against a small hand-computed dataset."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from sqlalchemy import text

from portal.accounts.models import Role
from portal.config import Settings
from portal.requests.models import Status
from portal.triage import dashboard, queue
from portal.triage import operations as ops
from portal.triage.models import Referral, TriageEntry, TriageReturn, TriageReturnItem
from portal.web.triage import dashboard_tables
from tests.conftest import Account, Accounts
from tests.triage.conftest import content, make_submitted, session, user

NOW = datetime.now(UTC)


def _seed_queue(app: Flask, settings: Settings, accounts: Accounts, staff: Account
                ) -> dict[str, int]:
    es = accounts.create(Role.SUBMITTER, country="ES")
    fr = accounts.create(Role.SUBMITTER, country="FR")
    soon = (NOW + timedelta(days=5)).date().isoformat()
    later = (NOW + timedelta(days=40)).date().isoformat()
    ids: dict[str, int] = {}
    with session(app) as db:
        specs = [
            ("old", es, content("ES", persons=("Ana Beltrán",)), NOW - timedelta(days=90)),
            ("urgent_late", fr, content("FR", urgent=later), NOW - timedelta(days=3)),
            ("urgent_soon", es, content("ES", urgent=soon,
                                        identifiers=(("email", "X@Y.example", ""),)),
             NOW - timedelta(days=1)),
            ("new", fr, content("FR", types=("financial_records",), accounts=("FR76 3000",)),
             NOW - timedelta(days=2)),
            ("mid", es, content("ES", types=("witness",)), NOW - timedelta(days=30)),
        ]
        for key, account, body, at in specs:
            ids[key] = make_submitted(db, settings, user(db, account), body, at=at,
                                      findings=[{"code": "ELEC-IP-TIME", "severity": "warning",
                                                 "path": "x", "acknowledgement": "ok"}]
                                      if key == "mid" else []).id
        closed = make_submitted(db, settings, user(db, es), content("ES"), at=NOW,
                                status=Status.COMPLETED)
        ids["closed"] = closed.id
        draft_like = make_submitted(db, settings, user(db, es), content("ES"), training=True)
        ids["training"] = draft_like.id
        from portal.requests.models import MlaRequest

        mid = db.get(MlaRequest, ids["mid"])
        assert mid is not None
        ops.open_request(db, settings, user(db, staff), mid)
        ops.assign(db, settings, user(db, staff), mid, user(db, staff))
    return ids


def _refs(rows: list[queue.Row]) -> list[int]:
    return [r.request_id for r in rows]


def test_queue_order_filters_search_pages_and_csv(app: Flask, settings_obj: Settings,
                                                  accounts: Accounts, staff: Account) -> None:
    ids = _seed_queue(app, settings_obj, accounts, staff)
    order = [ids[k] for k in ("urgent_soon", "urgent_late", "old", "mid", "new")]
    with session(app) as db:
        me = user(db, staff)
        first = queue.page(db, me, queue.Filters())
        assert _refs(first.rows) == order  # urgency first, then age; closed/training absent
        seen: list[int] = []
        after = None
        while True:
            current = queue.page(db, me, queue.Filters(), after=after, size=2)
            seen += _refs(current.rows)
            if current.next_cursor is None:
                break
            after = current.next_cursor
        assert seen == order

        def ids_for(**kw: object) -> list[int]:
            return _refs(queue.page(db, me, queue.Filters(**kw)).rows)  # type: ignore[arg-type]

        assert ids_for(country="FR") == [ids["urgent_late"], ids["new"]]
        assert ids_for(type="financial_records") == [ids["new"]]
        assert ids_for(assignee=staff.public_id) == [ids["mid"]]
        assert ids["mid"] not in ids_for(assignee="none")
        assert ids_for(acknowledged=True) == [ids["mid"]]
        assert ids_for(status="in_triage") == [ids["mid"]]
        assert ids_for(status="completed") == [ids["closed"]]
        assert ids_for(q="x@y.EXAMPLE") == [ids["urgent_soon"]]
        assert ids_for(q="fr763000") == [ids["new"]]
        assert ids_for(q="beltran") == [ids["old"]]
        assert ids_for(q="ANA BELTRÁN") == [ids["old"]]
        ref = first.rows[0].reference
        assert ids_for(q=ref.lower()) == [ids["urgent_soon"]]
        assert ids_for(q="nothing-like-this") == []
        assert queue.decode_cursor("garbage") is None
        text = queue.to_csv(queue.iterate(db, me, queue.Filters(country="ES")))
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][0] == "reference" and len(rows) == 4


def test_dashboard_figures(app: Flask, settings_obj: Settings, accounts: Accounts,
                           staff: Account) -> None:
    es = accounts.create(Role.SUBMITTER, country="ES")
    mx = accounts.create(Role.SUBMITTER, country="MX")

    def at(day: str) -> datetime:
        return datetime.fromisoformat(day + "T12:00:00+00:00")

    with session(app) as db:
        r1 = make_submitted(db, settings_obj, user(db, es), content("ES"), at=at("2026-01-05"))
        r2 = make_submitted(db, settings_obj, user(db, es), content(
            "ES", types=("stored_content",)), at=at("2026-01-14"))
        r3 = make_submitted(db, settings_obj, user(db, mx), content("MX"), at=at("2026-02-02"))
        r4 = make_submitted(db, settings_obj, user(db, mx), content("MX"), at=at("2025-12-20"))
        for req, first, closed in ((r1, "2026-01-07", "2026-02-10"), (r2, "2026-01-18", None),
                                   (r4, "2025-12-21", None)):
            entry = db.get(TriageEntry, req.id)
            assert entry is not None
            entry.first_action_at = at(first)
            entry.closed_at = at(closed) if closed else None
            entry.is_open = closed is None
            entry.status = "completed" if closed else "in_triage"
            entry.assignee_id = staff.id if req is r2 else None
        for req, day, codes, country in ((r2, "2026-01-20", ("GEN-CONTACT", "ELEC-IP-TIME"), "ES"),
                                         (r3, "2026-02-05", ("GEN-CONTACT",), "MX"),
                                         (r4, "2025-12-22", ("GEN-CONTACT",), "MX")):
            ret = TriageReturn(request_id=req.id, version=1, at=at(day), country=country)
            db.add(ret)
            db.flush()
            for code in codes:
                db.add(TriageReturnItem(return_id=ret.id, code=code, path=""))
        for req, district, referred, due, closed in (
                (r1, "CAN", "2026-01-10", "2026-02-10", None),
                (r2, "CAN", "2026-02-01", "2026-04-30", None),
                (r3, "NYS", "2026-01-15", "2026-02-01", "2026-01-30"),
                (r4, "WAW", "2025-11-01", "2025-12-01", None)):
            db.add(Referral(request_id=req.id, district=district, referred_at=at(referred),
                            due_date=date.fromisoformat(due),
                            closed_at=at(closed) if closed else None))
    with session(app) as db:
        figures = dashboard.compute(db, date(2026, 1, 5), date(2026, 2, 15),
                                    today=date(2026, 3, 31))
        assert figures.pending == [(date(2026, 1, 5), 2), (date(2026, 1, 12), 3),
                                   (date(2026, 1, 19), 3), (date(2026, 1, 26), 3),
                                   (date(2026, 2, 2), 4), (date(2026, 2, 9), 3)]
        assert [n for _label, n in figures.ages] == [0, 2, 1, 0, 0]
        assert (figures.median_days, figures.triaged, figures.untriaged) == (3.0, 2, 1)
        assert figures.returns_by_rule == [("GEN-CONTACT", 2), ("ELEC-IP-TIME", 1)]
        assert figures.returns_by_country == [("ES", 1), ("MX", 1)]
        assert figures.referrals == [("CAN", 2, 2, 1), ("NYS", 1, 0, 0)]
        loads = {name: (n, w) for name, n, w in figures.attorneys}
        assert loads[user(db, staff).name] == (1, 2.0)
    with app.test_request_context():
        charts = dashboard_tables.charts(figures)
        referrals = charts["referrals"]
        assert (referrals.kind, referrals.title_id) == ("bar", "chart-referrals-title")
        assert referrals.title == "USAO referrals by district"
        # CAN: 2 referrals, 1 overdue (the red half of the longest bar); NYS: 1, none overdue
        assert [(b.label.text, b.width, b.alert_width, b.value.text)
                for b in referrals.bars] == [("CAN", "400.0", "200.0", "2"),
                                             ("NYS", "200.0", "", "1")]
        pending = charts["pending"]
        assert pending.kind == "line" and len(pending.points) == 6
        assert pending.desc.endswith("2 at the start, 3 at the end.")
        assert [t.text for t in pending.ticks] == ["4", "0"]
        assert [x.text for x in pending.x_labels] == ["2026-01-05", "2026-02-09"]
        text = dashboard_tables.table_csv(figures, "referrals")
        assert text.splitlines()[1:] == ["CAN,2,2,1", "NYS,1,0,0"]


def test_dashboard_weeks_are_utc_days_across_daylight_saving(
        app: Flask, settings_obj: Settings, accounts: Accounts) -> None:
    """Weeks run Monday 00:00 to Sunday 24:00 UTC, whatever the database session's time zone
    (New York changes to daylight saving time on 8 March 2026); the period ends with its last
    day; the median of the time to triage is over the requests submitted in the period."""
    es = accounts.create(Role.SUBMITTER, country="ES")

    def at(moment: str) -> datetime:
        return datetime.fromisoformat(moment + "+00:00")

    with session(app) as db:
        made = {}
        for name, submitted, first, closed in (
                ("a", "2026-03-01T23:30:00", "2026-03-03T11:30:00", "2026-03-08T23:59:59"),
                ("b", "2026-03-02T00:00:00", "2026-03-02T12:00:00", None),
                ("c", "2026-03-15T23:59:00", None, None),
                ("d", "2026-03-16T00:00:00", "2026-03-16T01:00:00", None),  # after the end
                ("e", "2026-02-22T23:59:59", "2026-02-23T00:00:01", "2026-03-09T00:00:00")):
            req = make_submitted(db, settings_obj, user(db, es), content("ES"),
                                 at=at(submitted))
            made[name] = req.id
            entry = db.get(TriageEntry, req.id)
            assert entry is not None
            entry.first_action_at = at(first) if first else None
            entry.closed_at = at(closed) if closed else None
            entry.is_open = closed is None
            entry.status = "completed" if closed else "in_triage"
    with session(app) as db:
        if db.get_bind().dialect.name == "postgresql":
            db.execute(text("SET LOCAL TIME ZONE 'America/New_York'"))
        figures = dashboard.compute(db, date(2026, 2, 25), date(2026, 3, 15),
                                    today=date(2026, 3, 31))
        # e (before the period) counts from the start; a leaves in the week of 2 March, e in
        # the week of 9 March; d comes after the last day
        assert figures.pending == [(date(2026, 2, 23), 2), (date(2026, 3, 2), 2),
                                   (date(2026, 3, 9), 2)]
        # submitted from 25 February to 15 March: a (1.5 days), b (0.5 days), c (not yet)
        assert (figures.median_days, figures.triaged, figures.untriaged) == (1.0, 2, 1)
        assert dashboard.pending_per_week(db, date(2026, 3, 16), date(2026, 3, 16)) == [
            (date(2026, 3, 16), 3)]
        empty = dashboard.compute(db, date(2020, 1, 1), date(2020, 1, 31),
                                  today=date(2026, 3, 31))
        assert [n for _w, n in empty.pending] == [0] * 5
        assert (empty.median_days, empty.triaged, empty.untriaged) == (None, 0, 0)
