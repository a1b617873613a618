"""The hash-chained audit log: what is recorded, and that tampering shows (the key and the
checkpoints: tests/audit/)."""

from __future__ import annotations

import itertools
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from portal.accounts.models import Authority, Role
from portal.audit import log as audit_log
from portal.audit.hashing import GENESIS, compute_hash
from portal.audit.keys import AuditKeys, keys_for
from portal.audit.log import pending, record
from portal.audit.models import AuditEvent
from portal.audit.verify import verify_chain
from portal.db import Database
from tests.conftest import PG_URL, Accounts, login
from tests.web.conftest import database, location_path, post
from tests.wire import round_trips, traced


def events(app: Flask, action: str | None = None) -> list[AuditEvent]:
    with database(app).session() as s:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return list(s.scalars(query))


def keys(app: Flask) -> AuditKeys:
    return keys_for(database(app).engine)


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
    assert all(compute_hash(row, keys(app)) == row.hash for row in rows)
    assert {row.key_id for row in rows} == {keys(app).current_id}
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
        row.hash = compute_hash(row, keys(app))  # (with the key: the next link still breaks)
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


def test_an_event_is_written_by_the_commit_and_dropped_by_a_rollback(app: Flask) -> None:
    db = database(app)
    before = len(events(app))
    with db.sessionmaker() as s:
        record(s, "kept.event", actor="a", details={"n": 1})
        record(s, "kept.event", actor="b", details={"n": 2})
        assert pending(s) == 2
        assert len(events(app)) == before  # not visible outside before the commit
        s.commit()
        assert pending(s) == 0
    kept = events(app, "kept.event")
    assert [e.actor for e in kept] == ["a", "b"]
    assert kept[1].prev_hash == kept[0].hash
    assert kept[0].at <= kept[1].at
    with db.sessionmaker() as s:
        record(s, "dropped.event", actor="c")
        s.rollback()
        s.commit()
    with db.sessionmaker() as s:
        record(s, "closed.event", actor="d")  # closed without commit
    assert events(app, "dropped.event") == [] and events(app, "closed.event") == []
    assert problems(app) == []


def test_a_transaction_reads_its_own_queued_events(app: Flask) -> None:
    with database(app).sessionmaker() as s:
        record(s, "own.event", actor="e")
        assert s.scalars(select(AuditEvent.actor).where(AuditEvent.action == "own.event")
                         ).all() == ["e"]
        assert pending(s) == 0
        s.rollback()
    assert events(app, "own.event") == []


def test_a_recorded_but_uncommitted_view_does_not_block_other_writers(app: Flask) -> None:
    """The chain's lock is taken at commit: a request that recorded its view and is still
    rendering does not hold up the others (on PostgreSQL the lock used to be taken at once)."""
    db = database(app)
    done = threading.Event()
    with db.sessionmaker() as slow:
        record(slow, "slow.view", actor="slow")
        slow.execute(text("SELECT 1"))  # the transaction has begun

        def other() -> None:
            write_events(db, 1, tag="quick")
            done.set()

        thread = threading.Thread(target=other)
        thread.start()
        finished = done.wait(timeout=20)
        slow.commit()
        thread.join(timeout=20)
    assert finished, "another writer waited for an uncommitted transaction's view"
    order = [e.action for e in events(app) if e.action in ("slow.view", "quick.event")]
    assert order == ["quick.event", "slow.view"]
    assert problems(app) == []


def test_an_event_cannot_be_recorded_inside_a_savepoint(app: Flask) -> None:
    with database(app).sessionmaker() as s:
        s.begin()
        s.begin_nested()
        with pytest.raises(RuntimeError, match="savepoint"):
            record(s, "nested.event", actor="n")
        s.rollback()


def test_the_commit_flushes_the_changes_before_taking_the_chain_lock(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The chain's lock must be the last lock a transaction takes: its pending changes are
    flushed before the audit rows are written (else two writers can deadlock on PostgreSQL:
    one holding the lock and waiting on a row, the other holding the row and waiting on the
    lock)."""
    unflushed: list[int] = []
    for name in ("_write_postgresql", "_write_sqlite"):
        original = getattr(audit_log, name)

        def checked(session: Session, queued: list[dict[str, object]], *args: Any,
                    _original: Any = original, **options: Any) -> None:
            unflushed.append(len(session.new) + len(session.dirty))
            _original(session, queued, *args, **options)

        monkeypatch.setattr(audit_log, name, checked)
    with database(app).sessionmaker() as s:
        s.add(Authority(name="Flush-order authority", country="FR"))
        record(s, "flush.order", actor="f")
        s.commit()
    assert unflushed == [0]
    assert [e.actor for e in events(app, "flush.order")] == ["f"]


def test_a_session_joined_to_an_outer_transaction_writes_with_the_outer_commit(
        app: Flask) -> None:
    """The session's commit writes its events into the chain, but they are committed (on
    PostgreSQL: sent) only with the outer transaction's COMMIT, and dropped by its rollback:
    the pooled connection then carries nothing into its next transaction."""
    db = database(app)
    for ending in ("commit", "rollback"):
        with db.engine.connect() as connection:
            outer = connection.begin()
            with Session(bind=connection) as s:
                record(s, f"joined.{ending}", actor=ending)
                s.commit()
            assert events(app, f"joined.{ending}") == []  # not committed yet
            getattr(outer, ending)()
        write_events(db, 1, tag=f"after-{ending}")
    assert [e.action for e in events(app) if e.action.startswith(("joined.", "after-"))] == [
        "joined.commit", "after-commit.event", "after-rollback.event"]
    assert problems(app) == []


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL's wire protocol (SQLite has no round trip)")
def test_the_commit_sends_the_rows_with_the_commit_in_two_round_trips(
        app: Flask, tmp_path: Path) -> None:
    """A commit with events costs two round trips: the chain's lock with its last hash, the
    ids and the time; then the rows, signed here, with the COMMIT. (The server linked and
    hashed them in one round trip before the key: the key must not go to the database.)"""
    trace = tmp_path / "trace.txt"
    with database(app).sessionmaker() as s:
        s.execute(text("SELECT 1"))  # the transaction has begun
        record(s, "traced.event", actor="t")
        record(s, "traced.event", actor="u")
        with traced(s.connection().connection.driver_connection, trace):
            s.commit()
    assert round_trips(trace) == ["Sync", "Sync"], trace.read_text()
    assert [e.actor for e in events(app, "traced.event")] == ["t", "u"]
    assert problems(app) == []


def test_rows_with_any_text_hash_as_the_verifier_computes(app: Flask) -> None:
    """Text that looks like the canonical form's fields, quotes, control characters and any
    script hash on writing as the verifier computes them (on PostgreSQL the rows go to the
    server as plain values, the time comes back from its clock)."""
    slot = '"id":"\\u0001","at":"\\u0001","prev_hash":"\\u0001"'
    texts = [slot, "\x01", '"id":"\x01"', 'quote " and \\ backslash', "é – 中文 – עברית 🙂",
             "line\nbreak\ttab\x00nul".replace("\x00", ""), ""]
    with database(app).sessionmaker() as s:
        for number, value in enumerate(texts):
            record(s, value or "empty", actor=value, actor_id=None, object_type=value[:20],
                   object_id=value[:30], ip=value[:64], details={"text": value, "n": number})
        s.commit()
    written = events(app)[-len(texts):]
    assert [e.actor for e in written] == texts
    for before, after in itertools.pairwise(written):
        assert after.prev_hash == before.hash and after.id > before.id and after.at >= before.at
    assert all(compute_hash(e, keys(app)) == e.hash for e in written)
    assert problems(app) == []
