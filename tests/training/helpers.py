"""Helpers of the training tests: practice requests made and submitted through the services."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import select

from portal.requests import checks, drafts, submission
from portal.requests.models import MlaRequest
from portal.training import samples, sandbox
from tests.conftest import Account, run_jobs
from tests.training.conftest import session, user_of


def start(app: Flask, account: Account, slug: str | None = None, *,
          created_at: datetime | None = None) -> str:
    with session(app) as db:
        sample = samples.get_sample(slug) if slug else None
        created = sandbox.start_practice(db, user_of(db, account), sample, locale="en")
        if created_at is not None:
            created.created_at = created_at
        return created.public_id


def row(app: Flask, public_id: str) -> MlaRequest:
    with session(app) as db:
        found = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert found is not None
        db.expunge(found)
        return found


def submit(app: Flask, account: Account, public_id: str) -> str:
    """Acknowledge every warning and submit (on the samples' day), then let a worker run the
    jobs it enqueued (its package's build); the reference."""
    with session(app) as db:
        req = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert req is not None
        content = drafts.content_of(req)
        day = samples.sample_day()
        findings = checks.compute(content, "en", day)
        req.acks_json = json.dumps({f.key: "Practice: acknowledged." for f in findings
                                    if f.severity == "warning"})
        done = submission.submit(db, app.extensions["portal.settings"], user_of(db, account),
                                 req, expected_revision=req.revision, locale="en", today=day)
        reference = done.reference
    run_jobs(app)
    return reference


def long_ago(days: int) -> datetime:
    from datetime import timedelta

    return datetime.now(UTC) - timedelta(days=days)
