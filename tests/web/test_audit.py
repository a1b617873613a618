"""The hash-chained audit log: what is recorded, and that tampering shows."""

from __future__ import annotations

import itertools
import json
import threading

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select, update

from portal.accounts.models import Role
from portal.audit.log import GENESIS, compute_hash, record, verify_chain
from portal.audit.models import AuditEvent
from portal.db import Database
from tests.conftest import Accounts, login
from tests.web.conftest import database, location_path, post


def events(app: Flask, action: str | None = None) -> list[AuditEvent]:
    with database(app).session() as s:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return list(s.scalars(query))


def problems(app: Flask) -> list[tuple[int, str]]:
    with database(app).session() as s:
        return [(p.event_id, p.problem) for p in verify_chain(s)]


def write_events(db: Database, count: int, tag: str = "test") -> None:
    for number in range(count):
        with db.session() as s:
            record(s, f"{tag}.event", actor=f"{tag}-{number}", object_type="thing",
                   object_id=number, ip="192.0.2.1", details={"n": number})


def test_login_success_and_failure_are_recorded(app: Flask, client: FlaskClient,
                                                accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    post(client, "/login", {"email": account.email, "password": "wrong wrong wrong"},
         environ_base={"REMOTE_ADDR": "192.0.2.44"})
    post(client, "/login", {"email": "ghost@example.org", "password": "whatever whatever"})
    login(client, account)
    failed = events(app, "login.failed")
    assert [(e.actor_id, e.actor) for e in failed] == [(account.id, account.email),
                                                       (None, "ghost@example.org")]
    assert failed[0].ip == "192.0.2.44"
    assert json.loads(failed[0].details) == {"step": "password"}
    success = events(app, "login.success")
    assert [(e.actor_id, e.actor) for e in success] == [(account.id, account.email)]
    assert "wrong wrong wrong" not in json.dumps([e.details for e in events(app)])
    assert problems(app) == []


def test_invitation_and_role_change_are_recorded(app: Flask, client: FlaskClient,
                                                 accounts: Accounts) -> None:
    admin = accounts.create(Role.ADMIN)
    target = accounts.create(Role.TRIAGE)
    login(client, admin)
    response = post(client, "/admin/users/invite", {
        "name": "Audited Person", "email": "audited@example.org", "role": "trainer",
        "authority": "", "locale": "en"})
    assert location_path(response) == "/admin/users"
    invited = events(app, "user.invited")
    assert len(invited) == 1
    assert invited[0].actor_id == admin.id and invited[0].object_type == "user"
    assert json.loads(invited[0].details) == {"role": "trainer"}

    response = post(client, f"/admin/users/{target.public_id}",
                    {"role": "admin", "authority": ""})
    assert response.status_code == 302
    changed = events(app, "user.role_changed")
    assert len(changed) == 1
    assert changed[0].actor_id == admin.id
    assert changed[0].object_id == target.public_id
    details = json.loads(changed[0].details)
    assert details["before"]["role"] == "triage" and details["after"]["role"] == "admin"
    assert problems(app) == []


def test_an_intact_chain_verifies(app: Flask) -> None:
    write_events(database(app), 6)
    rows = events(app)
    assert len(rows) >= 6
    assert rows[0].prev_hash == GENESIS
    for previous, current in itertools.pairwise(rows):
        assert current.prev_hash == previous.hash
    assert all(compute_hash(row) == row.hash for row in rows)
    assert problems(app) == []


def test_an_edited_row_is_detected(app: Flask) -> None:
    write_events(database(app), 5)
    victim = events(app)[2]
    with database(app).session() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == victim.id)
                  .values(actor="someone-else"))
    found = problems(app)
    assert found and {event_id for event_id, _ in found} == {victim.id}
    assert "edited" in found[0][1]


def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_link(app: Flask) -> None:
    write_events(database(app), 5)
    rows = events(app)
    victim = rows[2]
    with database(app).session() as s:
        row = s.get(AuditEvent, victim.id)
        assert row is not None
        row.details = json.dumps({"n": 999})
        s.flush()
        row.hash = compute_hash(row)
    found = problems(app)
    assert [event_id for event_id, _ in found] == [rows[3].id]


def test_a_deleted_row_in_the_middle_is_detected(app: Flask) -> None:
    write_events(database(app), 5)
    rows = events(app)
    with database(app).session() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.id == rows[2].id))
    found = problems(app)
    assert [event_id for event_id, _ in found] == [rows[3].id]
    assert "link" in found[0][1]


def test_a_deleted_first_row_is_detected(app: Flask) -> None:
    write_events(database(app), 3)
    rows = events(app)
    with database(app).session() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.id == rows[0].id))
    assert [event_id for event_id, _ in problems(app)] == [rows[1].id]


def test_the_admin_audit_page_shows_problems(app: Flask, client: FlaskClient,
                                             accounts: Accounts) -> None:
    login(client, accounts.create(Role.ADMIN))
    page = client.get("/admin/audit")
    assert page.status_code == 200
    assert "no row was altered" in page.text
    rows = events(app)
    with database(app).session() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == rows[0].id).values(ip="6.6.6.6"))
    page = client.get("/admin/audit").text
    assert "The audit log has been altered" in page
    assert "1 row fails the integrity check." in page


def test_concurrent_writers_make_one_unbroken_chain(app: Flask) -> None:
    """Threads with their own sessions write at once (PostgreSQL: real concurrency)."""
    db = database(app)
    before = len(events(app))
    threads_count, per_thread = 6, 8
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            barrier.wait()
            write_events(db, per_thread, tag=f"t{number}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with db.session() as s:
        total = s.scalar(select(func.count(AuditEvent.id)))
        distinct_prev = s.scalar(select(func.count(func.distinct(AuditEvent.prev_hash))))
    assert total == before + threads_count * per_thread
    assert distinct_prev == total  # no fork: every row has its own predecessor
    assert problems(app) == []
