"""The practice sandbox: practice requests (``MlaRequest.training``) go through the normal wizard
and checks, are marked TRAINING everywhere, never reach OIA's queue, dashboard or statistics, and
are purged ``Settings.training_retention_days`` after they were started."""

# Who owns a practice request:
# * A submitter's practice request belongs to their authority, like their real drafts; "My
#   requests" leaves practice requests out and the sandbox lists them.
# * A trainer belongs to no authority. Each trainer gets, on demand, a training sandbox authority
#   of their own: an inactive authority (country US, so it is never offered when inviting users)
#   named "TRAINING sandbox <trainer public id>". Their practice requests belong to it, and
#   portal.requests.drafts.visible_requests lets a trainer see only the training requests they
#   created themselves: never case content. A per-trainer authority (rather than a nullable
#   owner) keeps requests.authority_id required and every authority-scoped query unchanged.
#
# Purging deletes the request and everything that belongs to it through portal.retention.removal
# (the deletion the retention schedule uses too): rows first, files once the deletion is
# committed, and one audit record per purged request (its public id only). A request under a
# legal hold is never purged. The audit trail itself is append-only and kept.

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from portal.accounts.models import Authority, Role, User
from portal.audit.log import record
from portal.config import Settings
from portal.contract.model import Request
from portal.db import utcnow
from portal.jobs import schedule
from portal.jobs.queue import JobContext, handler
from portal.requests import drafts
from portal.requests.models import MlaRequest
from portal.retention import removal
from portal.retention.hold import not_held
from portal.training.samples import Sample

SANDBOX_PREFIX = "TRAINING sandbox "
SANDBOX_COUNTRY = "US"
PRACTICE_ROLES = (Role.SUBMITTER, Role.TRAINER)


def not_sandbox() -> ColumnElement[bool]:
    """Filter out the trainers' sandbox authorities (lists of real authorities)."""
    return ~(Authority.name.startswith(SANDBOX_PREFIX, autoescape=True)
             & (Authority.country == SANDBOX_COUNTRY) & Authority.active.is_(False))


def sandbox_authority(db: Session, trainer: User) -> Authority:
    """The trainer's own training sandbox authority, created on first use."""
    name = SANDBOX_PREFIX + trainer.public_id
    found = db.scalar(select(Authority).where(Authority.name == name)
                      .order_by(Authority.id).limit(1))
    if found is not None:
        return found
    authority = Authority(name=name, country=SANDBOX_COUNTRY, active=False)
    db.add(authority)
    db.flush()
    record(db, "training.sandbox_created", actor_id=trainer.id, actor=trainer.email,
           object_type="authority", object_id=authority.public_id)
    return authority


def practice_content(user: User, sample: Sample | None, locale: str) -> Request:
    """What a practice request starts from: a copy of a sample, or a blank request with the
    user's name and e-mail as contact (and their authority for a submitter)."""
    if sample is not None:
        return sample.request
    authority = user.authority if user.role_enum is Role.SUBMITTER else None
    return Request.from_dict({
        "language": locale.replace("_", "-"),
        "requesting_authority": {
            "name": authority.name if authority else "",
            "country": authority.country if authority else "",
            "contact": {"name": user.name, "email": user.email},
        },
    })


def start_practice(db: Session, user: User, sample: Sample | None, *, locale: str,
                   ip: str = "") -> MlaRequest:
    """A new practice request (``training=True``) for a submitter or a trainer."""
    if user.role_enum not in PRACTICE_ROLES:
        raise PermissionError("only submitters and trainers practise")
    content = practice_content(user, sample, locale)
    sandbox = sandbox_authority(db, user) if user.role_enum is Role.TRAINER else None
    sandbox_id = sandbox.id if sandbox is not None else None
    if sandbox is not None and sample is None:  # a blank practice request: the sandbox's
        content = replace(content, requesting_authority=replace(
            content.requesting_authority, name=sandbox.name, country=sandbox.country))
    created = drafts.create_draft(db, user, content, ip=ip, training=True,
                                  sandbox_authority_id=sandbox_id)
    record(db, "training.practice_started", actor_id=user.id, actor=user.email, ip=ip,
           object_type="request", object_id=created.public_id,
           details={"sample": sample.slug if sample is not None else ""})
    return created


def practice_requests(db: Session, user: User, limit: int = 200) -> list[MlaRequest]:
    """The user's practice requests: a submitter's authority's, or a trainer's own."""
    query = drafts.visible_requests(user).where(MlaRequest.training.is_(True))
    if user.role_enum is Role.SUBMITTER:
        query = query.where(MlaRequest.created_by_id == user.id)
    return list(db.scalars(query.order_by(MlaRequest.created_at.desc()).limit(limit)))


def expires_at(request: MlaRequest, settings: Settings) -> datetime:
    return request.created_at + timedelta(days=settings.training_retention_days)


# --- purge ---------------------------------------------------------------------------------

@dataclass
class PurgeReport:
    requests: list[str] = field(default_factory=list)
    files: int = 0
    bags: int = 0
    errors: list[str] = field(default_factory=list)


def purge(db: Session, settings: Settings, *, now: datetime | None = None,
          actor: User | None = None, limit: int = 500) -> PurgeReport:
    """Delete practice requests started more than ``training_retention_days`` ago (at most
    ``limit`` per call; never one under a legal hold), their rows and their files. Commits."""
    cutoff = (now or utcnow()) - timedelta(days=settings.training_retention_days)
    report = PurgeReport()
    old = list(db.scalars(select(MlaRequest).where(MlaRequest.training.is_(True),
                                                    MlaRequest.created_at < cutoff, not_held())
                          .order_by(MlaRequest.id).limit(limit).with_for_update()))
    if not old:
        return report
    for request in old:
        record(db, "training.purged", actor_id=actor.id if actor else None,
               actor=actor.email if actor else "retention",
               object_type="request", object_id=request.public_id,
               details={"days": settings.training_retention_days})
        report.requests.append(request.public_id)
    leftovers = removal.delete_requests(db, old)
    db.commit()
    files = removal.delete_files(settings, leftovers)
    report.files, report.bags, report.errors = files.files, files.bags, files.errors
    return report


PURGE = "training.purge"


def purge_soon(db: Session, settings: Settings) -> None:
    """Have a worker purge soon (at most once an hour, however often it is asked)."""
    schedule.enqueue_period(db, settings, PURGE)


@handler(PURGE)
def _purge(context: JobContext, _payload: dict[str, object]) -> None:
    with Session(context.engine, expire_on_commit=False) as db:
        purge(db, context.settings)  # (commits)


schedule.every(PURGE, 3600)
