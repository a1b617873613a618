"""SQLAlchemy 2 engines, sessions and the declarative base. ``Base.metadata`` mirrors the Alembic
migrations of ``portal/migrations`` (a test proves the two agree)."""

from __future__ import annotations

import select
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def make_engine(url: str) -> Engine:
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            raise ValueError("in-memory SQLite is not supported: give a file path")
        kwargs["poolclass"] = NullPool
    else:
        # no pool_pre_ping: _check_idle pings only connections that may be dead
        # A web request keeps one connection for its whole life and may take a second one for
        # work done outside its session (the outbox, a package build): room for two per thread
        # of a gthread worker with up to 15 threads.
        kwargs["pool_size"] = 10
        kwargs["max_overflow"] = 20
        # No parallel plans: the pages read keyset pages with a LIMIT, where starting workers
        # and merging their ordered output costs more than it saves (the queue searched for
        # two name parts at a million requests: 150 ms with two workers, 14 ms without).
        kwargs["connect_args"] = {"options": "-c max_parallel_workers_per_gather=0"}
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        event.listen(engine.pool, "checkin", _note_checkin)
        event.listen(engine.pool, "checkout", _check_idle(engine.dialect))
    return engine


#: A connection idle longer than this is pinged at checkout even when its socket is quiet: a
#: peer that vanished without a word (a firewall's idle timeout, a host gone) leaves nothing to
#: read.
IDLE_PING_SECONDS = 30.0


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info["checked_in_at"] = time.monotonic()


def _check_idle(dialect: Dialect) -> Any:
    """A pool checkout check that pings a connection whose socket is readable or that was idle
    longer than IDLE_PING_SECONDS, and makes the pool replace a dead one."""
    # An idle connection has nothing to read: when its socket is readable, the server has ended
    # it (a restart, a crash, an idle timeout) or sent something unexpected. A connection that
    # dies while in use fails its query; SQLAlchemy then invalidates the whole pool.
    def check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        try:
            pgconn = dbapi_connection.pgconn
            if pgconn.status != 0:  # CONNECTION_OK
                raise DisconnectionError("connection not OK")
            poller = select.poll()  # (not select.select: descriptors above 1024)
            poller.register(pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
            readable = bool(poller.poll(0))
        except DisconnectionError:
            raise
        except Exception as exc:  # closed connection, bad descriptor
            raise DisconnectionError(str(exc)) from exc
        idle_since = record.info.get("checked_in_at") if record is not None else None
        idle_long = idle_since is not None and time.monotonic() - idle_since > IDLE_PING_SECONDS
        if not readable and not idle_long:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(str(exc)) from exc
        if not alive:
            raise DisconnectionError("ping failed")

    return check


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session of its own on ``engine`` in a transaction: committed on success, rolled back
    on error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on error."""
        with self.sessionmaker() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
