"""A pooled connection whose server process has ended is replaced when it is checked out,
without a ping for the healthy ones (portal.db._check_idle)."""

from __future__ import annotations

import time

from sqlalchemy import event, text

from portal.db import make_engine
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
