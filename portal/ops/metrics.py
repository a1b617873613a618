"""The gauges of ``/metrics`` read from the database at each scrape: the triage queue, the
hand-offs to OIA's case system, the background jobs, the uploads being checked and the
e-mail outbox. One aggregate query each; every process reads the same rows, so these are
never summed over gunicorn's workers (the counters of portal.instruments are).

Counts and ages only: no reference, id or address."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.attachments.models import Attachment, CheckState
from portal.db import utcnow
from portal.jobs.models import Job, JobState
from portal.mail.models import OutboxEmail
from portal.mail.outbox import MAX_ATTEMPTS
from portal.packages.models import Handoff, HandoffState
from portal.triage.models import TriageEntry

#: Hand-offs not yet with OIA: waiting for a forwarder or being sent.
WAITING_HANDOFFS = (HandoffState.QUEUED.value, HandoffState.SENDING.value)


def _age(now: datetime, since: datetime | None) -> float:
    return max(0.0, (now - since).total_seconds()) if since is not None else 0.0


def triage_queue(db: Session) -> Iterator[GaugeMetricFamily]:
    family = GaugeMetricFamily("portal_triage_open_requests",
                               "Open requests in OIA's triage queue, by status", labels=["status"])
    rows = db.execute(select(TriageEntry.status, func.count())
                      .where(TriageEntry.is_open.is_(True)).group_by(TriageEntry.status))
    for status, count in sorted(rows):
        family.add_metric([status], count)
    yield family


def handoffs(db: Session, now: datetime) -> Iterator[GaugeMetricFamily]:
    by_state = GaugeMetricFamily("portal_handoffs", "Hand-offs of packages to OIA's case "
                                 "system, by state (failed: given up, waiting for staff)",
                                 labels=["state"])
    counts = {state.value: 0 for state in HandoffState}
    oldest: datetime | None = None
    rows = db.execute(select(Handoff.state, func.count(), func.min(Handoff.created_at))
                      .group_by(Handoff.state))
    for state, count, first in rows:
        counts[state] = count
        if state in WAITING_HANDOFFS and first is not None:
            oldest = first if oldest is None else min(oldest, first)
    for state, count in sorted(counts.items()):
        by_state.add_metric([state], count)
    yield by_state
    yield GaugeMetricFamily("portal_handoff_oldest_waiting_age_seconds",
                            "Age of the oldest hand-off queued or being sent (0: none)",
                            value=_age(now, oldest))


def jobs(db: Session, now: datetime) -> Iterator[GaugeMetricFamily]:
    by_state = GaugeMetricFamily("portal_jobs", "Background jobs by state and kind (done ones "
                                 "are deleted after PORTAL_JOBS_KEEP_DAYS)",
                                 labels=["state", "kind"])
    due = GaugeMetricFamily("portal_jobs_due", "Waiting jobs whose time has come (the backlog "
                            "of the workers), by kind", labels=["kind"])
    is_due = (Job.state == JobState.WAITING.value) & (Job.run_after <= now)
    rows = db.execute(select(Job.state, Job.kind, func.count(),
                             func.sum(case((is_due, 1), else_=0)),
                             func.min(case((is_due, Job.run_after))))
                      .group_by(Job.state, Job.kind))
    due_counts: dict[str, int] = {}
    oldest: datetime | None = None
    for state, kind, count, due_count, first_due in sorted(rows,
                                                           key=lambda r: (r[0], r[1])):
        by_state.add_metric([state, kind], count)
        if state == JobState.WAITING.value:
            due_counts[kind] = int(due_count or 0)
        if first_due is not None:
            oldest = first_due if oldest is None else min(oldest, first_due)
    for kind, count in sorted(due_counts.items()):
        due.add_metric([kind], count)
    yield by_state
    yield due
    yield GaugeMetricFamily("portal_jobs_oldest_due_age_seconds",
                            "How long the longest-waiting due job has waited for a worker "
                            "(0: none)", value=_age(now, oldest))


def checks(db: Session, now: datetime) -> Iterator[GaugeMetricFamily]:
    count, oldest = db.execute(select(func.count(), func.min(Attachment.uploaded_at))
                               .where(Attachment.check_state == CheckState.CHECKING.value)
                               ).one()
    yield GaugeMetricFamily("portal_attachments_checking",
                            "Uploads waiting for or in their PDF check", value=count)
    yield GaugeMetricFamily("portal_attachments_checking_oldest_age_seconds",
                            "Age of the oldest upload still being checked (0: none)",
                            value=_age(now, oldest))


def outbox(db: Session, now: datetime) -> Iterator[GaugeMetricFamily]:
    unsent = OutboxEmail.sent_at.is_(None)
    count, given_up, oldest = db.execute(
        select(func.count(), func.sum(case((OutboxEmail.attempts >= MAX_ATTEMPTS, 1), else_=0)),
               func.min(OutboxEmail.created_at)).where(unsent)).one()
    yield GaugeMetricFamily("portal_outbox_undelivered",
                            "E-mails not delivered yet, given-up ones included", value=count)
    yield GaugeMetricFamily("portal_outbox_given_up",
                            f"E-mails not delivered after {MAX_ATTEMPTS} attempts",
                            value=int(given_up or 0))
    yield GaugeMetricFamily("portal_outbox_oldest_undelivered_age_seconds",
                            "Age of the oldest undelivered e-mail (0: none)",
                            value=_age(now, oldest))


def families(db: Session, now: datetime | None = None) -> Iterator[GaugeMetricFamily]:
    """Every gauge read from the database, as of ``now``."""
    now = now or utcnow()
    yield from triage_queue(db)
    yield from handoffs(db, now)
    yield from jobs(db, now)
    yield from checks(db, now)
    yield from outbox(db, now)


class DatabaseCollector(Collector):
    """The gauges above as a prometheus_client collector, read through ``db``."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        return families(self.db)
