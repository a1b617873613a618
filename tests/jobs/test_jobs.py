"""Background jobs kept in the database: enqueued only with their transaction's commit, once per
key, claimed by one worker at a time, retried with backoff, failed for good with their error
after the last attempt, taken over when a worker's lease runs out; scheduled tasks once per
period; ``portal worker``."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from portal.config import Settings
from portal.db import Database, transaction, utcnow
from portal.jobs import queue, schedule, worker
from portal.jobs.models import Job, JobState

RUNS: Counter[str] = Counter()
_LOCK = threading.Lock()


@queue.handler("test.count")
def _count(_context: queue.JobContext, payload: dict[str, Any]) -> None:
    with _LOCK:
        RUNS[str(payload["name"])] += 1


@queue.handler("test.fail")
def _fail(_context: queue.JobContext, payload: dict[str, Any]) -> None:
    raise RuntimeError(f"the case system said no ({payload['name']})")


@pytest.fixture()
def database(app: Flask) -> Database:
    return app.extensions["portal.db"]  # type: ignore[no-any-return]


def _jobs(database: Database) -> list[Job]:
    with database.session() as db:
        return list(db.scalars(select(Job).order_by(Job.id)))


def test_a_job_exists_only_if_its_transaction_commits(database: Database) -> None:
    with pytest.raises(RuntimeError), database.session() as db:
        queue.enqueue(db, "test.count", {"name": "rolled back"})
        raise RuntimeError("the change failed")
    assert _jobs(database) == []
    with database.session() as db:
        queue.enqueue(db, "test.count", {"name": "kept"}, key="k1")
        queue.enqueue(db, "test.count", {"name": "kept again"}, key="k1")  # same key: once
    with database.session() as db:
        queue.enqueue(db, "test.count", {"name": "later"}, key="k1")  # even in another one
    assert [(j.kind, j.key, j.state) for j in _jobs(database)] == [
        ("test.count", "k1", JobState.WAITING.value)]


def test_a_failing_job_is_retried_with_backoff_then_failed_with_its_error(
        database: Database, settings: Settings) -> None:
    settings = settings.with_overrides(jobs_backoff_base_seconds=60.0)
    with database.session() as db:
        queue.enqueue(db, "test.fail", {"name": "x"}, max_attempts=2)
    started = utcnow()
    summary = worker.drain(database.engine, settings)
    assert (summary.done, summary.retrying, summary.failed) == (0, 1, 0)
    [job] = _jobs(database)
    assert job.state == JobState.WAITING.value and job.attempts == 1
    assert "RuntimeError: the case system said no (x)" in job.last_error
    # 60 s, give or take the jitter of a fifth: not due again yet
    assert started + timedelta(seconds=47) < job.run_after < started + timedelta(seconds=73)
    assert worker.drain(database.engine, settings).retrying == 0
    with database.session() as db:  # the backoff has passed
        db.execute(update(Job).values(run_after=utcnow()))
    assert worker.drain(database.engine, settings).failed == 1
    [job] = _jobs(database)
    assert job.state == JobState.FAILED.value and job.attempts == 2 and job.finished_at
    assert worker.drain(database.engine, settings).failed == 0  # failed jobs stay failed
    with database.session() as db:
        assert queue.retry(db, job.id) and not queue.retry(db, job.id + 1000)
    [job] = _jobs(database)
    assert job.state == JobState.WAITING.value and job.attempts == 0


def test_an_unknown_kind_fails_with_a_clear_error(database: Database,
                                                  settings: Settings) -> None:
    with database.session() as db:
        queue.enqueue(db, "test.nobody", max_attempts=1)
    assert worker.drain(database.engine, settings).failed == 1
    assert "no handler for jobs of kind 'test.nobody'" in _jobs(database)[0].last_error


def test_an_expired_lease_is_taken_over_and_the_late_end_is_ignored(
        database: Database, settings: Settings) -> None:
    with database.session() as db:
        queue.enqueue(db, "test.count", {"name": "lease"})
    first = queue.claim(database.engine, settings, "worker-a")
    assert first is not None and first.attempt == 1
    assert queue.claim(database.engine, settings, "worker-b") is None  # leased to a
    with database.session() as db:  # worker a died: its lease runs out
        db.execute(update(Job).values(lease_until=utcnow() - timedelta(seconds=1)))
    second = queue.claim(database.engine, settings, "worker-b")
    assert second is not None and second.job_id == first.job_id and second.attempt == 2
    queue.finish(database.engine, first, "worker-a")  # too late: not a's any more
    assert _jobs(database)[0].state == JobState.RUNNING.value
    queue.finish(database.engine, second, "worker-b")
    assert _jobs(database)[0].state == JobState.DONE.value


def test_two_workers_run_each_job_once(database: Database, settings: Settings) -> None:
    names = [f"parallel-{n}" for n in range(40)]
    with database.session() as db:
        for name in names:
            queue.enqueue(db, "test.count", {"name": name})
    summaries: list[worker.Summary] = []

    def work(owner: str) -> None:
        summaries.append(worker.drain(database.engine, settings, owner=owner))

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(s.done for s in summaries) == len(names)
    assert all(RUNS[name] == 1 for name in names)
    assert {j.state for j in _jobs(database)} == {JobState.DONE.value}


def test_scheduled_tasks_once_per_period_and_old_jobs_pruned(
        database: Database, settings: Settings) -> None:
    schedule.enqueue_due(database.engine, settings)
    schedule.enqueue_due(database.engine, settings)  # a second worker in the same period
    kinds = Counter(j.kind for j in _jobs(database))
    assert kinds[schedule.PRUNE] == 1 and kinds["package.repair"] == 1
    assert set(kinds.values()) == {1}
    assert worker.drain(database.engine, settings).failed == 0
    old = utcnow() - timedelta(days=settings.jobs_keep_days + 1)
    with database.session() as db:
        db.execute(update(Job).values(finished_at=old))
        queue.enqueue(db, "test.fail", {"name": "kept"}, max_attempts=1)
    worker.drain(database.engine, settings)
    with transaction(database.engine) as db:  # the next hour's prune
        queue.enqueue(db, schedule.PRUNE, key="prune-now")
    worker.drain(database.engine, settings)
    assert [(j.kind, j.state) for j in _jobs(database)] == [
        ("test.fail", JobState.FAILED.value), (schedule.PRUNE, JobState.DONE.value)]


def test_the_worker_stops_between_jobs_when_asked(database: Database,
                                                  settings: Settings) -> None:
    settings = settings.with_overrides(jobs_poll_seconds=0.05)
    stop = threading.Event()
    result: list[worker.Summary] = []
    thread = threading.Thread(target=lambda: result.append(
        worker.run(database.engine, settings, stop)))
    thread.start()
    with database.session() as db:
        queue.enqueue(db, "test.count", {"name": "while running"})
    for _ in range(200):
        if RUNS["while running"]:
            break
        stop.wait(0.05)
    stop.set()
    thread.join(10)
    assert not thread.is_alive() and RUNS["while running"] == 1
    assert result[0].done >= 1


def test_portal_worker_once_builds_a_submitted_package(app: Flask, database: Database,
                                                       settings: Settings,
                                                       accounts: Any) -> None:
    from portal.accounts.models import Role
    from portal.packages.models import Package, PackageState
    from tests.packages import helpers

    account = accounts.create(Role.SUBMITTER, country="DE")
    helpers.submitted_request(database, settings, account.id, work=False)
    with database.session() as db:
        assert db.scalar(select(Package.state)) == PackageState.PENDING.value
    from portal.jobs.commands import jobs_group, worker_command

    result = app.test_cli_runner().invoke(worker_command, ["--once"])
    assert result.exit_code == 0, result.output
    assert "2 done, 0 to retry, 0 failed" in result.output  # the build and the e-mail
    with database.session() as db:
        assert db.scalar(select(Package.state)) == PackageState.BUILT.value
    listed = app.test_cli_runner().invoke(jobs_group, ["list"])
    assert "package.build" in listed.output and "done" in listed.output
