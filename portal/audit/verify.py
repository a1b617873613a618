"""Verifying the audit log: every row's link and hash (with the audit keys), in id order, a batch
at a time, and every checkpoint: its signature, and that its row is still there with the hash
it had. Legacy rows (written before the key, plain SHA-256) verify only before the first
signed row."""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from portal.audit.checkpoints import (
    Checkpoint,
    CheckpointProblem,
    checkpoint_file,
    read,
    signature_problem,
)
from portal.audit.hashing import GENESIS, HASHED, row_hash
from portal.audit.keys import AuditKeys, keys_for
from portal.audit.models import AuditEvent
from portal.config import Settings


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    problem: str


@dataclass
class Verification:
    rows: int = 0
    legacy_rows: int = 0
    last_id: int = 0
    #: Checkpoints whose signature holds and whose row was found with its hash.
    checkpoints: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    checkpoint_problems: list[CheckpointProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems and not self.checkpoint_problems

    @property
    def problem_count(self) -> int:
        return len(self.problems) + len(self.checkpoint_problems)


def verify_chain(session: Session, keys: AuditKeys | None = None, batch: int = 1000
                 ) -> list[ChainProblem]:
    """The rows whose hash or link is wrong (the checkpoints are not read)."""
    return verify_log(session, keys=keys, batch=batch).problems


def verify_with_checkpoints(session: Session, settings: Settings,
                            extra: Iterable[Path] = ()) -> Verification:
    """The whole log against the checkpoint file of ``settings`` and the ``extra`` files (lines
    kept from e-mailed checkpoints)."""
    found, unreadable = read([checkpoint_file(settings), *extra])
    return verify_log(session, checkpoints=found, unreadable=unreadable)


def verify_log(session: Session, *, keys: AuditKeys | None = None,
               checkpoints: Sequence[Checkpoint] = (),
               unreadable: Sequence[CheckpointProblem] = (), batch: int = 1000) -> Verification:
    keys = keys or keys_for(session.get_bind())
    result = Verification(checkpoint_problems=list(unreadable))
    anchors: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        problem = signature_problem(checkpoint, keys)
        if problem:
            result.checkpoint_problems.append(CheckpointProblem(checkpoint.source, problem))
        else:
            anchors.setdefault(checkpoint.event_id, []).append(checkpoint)
    expected_prev, signed_seen = GENESIS, False
    for event in _iterate(session, batch):
        result.rows += 1
        result.problems.extend(_row_problems(event, expected_prev, signed_seen, keys))
        if event.key_id:
            signed_seen = True
        else:
            result.legacy_rows += 1
        for checkpoint in anchors.pop(event.id, ()):
            if hmac.compare_digest(checkpoint.hash, event.hash):
                result.checkpoints += 1
            else:
                result.checkpoint_problems.append(CheckpointProblem(checkpoint.source, (
                    f"row {event.id} no longer has the hash this checkpoint of {checkpoint.at} "
                    "recorded: it, or a row before it, was rewritten and the hashes "
                    "recomputed")))
        expected_prev, result.last_id = event.hash, event.id
    for event_id, gone in sorted(anchors.items()):
        why = (f"the log now ends at row {result.last_id}: its newest rows were deleted"
               if event_id > result.last_id else "it was deleted")
        result.checkpoint_problems.extend(CheckpointProblem(checkpoint.source, (
            f"row {event_id}, the head of the log at this checkpoint of {checkpoint.at}, is "
            f"gone: {why}")) for checkpoint in gone)
    return result


def _row_problems(event: Row[Any], expected_prev: str, signed_seen: bool, keys: AuditKeys
                  ) -> Iterator[ChainProblem]:
    if event.prev_hash != expected_prev:
        yield ChainProblem(event.id, "link to the previous row is broken "
                                     "(a row was deleted, inserted or edited before it)")
    if not event.key_id and signed_seen:
        yield ChainProblem(event.id, "a row without a key after signed rows (written without "
                                     "the key, or downgraded to plain SHA-256 to hide an edit)")
    try:
        intact = hmac.compare_digest(row_hash(event._mapping, keys), event.hash)
    except KeyError:
        yield ChainProblem(event.id, f"signed with key {event.key_id!r}, which is not in "
                                     "PORTAL_AUDIT_KEYS (an old key was dropped?)")
        return
    if not intact:
        yield ChainProblem(event.id, "content does not match its hash (the row was edited, "
                                     "or its hash computed without the audit key)")


_COLUMNS = [getattr(AuditEvent, name) for name in (*HASHED, "hash")]


def _iterate(session: Session, batch: int) -> Iterator[Row[Any]]:
    """The rows' columns (not ORM objects: twice as fast on a large log), in id order."""
    last_id = 0
    while True:
        rows = session.execute(
            select(*_COLUMNS).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
