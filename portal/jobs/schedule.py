"""Scheduled jobs: each registered task is enqueued once per period, whatever the number of
workers (the job's key names the period: ``kind@<period number>``), and done jobs are pruned."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.db import transaction, utcnow
from portal.jobs.models import Job, JobState
from portal.jobs.queue import JobContext, enqueue, handler

Period = float | Callable[[Settings], float]


@dataclass(frozen=True)
class Every:
    kind: str
    period: Period

    def seconds(self, settings: Settings) -> float:
        seconds = self.period(settings) if callable(self.period) else self.period
        return max(float(seconds), 1.0)


_TASKS: dict[str, Every] = {}


def every(kind: str, period: Period) -> None:
    """Enqueue a job of ``kind`` (its handler registered apart) once every ``period`` seconds
    (a number, or a function of the settings)."""
    _TASKS[kind] = Every(kind, period)


def tasks() -> list[Every]:
    return sorted(_TASKS.values(), key=lambda task: task.kind)


def _key(settings: Settings, kind: str) -> tuple[str, int]:
    period = int(utcnow().timestamp() // _TASKS[kind].seconds(settings))
    return f"{kind}@{period}", period


def enqueue_due(engine: Engine, settings: Settings) -> None:
    """The job of each task's current period that is not enqueued yet (read first: an insert
    that meets the key would still take an id from PostgreSQL's sequence at every poll)."""
    wanted = {task.kind: _key(settings, task.kind) for task in tasks()}
    with transaction(engine) as db:
        present = set(db.scalars(select(Job.key).where(
            Job.key.in_([key for key, _period in wanted.values()]))))
        for kind, (key, period) in wanted.items():
            if key not in present:
                enqueue(db, kind, {"period": period}, key=key, max_attempts=1)


def enqueue_period(db: Session, settings: Settings, kind: str) -> None:
    """The job of this period of the task ``kind``, in ``db``'s transaction (at once, when a
    page wants it done soon; once per period however often it is asked)."""
    key, period = _key(settings, kind)
    enqueue(db, kind, {"period": period}, key=key,
            max_attempts=1)  # (the next period's job is the retry)


PRUNE = "jobs.prune"


@handler(PRUNE)
def prune(context: JobContext, _payload: dict[str, object]) -> None:
    """Delete the jobs done more than ``jobs_keep_days`` ago (failed ones stay for the admins)."""
    before = utcnow() - timedelta(days=context.settings.jobs_keep_days)
    with transaction(context.engine) as db:
        db.execute(delete(Job).where(Job.state == JobState.DONE.value,
                                     Job.finished_at < before))


every(PRUNE, 3600)
