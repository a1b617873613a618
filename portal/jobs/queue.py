"""Enqueueing jobs in the caller's transaction, claiming due ones with a lease, and recording
each run's outcome (done; retried later with backoff and jitter; failed)."""

# A worker claims a due job (waiting and run_after passed, or running with an expired lease: its
# worker died) by setting state='running', lease_owner (its own id) and lease_until in a short
# transaction. On PostgreSQL the candidate is selected FOR UPDATE SKIP LOCKED, so two workers
# never take the same job nor wait for each other; on SQLite the claim is a compare-and-set
# UPDATE that a job claimed first by another worker no longer matches. The job runs outside any
# transaction (a handler opens its own and must be idempotent: a job may run again after a
# crash), then its end is written WHERE lease_owner = me, so a worker that lost its lease
# leaves the job to the one that took it over.

from __future__ import annotations

import json
import logging
import os
import random
import secrets
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.db import transaction, utcnow
from portal.jobs.models import Job, JobState

log = logging.getLogger(__name__)
MAX_ERROR = 4000


@dataclass(frozen=True)
class JobContext:
    engine: Engine
    settings: Settings
    job_id: int
    attempt: int


Handler = Callable[[JobContext, dict[str, Any]], None]
_HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind`` (one per kind)."""
    def register(function: Handler) -> Handler:
        existing = _HANDLERS.get(kind)
        if existing is not None and existing is not function:
            raise ValueError(f"a handler for {kind} is already registered")
        _HANDLERS[kind] = function
        return function
    return register


def handler_of(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)


def enqueue(db: Session, kind: str, payload: Mapping[str, Any] | None = None, *,
            key: str | None = None, run_after: datetime | None = None,
            max_attempts: int = 8) -> None:
    """Add a job in ``db``'s transaction (it exists only if that transaction commits); a job
    with the ``key`` of one already enqueued (even done) is not added again."""
    values = {"kind": kind, "key": key, "payload_json": json.dumps(dict(payload or {})),
              "state": JobState.WAITING.value, "attempts": 0, "max_attempts": max_attempts,
              "run_after": run_after or utcnow(), "lease_owner": "", "last_error": "",
              "created_at": utcnow()}
    if key is None:
        db.add(Job(**values))
        return
    dialect = db.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.execute(make(Job).values(**values).on_conflict_do_nothing(index_elements=[Job.key]))


def waiting(db: Session, kind: str, payload: Mapping[str, Any]) -> bool:
    """Whether a job of ``kind`` with this payload is waiting or running."""
    return db.scalar(select(Job.id).where(
        Job.kind == kind, Job.payload_json == json.dumps(dict(payload)),
        Job.state.in_((JobState.WAITING.value, JobState.RUNNING.value))).limit(1)) is not None


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"[:80]


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(and_(Job.state == JobState.WAITING.value, Job.run_after <= now),
               and_(Job.state == JobState.RUNNING.value, Job.lease_until < now))


@dataclass(frozen=True)
class Claim:
    job_id: int
    kind: str
    payload: dict[str, Any]
    attempt: int
    max_attempts: int


def claim(engine: Engine, settings: Settings, owner: str) -> Claim | None:
    """The next due job, leased to ``owner`` (None when nothing is due)."""
    now = utcnow()
    lease = now + timedelta(seconds=settings.jobs_lease_seconds)
    with transaction(engine) as db:
        query = select(Job.id).where(_due(now)).order_by(Job.run_after, Job.id).limit(1)
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        job_id = db.scalar(query)
        if job_id is None:
            return None
        taken = db.execute(
            update(Job).where(Job.id == job_id, _due(now))
            .values(state=JobState.RUNNING.value, lease_owner=owner, lease_until=lease,
                    attempts=Job.attempts + 1, started_at=now)
            .execution_options(synchronize_session=False))
        if taken.rowcount != 1:  # type: ignore[attr-defined]  # another worker took it (SQLite)
            return None
        row = db.execute(select(Job.kind, Job.payload_json, Job.attempts, Job.max_attempts)
                         .where(Job.id == job_id)).one()
    return Claim(job_id, row.kind, json.loads(row.payload_json or "{}"), row.attempts,
                 row.max_attempts)


def backoff_seconds(settings: Settings, attempt: int) -> float:
    """Exponential from ``jobs_backoff_base_seconds``, capped, with 20% jitter."""
    delay = min(settings.jobs_backoff_base_seconds * 2 ** max(attempt - 1, 0),
                settings.jobs_backoff_cap_seconds)
    return float(delay * random.uniform(0.8, 1.2))  # noqa: S311 - spreading retries


def finish(engine: Engine, item: Claim, owner: str) -> None:
    with transaction(engine) as db:
        db.execute(update(Job).where(Job.id == item.job_id, Job.lease_owner == owner,
                                     Job.state == JobState.RUNNING.value)
                   .values(state=JobState.DONE.value, finished_at=utcnow(), lease_until=None,
                           last_error="").execution_options(synchronize_session=False))


def fail(engine: Engine, settings: Settings, item: Claim, owner: str, error: str) -> str:
    """Record a failed attempt: retried after a backoff, or failed for good; the new state."""
    final = item.attempt >= item.max_attempts
    state = JobState.FAILED.value if final else JobState.WAITING.value
    values: dict[str, Any] = {"state": state, "last_error": error[:MAX_ERROR],
                              "lease_until": None, "lease_owner": ""}
    if final:
        values["finished_at"] = utcnow()
    else:
        values["run_after"] = utcnow() + timedelta(
            seconds=backoff_seconds(settings, item.attempt))
    with transaction(engine) as db:
        db.execute(update(Job).where(Job.id == item.job_id, Job.lease_owner == owner,
                                     Job.state == JobState.RUNNING.value)
                   .values(**values).execution_options(synchronize_session=False))
    return state


def retry(db: Session, job_id: int) -> bool:
    """Make a failed job due again (an admin's retry); False when it is not failed."""
    done = db.execute(update(Job).where(Job.id == job_id, Job.state == JobState.FAILED.value)
                      .values(state=JobState.WAITING.value, run_after=utcnow(), attempts=0,
                              finished_at=None).execution_options(synchronize_session=False))
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]
