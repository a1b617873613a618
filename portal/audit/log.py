"""Writing and verifying the hash-chained audit log: each row holds the SHA-256 of the previous
row and its own hash, so editing, deleting or inserting a row breaks the chain."""

# prev_hash is unique so the chain cannot fork. Writers are serialized: on PostgreSQL with a
# transaction-scoped advisory lock, on SQLite by the database write lock taken by the insert
# itself before the predecessor is read.
#
# record() only queues the event on the session; the rows are written when the session commits
# (a before_commit hook), in the same transaction as the change they describe (on PostgreSQL they
# are sent with the COMMIT itself, and the server links and hashes them under the lock, so the
# lock is held for the server's own work only). A rollback, or a session closed without commit,
# drops the queued events with the change. Like autoflush, an ORM query of the log writes the
# queued events first, so a transaction sees its own events.

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Engine, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from portal.audit.models import AuditEvent
from portal.db import utcnow
from portal.db_reads import driver_errors

if TYPE_CHECKING:
    import psycopg

GENESIS = "0" * 64
_ADVISORY_LOCK_KEY = 0x4D4C4141  # "MLAA"
_PENDING = "portal.audit.pending"
#: On a connection's ``info``: the rows a session's commit queued for the chain, held to go to
#: PostgreSQL with the connection's COMMIT (see :func:`_insert_with_commit`), with the
#: transaction they belong to.
_WITH_COMMIT = "portal.audit.rows_with_commit"


_HASHED = ("id", "at", "actor_id", "actor", "action", "object_type", "object_id", "ip",
           "details", "prev_hash")


def _canonical(row: Mapping[str, Any]) -> bytes:
    payload = {name: row[name] for name in _HASHED}
    payload["at"] = row["at"].isoformat(timespec="microseconds")
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _hash(row: Mapping[str, Any]) -> str:
    return hashlib.sha256(_canonical(row)).hexdigest()


def compute_hash(event: AuditEvent) -> str:
    return _hash({name: getattr(event, name) for name in _HASHED})


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
    # the transaction's own changes first: the chain's lock must be the last lock it takes,
    # or a writer holding it could wait on a row another writer (waiting on the lock) holds
    session.flush()
    queued = session.info.pop(_PENDING)
    if session.get_bind().dialect.name == "postgresql":
        _write_postgresql(session, queued, with_commit=with_commit)
    else:
        _write_sqlite(session, queued)


#: What the server writes into a row's canonical form (:func:`_canonical`) in place of the
#: id, the time and the previous hash, which it alone knows under the chain's lock: a JSON
#: string holding one control character. json.dumps writes a key once and escapes every quote
#: and control character inside a value, so ``"id":"\u0001"`` can only be the key's own
#: value, never text someone wrote.
_SLOT = "\x01"
_SLOTTED = ("id", "at", "prev_hash")


def _slotted_canonical(fields: Mapping[str, Any]) -> str:
    payload = {name: fields[name] for name in _HASHED if name not in _SLOTTED}
    payload.update(dict.fromkeys(_SLOTTED, _SLOT))
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


#: One row of the chain, linked and hashed by the server: its id from the sequence, its time
#: from the clock (both taken under the chain's lock, so ``at`` grows with ``id``), the hash
#: of the last row (this statement's own snapshot, taken once the lock is held, sees it), and
#: its own hash: SHA-256 of the canonical form with those three written in, exactly as
#: :func:`_canonical` writes them (an integer; an ISO time in UTC with microseconds; text).
_INSERT_POSTGRESQL = """
INSERT INTO audit_events (id, at, actor_id, actor, action, object_type, object_id, ip, details,
                          prev_hash, hash)
SELECT made.id, made.at, %(actor_id)s, %(actor)s, %(action)s, %(object_type)s, %(object_id)s,
       %(ip)s, %(details)s, last.hash,
       encode(sha256(convert_to(replace(replace(replace(%(canonical)s,
           '"id":"\\u0001"', '"id":' || made.id),
           '"at":"\\u0001"', '"at":"' || to_char(made.at AT TIME ZONE 'UTC',
                                                 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00"'),
           '"prev_hash":"\\u0001"', '"prev_hash":"' || last.hash || '"'), 'UTF8')), 'hex')
FROM (SELECT nextval(pg_get_serial_sequence('audit_events', 'id')) AS id,
             clock_timestamp() AS at) AS made,
     (SELECT coalesce((SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1),
                      repeat('0', 64)) AS hash) AS last
"""
_LOCK_POSTGRESQL = "SELECT pg_advisory_xact_lock(%s)"


