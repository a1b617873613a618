"""Writing the hash-chained audit log: each row holds the hash of the previous row and its
own, an HMAC under the current audit key (portal.audit.hashing), so editing, deleting or
inserting a row breaks the chain, and only the key's holder can forge a new one."""

# prev_hash is unique so the chain cannot fork. Writers are serialized: on PostgreSQL with a
# transaction-scoped advisory lock, on SQLite by the database write lock taken by the insert
# itself before the predecessor is read.
#
# record() only queues the event on the session; the rows are written when the session commits
# (a before_commit hook), in the same transaction as the change they describe. On PostgreSQL
# they wait for the connection's COMMIT: then one round trip takes the lock and reads the last
# hash, the ids and the time, and a second sends the rows, hashed here, with the COMMIT, so the
# lock is held for one round trip and the commit. (The server cannot hash them: the key would
# go to the database, whose administrators the key guards against.) A rollback, or a session
# closed without commit, drops the queued events with the change. Like autoflush, an ORM query
# of the log writes the queued events first, so a transaction sees its own events.

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Engine, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from portal.audit.hashing import GENESIS, compute_hash, row_hash
from portal.audit.keys import AuditKeys, keys_for
from portal.audit.models import AuditEvent
from portal.db import utcnow
from portal.db_reads import driver_errors

if TYPE_CHECKING:
    import psycopg

_ADVISORY_LOCK_KEY = 0x4D4C4141  # "MLAA"
_PENDING = "portal.audit.pending"
#: On a connection's ``info``: the rows a session's commit queued for the chain, held to go to
#: PostgreSQL with the connection's COMMIT (see :func:`_insert_with_commit`), with the
#: transaction they belong to and the keys to sign them with.
_WITH_COMMIT = "portal.audit.rows_with_commit"


def has_pending(session: Session) -> bool:
    """Whether events are queued for ``session``'s commit."""
    return bool(session.info.get(_PENDING))


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    actor: str = "",
    object_type: str = "",
    object_id: str | int = "",
    ip: str = "",
    details: Mapping[str, Any] | None = None,
) -> None:
    """Queue an event in the caller's transaction: written when it commits, dropped when it
    rolls back (the event and the change it describes are kept or lost together)."""
    fields: dict[str, Any] = {
        "actor_id": actor_id, "actor": actor, "action": action,
        "object_type": object_type, "object_id": str(object_id), "ip": ip,
        "details": json.dumps(dict(details or {}), sort_keys=True, default=str),
    }
    if not session.in_transaction():
        session.begin()  # the events belong to this transaction (its rollback drops them)
    if session.in_nested_transaction():
        # the queue belongs to the whole transaction: a savepoint rolled back would not drop
        # its events (nothing in the portal records inside a savepoint)
        raise RuntimeError("audit events cannot be recorded inside a savepoint")
    session.info.setdefault(_PENDING, []).append(fields)


def pending(session: Session) -> int:
    """How many events wait for the session's commit."""
    return len(session.info.get(_PENDING, ()))


def write_pending(session: Session, *, with_commit: bool = False) -> None:
    """Append the queued events to the chain now (the commit does it otherwise). The time of
    an event is the time it is written, so ``at`` grows with ``id``. ``with_commit`` (the
    commit's own call): on PostgreSQL the rows are sent with the transaction's COMMIT."""
    if not session.info.get(_PENDING):
        return
    keys = keys_for(session.get_bind())  # (no key: the commit fails, nothing unsigned is kept)
    # the transaction's own changes first: the chain's lock must be the last lock it takes,
    # or a writer holding it could wait on a row another writer (waiting on the lock) holds
    session.flush()
    queued = session.info.pop(_PENDING)
    if session.get_bind().dialect.name == "postgresql":
        _write_postgresql(session, queued, keys, with_commit=with_commit)
    else:
        _write_sqlite(session, queued, keys)


#: Taken under the chain's lock, each statement with its own snapshot (so the last row is the
#: one the previous holder of the lock committed): the last hash, the time and ``count`` ids
#: from the sequence (so ``at`` and the ids grow along the chain).
_LOCK_POSTGRESQL = "SELECT pg_advisory_xact_lock(%s)"
_HEAD_POSTGRESQL = """
SELECT (SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1) AS prev_hash,
       clock_timestamp() AS at,
       array(SELECT nextval(pg_get_serial_sequence('audit_events', 'id'))
             FROM generate_series(1, %(count)s)) AS ids
"""
_INSERT_POSTGRESQL = """
INSERT INTO audit_events (id, at, actor_id, actor, action, object_type, object_id, ip, details,
                          prev_hash, hash, key_id)
VALUES (%(id)s, %(at)s, %(actor_id)s, %(actor)s, %(action)s, %(object_type)s, %(object_id)s,
        %(ip)s, %(details)s, %(prev_hash)s, %(hash)s, %(key_id)s)
"""


