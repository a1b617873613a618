"""The hand-off state of packages as OIA staff see it, the retry of a failed hand-off, and its
copy in the triage queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session

from portal.accounts.models import Role, User
from portal.audit.log import record
from portal.db import utcnow
from portal.db_reads import Read, read_together
from portal.i18n_core import N_
from portal.packages.models import (
    Handoff,
    HandoffAttempt,
    HandoffState,
    Package,
    PackageState,
    bag_name,
)
from portal.requests.models import MlaRequest, Status, version_label
from portal.triage.models import TriageEntry

#: Hand-off states as OIA staff read them (translated by the caller).
STATE_LABELS = {
    "pending": N_("Being prepared"),
    HandoffState.QUEUED.value: N_("Queued for hand-off"),
    HandoffState.SENDING.value: N_("Being handed off"),
    HandoffState.SENT.value: N_("Handed off"),
    HandoffState.FAILED.value: N_("Hand-off failed"),
    "training": N_("Practice request: not handed off"),
}


class NotRetryable(RuntimeError):
    """The package's hand-off has not failed (or the package does not exist)."""


@dataclass(frozen=True)
class AttemptView:
    number: int
    started_at: datetime
    finished_at: datetime | None
    target: str
    outcome: str
    error: str


@dataclass(frozen=True)
class PackageStatus:
    package_id: str
    version: int
    reference: str
    bag_name: str
    built: bool
    build_error: str
    #: pending (not built yet), queued, sending, sent, failed, or training (never handed off)
    state: str
    #: The English label of ``state`` (a msgid: translate it with gettext).
    label: str
    attempts: int
    last_error: str
    next_attempt_at: datetime | None
    sent_at: datetime | None
    target: str
    can_retry: bool
    history: tuple[AttemptView, ...]
    #: The minor version (documents added after submission); 0 for a whole version.
    minor: int = 0
    #: Its bag was deleted here by the retention schedule (after its hand-off).
    purged: bool = False

    @property
    def version_label(self) -> str:
        return version_label(self.version, self.minor)


def _packages_where(condition: Any) -> Select[*tuple[Any, ...]]:
    return (select(Package.id, Package.public_id, Package.version, Package.minor,
                   Package.reference,
                   Package.state, Package.build_error, Package.training,
                   Handoff.id.label("handoff_id"), Handoff.state.label("handoff_state"),
                   Handoff.attempts, Handoff.last_error, Handoff.next_attempt_at,
                   Handoff.sent_at, Handoff.target)
            .outerjoin(Handoff, Handoff.package_id == Package.id)
            .where(condition).order_by(Package.version, Package.minor, Package.id))


def _attempts_where(condition: Any) -> Select[*tuple[Any, ...]]:
    return (select(HandoffAttempt.handoff_id, HandoffAttempt.number, HandoffAttempt.started_at,
                   HandoffAttempt.finished_at, HandoffAttempt.target, HandoffAttempt.outcome,
                   HandoffAttempt.error)
            .join(Handoff, Handoff.id == HandoffAttempt.handoff_id)
            .join(Package, Package.id == Handoff.package_id)
            .where(condition).order_by(HandoffAttempt.number, HandoffAttempt.id))


#: The packages with their hand-offs, and the attempts, of a request or of one package.
_OF_REQUEST = Package.request_id == bindparam("request_id")
_PACKAGES_OF = _packages_where(_OF_REQUEST)
_ATTEMPTS_OF = _attempts_where(_OF_REQUEST)
_OF_PACKAGE = Package.id == bindparam("package_id")
_PACKAGE = _packages_where(_OF_PACKAGE)
_ATTEMPTS_OF_PACKAGE = _attempts_where(_OF_PACKAGE)


def _statuses(packages: list[Any], attempts: list[Any]) -> list[PackageStatus]:
    by_handoff: dict[int, list[Any]] = {}
    for attempt in attempts:
        by_handoff.setdefault(attempt.handoff_id, []).append(attempt)
    return [_status(row, by_handoff.get(row.handoff_id, [])) for row in packages]


