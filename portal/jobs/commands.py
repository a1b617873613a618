"""``portal worker``: run the background jobs; ``portal jobs list|retry``."""

from __future__ import annotations

import logging
import threading

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.config import Settings
from portal.db import Database
from portal.jobs import queue, worker
from portal.jobs.models import Job, JobState


def _db() -> Database:
    return current_app.extensions["portal.db"]  # type: ignore[no-any-return]


def _settings() -> Settings:
    return current_app.extensions["portal.settings"]  # type: ignore[no-any-return]


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the jobs due now, then exit.")
@click.option("--threads", type=click.IntRange(1, 32), default=1, show_default=True,
              help="Jobs run at once by this process (a slow PDF check does not hold up the "
                   "e-mail and the package builds).")
@with_appcontext
def worker_command(once: bool, threads: int) -> None:
    """Run background jobs (PDF checks, package builds, e-mail, hand-offs, scheduled tasks)
    until stopped (SIGTERM/SIGINT: the jobs running are finished first); several workers may
    run at once."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    engine, settings = _db().engine, _settings()
    if once:
        summary = worker.drain(engine, settings)
        click.echo(f"{summary.done} done, {summary.retrying} to retry, {summary.failed} failed")
        return
    stop = threading.Event()
    worker.install_signal_handlers(stop)
    click.echo(f"worker running with {threads} thread(s) (Ctrl-C to stop)")
    summaries: list[worker.Summary] = []

    def loop() -> None:
        summaries.append(worker.run(engine, settings, stop))

    loops = [threading.Thread(target=loop, name=f"worker-{n}") for n in range(threads)]
    for thread in loops:
        thread.start()
    while any(thread.is_alive() for thread in loops):
        for thread in loops:
            thread.join(0.5)  # (short joins: the main thread takes the signals)
    done = sum(s.done for s in summaries)
    retrying = sum(s.retrying for s in summaries)
    failed = sum(s.failed for s in summaries)
    click.echo(f"{done} done, {retrying} to retry, {failed} failed")


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs: list, retry."""


@jobs_group.command("list")
@click.option("--state", type=click.Choice([s.value for s in JobState]), default=None)
@with_appcontext
def list_command(state: str | None) -> None:
    """The latest jobs (newest first), with their errors."""
    with _db().session() as db:
        query = select(Job).order_by(Job.id.desc()).limit(100)
        if state:
            query = query.where(Job.state == state)
        for job in db.scalars(query):
            click.echo(f"{job.id}\t{job.kind}\t{job.state}\t{job.attempts}/{job.max_attempts}"
                       f"\t{job.run_after:%Y-%m-%d %H:%M:%S}\t{job.last_error[:200]}")


@jobs_group.command("retry")
@click.argument("job_id", type=int)
@with_appcontext
def retry_command(job_id: int) -> None:
    """Make a failed job due again."""
    with _db().session() as db:
        if not queue.retry(db, job_id):
            raise click.ClickException(f"job {job_id} is not a failed job")
    click.echo(f"job {job_id} will run again")


__all__ = ["jobs_group", "worker_command"]