def _write_postgresql(session: Session, queued: list[dict[str, Any]], keys: AuditKeys, *,
                      with_commit: bool = False) -> None:
    # The rows are plain values, sent straight to the driver in psycopg's pipeline: now, or,
    # for a commit, with the COMMIT itself (_insert_with_commit).
    connection = session.connection()
    with driver_errors(connection, "audit chain write"):
        rows = _held_rows(connection) + queued  # (a second write before that commit)
        if with_commit:
            connection.info[_WITH_COMMIT] = (connection.get_transaction(), rows, keys)
        else:
            _insert(_driver(connection), rows, keys)


def _driver(connection: Connection) -> psycopg.Connection[Any]:
    return cast("psycopg.Connection[Any]", connection.connection.driver_connection)


def _insert(driver: psycopg.Connection[Any], queued: list[dict[str, Any]], keys: AuditKeys,
            *, commit: bool = False) -> None:
    """Take the chain's lock and its head (one round trip), link and sign the rows, and send
    them (with the COMMIT when ``commit``)."""
    with driver.pipeline() as pipeline:
        driver.execute(_LOCK_POSTGRESQL, (_ADVISORY_LOCK_KEY,))
        cursor = driver.execute(_HEAD_POSTGRESQL, {"count": len(queued)})
        pipeline.sync()
        head = cursor.fetchone()
        if head is None:  # (never: the query returns one row)
            raise RuntimeError("the audit chain's head could not be read")
        previous, at, ids = head
        rows = link(queued, sorted(ids), at.astimezone(UTC), previous or GENESIS, keys)
        with driver.cursor() as inserting:
            inserting.executemany(_INSERT_POSTGRESQL, rows)
        if commit:
            # (not driver.commit(): in a pipeline it waits for its own answer)
            driver.execute("COMMIT")


def link(queued: list[dict[str, Any]], ids: list[int], at: datetime, previous: str,
         keys: AuditKeys) -> list[dict[str, Any]]:
    """The queued events as rows of the chain after ``previous``, signed with the current key."""
    rows = []
    for fields, row_id in zip(queued, ids, strict=True):
        row = {**fields, "id": row_id, "at": at, "prev_hash": previous,
               "key_id": keys.current_id}
        row["hash"] = previous = row_hash(row, keys)
        rows.append(row)
    return rows


def _held_rows(connection: Connection) -> list[dict[str, Any]]:
    """The rows held for this transaction's COMMIT, taken off the connection (none when they
    belonged to a transaction that ended without one: they went with it)."""
    held = connection.info.pop(_WITH_COMMIT, None)
    if held is None or held[0] is not connection.get_transaction():
        return []
    rows: list[dict[str, Any]] = held[1]
    return rows


@sa_event.listens_for(Engine, "commit")
def _insert_with_commit(connection: Connection) -> None:
    """Send the rows a session's commit queued for the chain together with the COMMIT, when the
    connection's own transaction commits (rows of a session joined to an outer transaction wait
    for that one's COMMIT, or go with its rollback)."""
    # SQLAlchemy then asks the driver to commit a transaction that has ended, which psycopg does
    # without a word to the server.
    held = connection.info.get(_WITH_COMMIT)
    rows = _held_rows(connection)
    if not rows or held is None:
        return
    with driver_errors(connection, "audit chain write"):
        _insert(_driver(connection), rows, held[2], commit=True)


@sa_event.listens_for(Engine, "rollback")
def _drop_held_rows(connection: Connection) -> None:
    connection.info.pop(_WITH_COMMIT, None)


def _write_sqlite(session: Session, queued: list[dict[str, Any]], keys: AuditKeys) -> None:
    for fields in queued:
        at = utcnow()
        placeholder = f"pending:{id(session):x}:{at.timestamp()}"[:64]
        event = AuditEvent(at=at, prev_hash=placeholder, hash=placeholder,
                           key_id=keys.current_id, **fields)
        session.add(event)
        session.flush()  # takes the write lock on SQLite; assigns the id
        previous = session.scalar(
            select(AuditEvent.hash).where(AuditEvent.id < event.id)
            .order_by(AuditEvent.id.desc()).limit(1)
        )
        event.prev_hash = previous or GENESIS
        event.hash = compute_hash(event, keys)
        session.flush()  # one UPDATE of the row just inserted


@sa_event.listens_for(Session, "before_commit")
def _write_on_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # (the release of a savepoint also fires it)
        write_pending(session, with_commit=True)


@sa_event.listens_for(Session, "do_orm_execute")
def _write_before_reading(state: ORMExecuteState) -> None:
    # An ORM query selecting AuditEvent entities or their columns (``all_mappers``); a count
    # ``select_from(AuditEvent)``, a join that selects none of its columns or a text query
    # does not see the transaction's queued events.
    if state.session.info.get(_PENDING) and not state.session.in_nested_transaction() and any(
            mapper.class_ is AuditEvent for mapper in state.all_mappers):
        write_pending(state.session)


@sa_event.listens_for(Session, "after_transaction_end")
def _drop_on_rollback(session: Session, transaction: SessionTransaction) -> None:
    # after a commit the queue is already empty; after a rollback or close it is dropped
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def latest_events(session: Session, limit: int = 100, before: datetime | None = None
                  ) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditEvent.at < before)
    return list(session.scalars(query))