def _status(row: Any, attempts: list[Any]) -> PackageStatus:
    built = row.state == PackageState.BUILT.value
    handed = row.handoff_id is not None
    if row.training or not handed:
        state = "training" if row.training else PackageState.PENDING.value
    elif not built and row.handoff_state == HandoffState.QUEUED.value:
        state = PackageState.PENDING.value
    else:
        state = row.handoff_state
    return PackageStatus(
        package_id=row.public_id, version=row.version, reference=row.reference,
        bag_name=bag_name(row.reference, row.version, row.minor), built=built,
        build_error=row.build_error, state=state,
        label=STATE_LABELS.get(state, state),
        attempts=row.attempts if handed else 0,
        last_error=row.last_error if handed else "",
        next_attempt_at=row.next_attempt_at if handed and
        row.handoff_state == HandoffState.QUEUED.value else None,
        sent_at=row.sent_at if handed else None,
        target=row.target if handed else "",
        can_retry=handed and row.handoff_state == HandoffState.FAILED.value,
        history=tuple(AttemptView(a.number, a.started_at, a.finished_at, a.target, a.outcome,
                                  a.error) for a in attempts), minor=row.minor,
        purged=row.state == PackageState.PURGED.value)


def handoff_read(request_id: int) -> Read[list[PackageStatus]]:
    """Every package of a request (one per submitted version, oldest first) with its hand-off
    state and every attempt. The caller has checked that the user may see the request."""
    params = {"request_id": request_id}
    return Read(((_PACKAGES_OF, params), (_ATTEMPTS_OF, params)), _statuses)


def handoff_state(db: Session, request: MlaRequest) -> list[PackageStatus]:
    statuses: list[PackageStatus] = read_together(db, handoff_read(request.id))[0]
    return statuses


def package_status(db: Session, package: Package) -> PackageStatus:
    params = {"package_id": package.id}
    statuses: list[PackageStatus] = read_together(
        db, Read(((_PACKAGE, params), (_ATTEMPTS_OF_PACKAGE, params)), _statuses))[0]
    return statuses[0]


def retry(db: Session, user: User, package_id: str, *, ip: str = "") -> PackageStatus:
    """Put a failed hand-off back in the queue (OIA staff only), with a fresh attempt budget.
    Raises ``PermissionError`` for other roles and :class:`NotRetryable` when the package is
    unknown, a practice package or its hand-off has not failed."""
    if user.role_enum is not Role.TRIAGE:
        raise PermissionError("only OIA triage staff retry a hand-off")
    package = db.scalar(select(Package).join(MlaRequest, MlaRequest.id == Package.request_id)
                        .where(Package.public_id == package_id, Package.training.is_(False),
                               MlaRequest.status != Status.DRAFT.value))
    if package is None:
        raise NotRetryable(package_id)
    now = utcnow()
    changed = db.execute(
        update(Handoff).where(Handoff.package_id == package.id,
                              Handoff.state == HandoffState.FAILED.value)
        .values(state=HandoffState.QUEUED.value, attempts=0, next_attempt_at=now,
                owner="", lease_until=None, updated_at=now)
        .execution_options(synchronize_session=False))
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise NotRetryable(package_id)
    record(db, "package.retry_requested", actor_id=user.id, actor=user.email, ip=ip,
           object_type="package", object_id=package.public_id,
           details={"reference": package.reference, "version": package.version})
    sync_triage_handoff(db, package.request_id)
    db.flush()
    db.expire_all()
    return package_status(db, package)


def sync_triage_handoff(db: Session, request_id: int) -> None:
    """Copy the latest package's hand-off state into the triage queue entry (if any)."""
    latest = db.scalar(select(Package).where(Package.request_id == request_id)
                       .order_by(Package.version.desc(), Package.minor.desc()).limit(1))
    if latest is None:
        return
    status = package_status(db, latest)
    db.execute(update(TriageEntry).where(TriageEntry.request_id == request_id)
               .values(handoff=status.state).execution_options(synchronize_session=False))


def latest_package(db: Session, request: MlaRequest, version: int | None = None,
                   minor: int | None = None) -> Package | None:
    """The request's package of ``version`` (and ``minor``; the latest minor when not given),
    or of its latest version."""
    query = select(Package).where(Package.request_id == request.id)
    if version is not None:
        query = query.where(Package.version == version)
        if minor is not None:
            query = query.where(Package.minor == minor)
    return db.scalar(query.order_by(Package.version.desc(), Package.minor.desc()).limit(1))