def _write_postgresql(session: Session, queued: list[dict[str, Any]], *,
                      with_commit: bool = False) -> None:
    # The server links and hashes the rows (_INSERT_POSTGRESQL) after taking the lock that
    # serializes writers, all sent together in psycopg's pipeline: at once, or, for a commit,
    # with the COMMIT itself (_insert_with_commit), so the lock is never held while waiting for
    # the client. The rows are plain values, sent straight to the driver.
    connection = session.connection()
    rows = [{**fields, "canonical": _slotted_canonical(fields)} for fields in queued]
    with driver_errors(connection, "audit chain write"):
        rows = _held_rows(connection) + rows  # (a second write before that commit)
        if with_commit:
            connection.info[_WITH_COMMIT] = (connection.get_transaction(), rows)
        else:
            with _driver(connection).pipeline():
                _insert(_driver(connection), rows)


def _driver(connection: Connection) -> psycopg.Connection[Any]:
    return cast("psycopg.Connection[Any]", connection.connection.driver_connection)


def _insert(driver: psycopg.Connection[Any], rows: list[dict[str, Any]]) -> None:
    """The chain's lock and the rows, queued in the caller's pipeline."""
    driver.execute(_LOCK_POSTGRESQL, (_ADVISORY_LOCK_KEY,))
    with driver.cursor() as cursor:
        cursor.executemany(_INSERT_POSTGRESQL, rows)


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
    """Send the rows a session's commit queued for the chain together with the chain's lock and
    the COMMIT, when the connection's own transaction commits (rows of a session joined to an
    outer transaction wait for that one's COMMIT, or go with its rollback)."""
    # SQLAlchemy then asks the driver to commit a transaction that has ended, which psycopg does
    # without a word to the server.
    rows = _held_rows(connection)
    if not rows:
        return
    driver = _driver(connection)
    with driver_errors(connection, "audit chain write"), driver.pipeline():
        _insert(driver, rows)
        # (not driver.commit(): in a pipeline it waits for its own answer)
        driver.execute("COMMIT")


@sa_event.listens_for(Engine, "rollback")
def _drop_held_rows(connection: Connection) -> None:
    connection.info.pop(_WITH_COMMIT, None)


def _write_sqlite(session: Session, queued: list[dict[str, Any]]) -> None:
    for fields in queued:
        at = utcnow()
        placeholder = f"pending:{id(session):x}:{at.timestamp()}"[:64]
        event = AuditEvent(at=at, prev_hash=placeholder, hash=placeholder, **fields)
        session.add(event)
        session.flush()  # takes the write lock on SQLite; assigns the id
        previous = session.scalar(
            select(AuditEvent.hash).where(AuditEvent.id < event.id)
            .order_by(AuditEvent.id.desc()).limit(1)
        )
        event.prev_hash = previous or GENESIS
        event.hash = compute_hash(event)
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


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    problem: str


def verify_chain(session: Session, batch: int = 1000) -> list[ChainProblem]:
    """Walk the whole log in id order; report every row whose hash or link is wrong."""
    problems: list[ChainProblem] = []
    expected_prev = GENESIS
    for event in _iterate(session, batch):
        if event.prev_hash != expected_prev:
            problems.append(ChainProblem(event.id, "link to the previous row is broken "
                                         "(a row was deleted, inserted or edited before it)"))
        if compute_hash(event) != event.hash:
            problems.append(ChainProblem(event.id, "content does not match its hash "
                                         "(the row was edited)"))
        expected_prev = event.hash
    return problems


def _iterate(session: Session, batch: int) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def latest_events(session: Session, limit: int = 100, before: datetime | None = None
                  ) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditEvent.at < before)
    return list(session.scalars(query))
