"""Connects the domains' event handlers and registers their background jobs (imported by the app
factory and the CLI)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import events
from portal.accounts import (
    housekeeping,  # noqa: F401 - registers the pruning of sign-in records
    idempotency,  # noqa: F401 - registers the pruning of API keys
)
from portal.asks import service as asks
from portal.attachments import checking  # noqa: F401 - registers the uploads' checks
from portal.audit import checkpoints  # noqa: F401 - registers the audit log's checkpoints
from portal.jobs import schedule  # noqa: F401 - registers the jobs' own scheduled task
from portal.limits import counters  # noqa: F401 - registers the pruning of old counts
from portal.mail import outbox  # noqa: F401 - registers e-mail delivery
from portal.notify import reminders  # noqa: F401 - registers the daily reminders and digests
from portal.notify import triggers as notify
from portal.packages import jobs as package_jobs  # noqa: F401 - registers the packages' jobs
from portal.packages.recording import record_package, record_version_package
from portal.requests.models import MlaRequest, RequestVersion
from portal.retention import run as retention_run  # noqa: F401 - registers the daily purge
from portal.training import sandbox  # noqa: F401 - registers the practice requests' purge
from portal.triage.intake import on_submitted, sync_status
from portal.triage.operations import note_step
from portal.webhooks import fanout as webhooks
from portal.webhooks import sending  # noqa: F401 - registers the webhooks' delivery


def _queue_entry(db: Session, event: events.RequestSubmitted) -> None:
    request = db.get(MlaRequest, event.request_id)
    if request is not None:
        on_submitted(db, request, settings=event.settings)


def _package(db: Session, event: events.RequestSubmitted) -> None:
    request = db.get(MlaRequest, event.request_id)
    if request is not None:
        record_package(db, event.settings, request, event.version_number)


def _close_asks(db: Session, event: events.RequestSubmitted) -> None:
    version_id = db.scalar(select(RequestVersion.id).where(
        RequestVersion.request_id == event.request_id,
        RequestVersion.number == event.version_number, RequestVersion.minor == 0))
    if version_id is not None:
        asks.close_on_resubmission(db, event.request_id, version_id)


def _documents_package(db: Session, event: events.DocumentsAdded) -> None:
    request = db.get(MlaRequest, event.request_id)
    version = db.get(RequestVersion, event.version_id)
    if request is not None and version is not None:
        record_version_package(db, request, version)


def _first_action(db: Session, event: events.DocumentsAsked) -> None:
    request = db.get(MlaRequest, event.request_id)
    if request is not None:
        note_step(db, request, event.at, event.settings)


def _queue_status(db: Session, event: events.RequestStatusChanged) -> None:
    request = db.get(MlaRequest, event.request_id)
    if request is not None:
        sync_status(db, request, settings=event.settings)


def connect() -> None:
    """Subscribe triage (the queue entry first), packages, staff notifications and webhooks to
    the requests' events."""
    events.subscribe(events.RequestSubmitted, _queue_entry)
    events.subscribe(events.RequestSubmitted, _package)
    events.subscribe(events.RequestSubmitted, notify.on_submitted)
    events.subscribe(events.RequestSubmitted, _close_asks)
    events.subscribe(events.DocumentsAdded, _documents_package)
    events.subscribe(events.DocumentsAsked, _first_action)
    events.subscribe(events.RequestStatusChanged, _queue_status)
    events.subscribe(events.RequestStatusChanged, notify.on_status_changed)
    events.subscribe(events.MessageFromRequester, notify.on_message)
    events.subscribe(events.RequestAssigned, notify.on_assigned)
    # the authority's webhook endpoints: every change of status, every message from OIA
    events.subscribe(events.RequestSubmitted, webhooks.on_status_changed)
    events.subscribe(events.RequestStatusChanged, webhooks.on_status_changed)
    events.subscribe(events.TriageStatusChanged, webhooks.on_status_changed)
    events.subscribe(events.MessageToRequester, webhooks.on_message)


connect()
