"""Service targets on the queue entries: the clock kept by submissions and OIA's actions, the
queue's badge and filter, the package view, the dashboard's panel, the recomputation when the
targets change and migration 0022's fill of the entries already there."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal import migrate
from portal.accounts.models import Role
from portal.config import Settings
from portal.requests.models import MlaRequest, Status
from portal.requests.thread import withdraw
from portal.target_settings import TargetSettings
from portal.triage import dashboard, queue, target_clock, targets
from portal.triage import operations as ops
from portal.triage.models import TriageEntry
from tests.conftest import Account, Accounts, login
from tests.triage.conftest import content, database, make_submitted, resubmit, session, user

#: Wednesday 3 December 2025, the office day of the queue and dashboard checks.
TODAY = date(2025, 12, 3)


def at(day: date, hour: int = 15) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _entry(app: Flask, request_id: int) -> TriageEntry:
    with session(app) as db:
        entry = db.get(TriageEntry, request_id)
        assert entry is not None
        db.expunge(entry)
        return entry


def test_the_clock_follows_submissions_and_actions(app: Flask, settings_obj: Settings,
                                                   submitter_es: Account,
                                                   staff: Account) -> None:
    with session(app) as db:
        # Monday before Thanksgiving: 5 working days skip the 27th, 20 reach 23 December
        req = make_submitted(db, settings_obj, user(db, submitter_es), content("ES"),
                             at=at(date(2025, 11, 24)))
        rid = req.id
    entry = _entry(app, rid)
    assert (entry.action_due, entry.decision_due) == (date(2025, 12, 2), date(2025, 12, 23))
    assert entry.target_due == date(2025, 12, 2) and entry.acted_at is None
    with session(app) as db:
        ops.open_request(db, settings_obj, user(db, staff), db.get(MlaRequest, rid))
    entry = _entry(app, rid)
    assert entry.acted_at is not None and entry.decided_at is None
    assert entry.target_due == date(2025, 12, 23)  # the decision is owed now
    with session(app) as db:
        ops.return_for_deficiency(db, settings_obj, user(db, staff), db.get(MlaRequest, rid),
                                  [], "Please add the court order.")
    entry = _entry(app, rid)
    assert entry.decided_at is not None and entry.target_due is None  # with the requester
    with session(app) as db:
        request = db.get(MlaRequest, rid)
        assert request is not None
        resubmit(db, settings_obj, request, content("ES"), at=at(date(2026, 6, 17)))
    entry = _entry(app, rid)
    # Wednesday 17 June 2026: Juneteenth (Friday 19th) is skipped
    assert entry.target_started_at == at(date(2026, 6, 17))
    assert entry.action_due == date(2026, 6, 25) and entry.target_due == date(2026, 6, 25)
    assert entry.acted_at is None and entry.decided_at is None
    with session(app) as db:
        request = db.get(MlaRequest, rid)
        assert request is not None
        withdraw(db, settings_obj, user(db, submitter_es), request, "No longer needed.")
    assert _entry(app, rid).target_due is None
    with session(app) as db:
        manager = user(db, staff)
        manager.is_manager = True
        ops.reopen(db, settings_obj, manager, db.get(MlaRequest, rid), "Withdrawn by mistake.")
    entry = _entry(app, rid)
    # reopened by OIA: that is the first action; the decision is owed again from today
    assert entry.acted_at is not None and entry.decided_at is None
    assert entry.target_due == entry.decision_due == target_clock.add_working_days(
        target_clock.office_date(entry.acted_at), 20)


def _seed(app: Flask, settings: Settings, accounts: Accounts, staff: Account
          ) -> dict[str, int]:
    """Requests whose targets stand differently on :data:`TODAY`."""
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    ids: dict[str, int] = {}
    with session(app) as db:
        me = user(db, submitter)
        # first action due 2 December: overdue by 1 working day
        ids["late"] = make_submitted(db, settings, me, content("ES"),
                                     at=at(date(2025, 11, 24))).id
        # submitted Wednesday 26 November: due 4 December, in 1 working day
        ids["soon"] = make_submitted(db, settings, me, content("ES"),
                                     at=at(date(2025, 11, 26))).id
        # submitted Monday 1 December: due 8 December, in 3 working days
        ids["later"] = make_submitted(db, settings, me, content("ES"),
                                      at=at(date(2025, 12, 1))).id
        # acted on: the decision, due 23 December, is what is owed
        acted = make_submitted(db, settings, me, content("ES"), at=at(date(2025, 11, 24)))
        ids["acted"] = acted.id
        ops.open_request(db, settings, user(db, staff), acted)
        ids["closed"] = make_submitted(db, settings, me, content("ES"), at=at(date(2025, 11, 3)),
                                       status=Status.COMPLETED).id
    return ids


def test_queue_badges_filter_and_csv(app: Flask, settings_obj: Settings, accounts: Accounts,
                                     staff: Account) -> None:
    ids = _seed(app, settings_obj, accounts, staff)
    with session(app) as db:
        me = user(db, staff)
        rows = {r.request_id: r for r in queue.page(db, me, queue.Filters(), today=TODAY).rows}
        assert ids["closed"] not in rows
        assert (rows[ids["late"]].target, rows[ids["late"]].target_standing) == (
            "first_action", target_clock.Standing(1, True))
        assert rows[ids["soon"]].target_standing == target_clock.Standing(1, False)
        assert rows[ids["later"]].target_standing == target_clock.Standing(3, False)
        assert (rows[ids["acted"]].target, rows[ids["acted"]].target_due) == (
            "decision", date(2025, 12, 23))

        def found(which: str) -> set[int]:
            return {r.request_id for r in queue.page(
                db, me, queue.Filters(target=which), today=TODAY).rows}

        assert found("overdue") == {ids["late"]}
        assert found("soon") == {ids["soon"]}  # due by Friday 5 December
        assert found("") == {ids[k] for k in ("late", "soon", "later", "acted")}
        assert found("nonsense") == found("")
        # on Friday the 5th, "later" (due Monday 8th) is due soon, "soon" (Thursday) overdue
        friday = {r.request_id: r for r in queue.page(
            db, me, queue.Filters(target="soon"), today=date(2025, 12, 5)).rows}
        assert set(friday) == {ids["later"]}
        assert friday[ids["later"]].target_standing == target_clock.Standing(1, False)
        assert ids["soon"] in {r.request_id for r in queue.page(
            db, me, queue.Filters(target="overdue"), today=date(2025, 12, 5)).rows}
        exported = list(csv.DictReader(io.StringIO(queue.to_csv(
            queue.iterate(db, me, queue.Filters(target="overdue"), today=TODAY)))))
        assert [(r["service_target"], r["service_target_due"], r["service_target_overdue"])
                for r in exported] == [("first_action", "2025-12-02", "yes")]


def test_dashboard_counts_per_target(app: Flask, settings_obj: Settings, accounts: Accounts,
                                     staff: Account) -> None:
    _seed(app, settings_obj, accounts, staff)
    with session(app) as db:
        counts = targets.counts(db, TODAY)
        assert counts == [targets.TargetCount("first_action", 3, 1, 1),
                          targets.TargetCount("decision", 4, 0, 0)]
        # the decisions are due on the 23rd (two), and past Christmas on the 26th and 30th
        assert targets.counts(db, date(2025, 12, 22))[1] == targets.TargetCount(
            "decision", 4, 0, 2)
        assert targets.counts(db, date(2025, 12, 29))[1] == targets.TargetCount(
            "decision", 4, 3, 1)
        figures = dashboard.compute(db, TODAY - timedelta(days=60), TODAY, today=TODAY,
                                    office_day=TODAY)
        assert figures.targets == counts


def test_pages_show_the_targets(app: Flask, client: FlaskClient, settings_obj: Settings,
                                accounts: Accounts, staff: Account) -> None:
    now = datetime.now(UTC)
    with session(app) as db:
        me = user(db, accounts.create(Role.SUBMITTER, country="ES"))
        old = make_submitted(db, settings_obj, me, content("ES"), at=now - timedelta(days=40))
        new = make_submitted(db, settings_obj, me, content("ES"), at=now)
        old_ref, new_ref, old_id, new_id = old.reference, new.reference, old.public_id, \
            new.public_id
    login(client, staff)
    page = client.get("/triage")
    assert "Service target" in page.text and "First action: " in page.text
    overdue = client.get("/triage?target=overdue").text
    assert old_ref in overdue and new_ref not in overdue
    assert "overdue by " in overdue and 'value="overdue" selected' in overdue
    soon = client.get("/triage?target=soon").text
    assert new_ref not in soon and old_ref not in soon  # 5 working days away; overdue
    assert client.get("/triage?target=%3Cx%3E").status_code == 200
    assert "service_target" in client.get("/triage/export.csv?target=overdue").text
    package = client.get(f"/triage/{old_id}").text
    assert "Service target: First action" in package and "Service target: Decision" in package
    assert "overdue by " in package
    fresh = client.get(f"/triage/{new_id}").text
    assert "due in 5 working days" in fresh
    with session(app) as db:
        ops.open_request(db, settings_obj, user(db, staff),
                         db.scalar(select(MlaRequest).where(MlaRequest.public_id == new_id)))
    assert ", on time" in client.get(f"/triage/{new_id}").text  # the first action was met
    board = client.get("/triage/dashboard").text
    assert "Service targets owed now" in board
    table = client.get("/triage/dashboard/targets.csv")
    assert table.status_code == 200
    assert table.text.splitlines()[0] == ("Service target,Open requests owing it,Overdue,"
                                          "Due within 2 working days")


def test_recompute_with_other_targets(app: Flask, settings_obj: Settings, accounts: Accounts,
                                      staff: Account) -> None:
    ids = _seed(app, settings_obj, accounts, staff)
    with session(app) as db:
        assert targets.recompute(db, TargetSettings(1, 2), batch=2) == 5
    late = _entry(app, ids["late"])
    assert (late.action_due, late.decision_due) == (date(2025, 11, 25), date(2025, 11, 26))
    acted = _entry(app, ids["acted"])
    assert acted.acted_at is not None and acted.target_due == date(2025, 11, 26)
    assert _entry(app, ids["closed"]).target_due is None


def test_migration_0022_fills_the_entries_already_there(app: Flask, settings_obj: Settings,
                                                        accounts: Accounts,
                                                        staff: Account) -> None:
    ids = _seed(app, settings_obj, accounts, staff)
    columns = ("target_started_at", "action_due", "acted_at", "decision_due", "decided_at",
               "target_due")
    before = {k: [getattr(_entry(app, i), c) for c in columns] for k, i in ids.items()}
    engine = database(app).engine
    try:
        migrate.downgrade(engine, "0021", settings=settings_obj)
        migrate.upgrade(engine, "0022", settings=settings_obj)
    finally:
        migrate.upgrade(engine, settings=settings_obj)
    after = {k: [getattr(_entry(app, i), c) for c in columns] for k, i in ids.items()}
    assert after == before
    assert after["acted"][2] is not None and after["late"][5] == date(2025, 12, 2)
