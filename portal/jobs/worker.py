"""``portal worker``: runs due jobs one at a time, enqueues the scheduled ones, and stops
between jobs when asked (SIGTERM, SIGINT)."""

from __future__ import annotations

import logging
import signal
import threading
import time
import traceback
from dataclasses import dataclass, field
from types import FrameType

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.jobs import schedule
from portal.jobs.models import JobState
from portal.jobs.queue import JobContext, claim, fail, finish, handler_of, new_owner
from portal.reference import ambient as reference_ambient

log = logging.getLogger(__name__)


@dataclass
class Summary:
    done: int = 0
    retrying: int = 0
    failed: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def run_one(engine: Engine, settings: Settings, owner: str, summary: Summary) -> bool:
    """Run the next due job; False when nothing was due."""
    item = claim(engine, settings, owner)
    if item is None:
        return False
    function = handler_of(item.kind)
    try:
        if function is None:
            raise LookupError(f"no handler for jobs of kind {item.kind!r}")
        # the reference data in force when the job starts (one query, when the job uses it)
        with Session(engine) as reading, reference_ambient.using(reading):
            function(JobContext(engine, settings, item.job_id, item.attempt), item.payload)
    except Exception as exc:  # recorded on the job; the worker goes on
        log.warning("job %s (%s) attempt %s failed: %s", item.job_id, item.kind, item.attempt,
                    exc)
        error = "".join(traceback.format_exception_only(exc)).strip()
        state = fail(engine, settings, item, owner, error)
        if state == JobState.FAILED.value:
            summary.failed += 1
        else:
            summary.retrying += 1
    else:
        finish(engine, item, owner)
        summary.done += 1
        summary.kinds[item.kind] = summary.kinds.get(item.kind, 0) + 1
    return True


def drain(engine: Engine, settings: Settings, *, limit: int = 10_000,
          owner: str | None = None) -> Summary:
    """Run due jobs until none is due (a retry waiting for its backoff is not due)."""
    owner = owner or new_owner()
    summary = Summary()
    for _ in range(limit):
        if not run_one(engine, settings, owner, summary):
            break
    return summary


def run(engine: Engine, settings: Settings, stop: threading.Event, *,
        owner: str | None = None) -> Summary:
    """Enqueue the scheduled jobs and run due ones until ``stop`` is set; sleep between polls
    when idle."""
    owner = owner or new_owner()
    summary = Summary()
    next_tick = 0.0
    while not stop.is_set():
        if time.monotonic() >= next_tick:
            try:
                schedule.enqueue_due(engine, settings)
            except Exception:  # the database may be away for a moment
                log.exception("enqueueing the scheduled jobs failed")
            next_tick = time.monotonic() + settings.jobs_poll_seconds
        try:
            worked = run_one(engine, settings, owner, summary)
        except Exception:
            log.exception("claiming a job failed")
            worked = False
        if not worked:
            stop.wait(settings.jobs_poll_seconds)
    return summary


def install_signal_handlers(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set ``stop``: the work under way is finished first."""
    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
