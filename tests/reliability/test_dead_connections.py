"""Connections whose server process ended: a pooled one is replaced when it is checked out,
without a ping for the healthy ones (portal.db._check_idle); one lost in the middle of a
transaction fails the audit write as a SQLAlchemy error and writes nothing."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError

from portal import db as db_module
from portal.audit import keys
from portal.audit.log import record
from portal.audit.models import AuditEvent
from portal.config import Settings
from portal.db import Database, make_engine
from tests.reliability.conftest import NEEDS_POSTGRES


@NEEDS_POSTGRES
def test_a_connection_ended_by_the_server_is_replaced_at_checkout(database_url: str) -> None:
    engine = make_engine(database_url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: statements.append(statement))
    try:
        with engine.connect() as conn:
            first_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        statements.clear()
        with engine.connect() as conn:  # healthy: the same connection, no ping
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() == first_pid
        assert statements == ["SELECT pg_backend_pid()"]

        killer = make_engine(database_url)
        with killer.connect() as other:
            assert other.execute(text("SELECT pg_terminate_backend(:pid)"),
                                 {"pid": first_pid}).scalar_one() is True
        killer.dispose()
        time.sleep(0.5)  # the server's farewell reaches the idle connection's socket

        with engine.connect() as conn:  # would fail here without the check
            second_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert second_pid != first_pid
    finally:
        engine.dispose()


@NEEDS_POSTGRES
def test_a_connection_lost_before_the_audit_write_fails_as_a_database_error(
        database_url: str, settings: Settings) -> None:
    """The chain's lock is taken through the driver (a pipeline); its errors still reach the
    callers as SQLAlchemy's, which the web layer answers with its error page, and nothing of
    the transaction is written."""
    db = Database(database_url)
    keys.attach(db.engine, keys.AuditKeys.from_settings(settings))
    try:
        with db.sessionmaker() as session:
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            record(session, "lost.event", actor="x")
            killer = make_engine(database_url)
            with killer.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            killer.dispose()
            time.sleep(0.5)
            with pytest.raises(OperationalError):
                session.commit()
        with db.sessionmaker() as session:
            assert session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action == "lost.event")) == 0
    finally:
        db.dispose()


@NEEDS_POSTGRES
def test_a_connection_idle_for_long_is_pinged_at_checkout(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A peer can vanish without a word (a firewall's idle timeout): a connection idle longer
    than IDLE_PING_SECONDS is pinged even when its socket is quiet; a busy one is not."""
    engine = make_engine(database_url)
    pings: list[object] = []
    real_ping = engine.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        return bool(real_ping(dbapi_connection))

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", 0.3)
    try:
        for _ in range(3):
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        assert pings == []  # back-to-back checkouts: no ping
        time.sleep(0.5)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert len(pings) == 1
    finally:
        engine.dispose()
