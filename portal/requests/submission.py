"""Submission: the draft becomes a frozen, numbered version with its findings and a reference.

Everything happens in the caller's transaction: the version, the status change (a
compare-and-set on the revision, so two colleagues pressing "submit" at once make one
submission), the timeline event, the audit record and the confirmation e-mail in the outbox.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portal import events
from portal.accounts.models import User
from portal.audit.log import record
from portal.config import Settings
from portal.db import utcnow
from portal.mail import messages, outbox
from portal.reference import store as reference_store
from portal.requests import checks, search
from portal.requests.drafts import NotEditable, content_of
from portal.requests.models import (
    EDITABLE,
    PRACTICE_SERIES,
    REAL_SERIES,
    MlaRequest,
    ReferenceCounter,
    RequestEvent,
    RequestVersion,
    Status,
)


class NotReady(RuntimeError):
    """Blockers remain or warnings are not acknowledged."""

    def __init__(self, blockers: int, unacknowledged: int) -> None:
        super().__init__(f"{blockers} blocker(s), {unacknowledged} unacknowledged warning(s)")
        self.blockers = blockers
        self.unacknowledged = unacknowledged


class AlreadySubmitted(RuntimeError):
    """The draft changed or was submitted by someone else meanwhile."""


@dataclass(frozen=True)
class Submitted:
    reference: str
    version: int


def allocate_reference(db: Session, year: int, series: str = REAL_SERIES) -> str:
    """The next reference of the series and year, e.g. ``MLA-2026-000042`` (gap-free per
    series and year; practice requests have their own series)."""
    dialect = db.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ReferenceCounter).values(series=series, year=year, last=1)
    upsert = statement.on_conflict_do_update(
        index_elements=[ReferenceCounter.series, ReferenceCounter.year],
        set_={"last": ReferenceCounter.last + 1},
    ).returning(ReferenceCounter.last)
    number = db.execute(upsert).scalar_one()
    return f"{series}-{year}-{number:06d}"


def submit(db: Session, settings: Settings, user: User, request: MlaRequest, *,
           expected_revision: int, locale: str, ip: str = "", today: date | None = None
           ) -> Submitted:
    if not request.editable:
        raise NotEditable(request.status)
    content = content_of(request)
    reference_data = reference_store.current(db)  # the version judging it, and recorded
    findings = checks.compute(content, locale, today, reference=reference_data,
                              account_country=checks.account_country_of(request))
    acks = checks.acknowledgements_of(request)
    state = checks.readiness(findings, acks)
    if not state["ready"]:
        raise NotReady(len(state["blockers"]), len(state["unacknowledged"]))
    previous_status = request.status
    now = utcnow()
    claimed = db.execute(
        update(MlaRequest)
        .where(MlaRequest.id == request.id, MlaRequest.revision == expected_revision,
               MlaRequest.status.in_([s.value for s in EDITABLE]))
        .values(status=Status.SUBMITTED.value, submitted_at=now, updated_at=now,
                revision=expected_revision + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise AlreadySubmitted(request.public_id)
    reference = request.reference or allocate_reference(
        db, now.year, PRACTICE_SERIES if request.training else REAL_SERIES)
    number = (db.scalar(select(func.max(RequestVersion.number))
                        .where(RequestVersion.request_id == request.id)) or 0) + 1
    frozen = replace(content, reference=reference)
    stored_findings = [
        {"code": f.code, "severity": f.severity, "path": f.path,
         "acknowledgement": acks.get(f.key, "") if f.severity == "warning" else "",
         **({"excerpt": f.excerpt.as_dict()} if f.excerpt else {})}
        for f in findings
    ]
    version = RequestVersion(request_id=request.id, number=number,
                             content_json=json.dumps(frozen.to_dict(omit_defaults=True),
                                                     ensure_ascii=False),
                             findings_json=json.dumps(stored_findings, ensure_ascii=False),
                             reference_version=reference_data.version,
                             submitted_by_id=user.id, submitted_at=now)
    db.add(version)
    db.execute(update(MlaRequest).where(MlaRequest.id == request.id)
               .values(reference=reference).execution_options(synchronize_session=False))
    search.store(db, request.id, reference, frozen)
    db.add(RequestEvent(request_id=request.id, actor_id=user.id,
                        kind="submitted" if number == 1 else "resubmitted",
                        from_status=previous_status, to_status=Status.SUBMITTED.value))
    record(db, "request.submitted", actor_id=user.id, actor=user.email, ip=ip,
           object_type="request", object_id=request.public_id,
           details={"reference": reference, "version": number})
    user_locale = user.locale or locale
    compose = messages.practice_submitted if request.training else messages.request_submitted
    mail = compose(user_locale, name=user.name, reference=reference,
                   link=f"{settings.base_url}/requests/{request.public_id}")
    outbox.queue(db, to=user.email, subject=mail.subject, body=mail.body, locale=user_locale,
                 kind="request_submitted")
    db.flush()
    db.refresh(request)
    events.publish(db, events.RequestSubmitted(request.id, number, settings))
    return Submitted(reference, number)
