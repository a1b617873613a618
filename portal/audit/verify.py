"""Verifying the audit log: every row's link and hash (with the audit keys), in id order, a batch
at a time. Legacy rows (written before the key, plain SHA-256) verify only before the first
signed row."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.hashing import GENESIS, compute_hash
from portal.audit.keys import AuditKeys, keys_for
from portal.audit.models import AuditEvent


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    problem: str


@dataclass
class Verification:
    rows: int = 0
    legacy_rows: int = 0
    last_id: int = 0
    problems: list[ChainProblem] = field(default_factory=list)


def verify_chain(session: Session, keys: AuditKeys | None = None, batch: int = 1000
                 ) -> list[ChainProblem]:
    """The rows whose hash or link is wrong."""
    return verify_log(session, keys=keys, batch=batch).problems


def verify_log(session: Session, *, keys: AuditKeys | None = None, batch: int = 1000
               ) -> Verification:
    keys = keys or keys_for(session.get_bind())
    result = Verification()
    expected_prev, signed_seen = GENESIS, False
    for event in _iterate(session, batch):
        result.rows += 1
        result.problems.extend(_row_problems(event, expected_prev, signed_seen, keys))
        if event.key_id:
            signed_seen = True
        else:
            result.legacy_rows += 1
        expected_prev, result.last_id = event.hash, event.id
    return result


def _row_problems(event: AuditEvent, expected_prev: str, signed_seen: bool, keys: AuditKeys
                  ) -> Iterator[ChainProblem]:
    if event.prev_hash != expected_prev:
        yield ChainProblem(event.id, "link to the previous row is broken "
                                     "(a row was deleted, inserted or edited before it)")
    if not event.key_id and signed_seen:
        yield ChainProblem(event.id, "a row without a key after signed rows (written without "
                                     "the key, or downgraded to plain SHA-256 to hide an edit)")
    try:
        intact = hmac.compare_digest(compute_hash(event, keys), event.hash)
    except KeyError:
        yield ChainProblem(event.id, f"signed with key {event.key_id!r}, which is not in "
                                     "PORTAL_AUDIT_KEYS (an old key was dropped?)")
        return
    if not intact:
        yield ChainProblem(event.id, "content does not match its hash (the row was edited, "
                                     "or its hash computed without the audit key)")


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
