"""Writing and verifying the hash-chained audit log.

Each row stores the SHA-256 of the previous row (``prev_hash``) and its own hash over its
content and ``prev_hash``. Editing a row breaks its own hash; deleting or inserting one breaks
the link of the next; ``prev_hash`` is unique so the chain cannot fork. Writers are serialized:
on PostgreSQL with a transaction-scoped advisory lock, on SQLite by the database write lock taken
by the insert itself before the predecessor is read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from portal.audit.models import AuditEvent
from portal.db import utcnow

GENESIS = "0" * 64
_ADVISORY_LOCK_KEY = 0x4D4C4141  # "MLAA"


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "id": event.id,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor": event.actor,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip": event.ip,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8")


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


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
) -> AuditEvent:
    """Append an event in the caller's transaction (it commits or rolls back with the change)."""
    dialect = session.get_bind().dialect.name
    fields: dict[str, Any] = {
        "at": utcnow(), "actor_id": actor_id, "actor": actor, "action": action,
        "object_type": object_type, "object_id": str(object_id), "ip": ip,
        "details": json.dumps(dict(details or {}), sort_keys=True, default=str),
    }
    if dialect == "postgresql":
        # The lock serializes writers; after it, one statement reads the last hash and takes
        # the next id, so the row is inserted once, complete.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK_KEY})
        previous, new_id = session.execute(text(
            "SELECT (SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1), "
            "nextval(pg_get_serial_sequence('audit_events', 'id'))")).one()
        event = AuditEvent(id=new_id, prev_hash=previous or GENESIS, hash="", **fields)
        event.hash = compute_hash(event)
        session.add(event)
        session.flush()
        return event
    placeholder = f"pending:{id(session):x}:{utcnow().timestamp()}"[:64]
    event = AuditEvent(prev_hash=placeholder, hash=placeholder, **fields)
    session.add(event)
    session.flush()  # takes the write lock on SQLite; assigns the id
    previous = session.scalar(
        select(AuditEvent.hash).where(AuditEvent.id < event.id).order_by(AuditEvent.id.desc())
        .limit(1)
    )
    event.prev_hash = previous or GENESIS
    event.hash = compute_hash(event)
    session.flush()  # one UPDATE of the row just inserted
    return event


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
