"""Requests in each state the retention schedule looks at, made through the services."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.config import Settings
from portal.db import Database, utcnow
from portal.packages import forwarder
from portal.requests import drafts, thread
from portal.requests.models import MlaRequest
from portal.retention.run import RetentionReport, run
from portal.retention_settings import RetentionSettings
from portal.triage import operations
from tests.conftest import Account
from tests.packages.helpers import letter, submit, submitted_request


def database(app: Flask) -> Database:
    return app.extensions["portal.db"]  # type: ignore[no-any-return]


def schedule(app: Flask, **days: int) -> Settings:
    """The app's settings with these days (every other kind kept for ever)."""
    values = {"draft_days": 0, "withdrawn_days": 0, "closed_days": 0, "package_days": 0,
              "drop_days": 0, **days}
    settings: Settings = app.extensions["portal.settings"].with_overrides(
        retention=RetentionSettings(**values))
    app.extensions["portal.settings"] = settings
    return settings


def later(days: float) -> datetime:
    return utcnow() + timedelta(days=days)


def retention(app: Flask, *, days_from_now: float, dry_run: bool = False) -> RetentionReport:
    with database(app).sessionmaker() as db:
        return run(db, app.extensions["portal.settings"], dry_run=dry_run,
                   now=later(days_from_now))


def request_row(db: Session, public_id: str) -> MlaRequest:
    found = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
    assert found is not None
    return found


def exists(app: Flask, public_id: str) -> bool:
    with database(app).session() as db:
        return db.scalar(select(MlaRequest.id).where(MlaRequest.public_id == public_id)) \
            is not None


def draft(app: Flask, submitter: Account) -> str:
    with database(app).session() as db:
        user = db.get(User, submitter.id)
        assert user is not None
        return drafts.create_draft(db, user).public_id


def submitted(app: Flask, submitter: Account) -> str:
    """A submitted request with its letter and its built package."""
    public_id, _reference = submitted_request(database(app), app.extensions["portal.settings"],
                                              submitter.id, [letter()])
    return public_id


def withdrawn(app: Flask, submitter: Account) -> str:
    public_id = submitted(app, submitter)
    with database(app).session() as db:
        user = db.get(User, submitter.id)
        assert user is not None
        thread.withdraw(db, app.extensions["portal.settings"], user,
                        request_row(db, public_id), "No longer needed.")
    return public_id


def declined(app: Flask, submitter: Account, staff: Account) -> str:
    public_id = submitted(app, submitter)
    settings = app.extensions["portal.settings"]
    with database(app).session() as db:
        user = db.get(User, staff.id)
        assert user is not None
        operations.open_request(db, settings, user, request_row(db, public_id))
        operations.decline(db, settings, user, request_row(db, public_id), "other",
                           "Outside the treaty.")
    return public_id


def resubmitted(app: Flask, submitter: Account, staff: Account) -> str:
    """A request returned for a deficiency and submitted again: version 1 is superseded."""
    public_id = submitted(app, submitter)
    settings = app.extensions["portal.settings"]
    with database(app).session() as db:
        user = db.get(User, staff.id)
        assert user is not None
        operations.open_request(db, settings, user, request_row(db, public_id))
        operations.return_for_deficiency(db, settings, user, request_row(db, public_id), [],
                                         "Sign the letter.")
    submit(database(app), settings, submitter.id, public_id)
    return public_id


def hand_over(app: Flask) -> None:
    """The forwarder hands every built package over to the drop folder."""
    summary = forwarder.run(database(app).engine, app.extensions["portal.settings"], once=True,
                            with_repair=False)
    assert not summary.errors and not summary.failed
