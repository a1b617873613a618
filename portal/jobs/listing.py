"""What the admins see of the background jobs: counts by state, the jobs running and waiting
(soonest first), the failed ones and the latest done (newest first)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from portal.jobs.models import Job, JobState


@dataclass(frozen=True)
class JobRow:
    id: int
    kind: str
    state: str
    attempts: int
    max_attempts: int
    run_after: datetime
    started_at: datetime | None
    finished_at: datetime | None
    last_error: str


@dataclass(frozen=True)
class Listing:
    counts: dict[str, int]
    pending: list[JobRow]  # running, then waiting
    failed: list[JobRow]
    done: list[JobRow]


_COLUMNS = (Job.id, Job.kind, Job.state, Job.attempts, Job.max_attempts, Job.run_after,
            Job.started_at, Job.finished_at, Job.last_error)


def _rows(db: Session, states: tuple[str, ...], order: tuple[ColumnElement[Any], ...],
          limit: int) -> list[JobRow]:
    query = select(*_COLUMNS).where(Job.state.in_(states)).order_by(*order).limit(limit)
    return [JobRow(*row) for row in db.execute(query)]


def listing(db: Session, limit: int = 50) -> Listing:
    counts = {state.value: 0 for state in JobState}
    counts.update({state: count for state, count in db.execute(
        select(Job.state, func.count()).group_by(Job.state))})
    return Listing(
        counts=counts,
        pending=_rows(db, (JobState.RUNNING.value, JobState.WAITING.value),
                      (Job.state.desc(), Job.run_after.asc(), Job.id.asc()), limit),
        failed=_rows(db, (JobState.FAILED.value,), (Job.finished_at.desc(), Job.id.desc()),
                     limit),
        done=_rows(db, (JobState.DONE.value,), (Job.finished_at.desc(), Job.id.desc()), 20))
