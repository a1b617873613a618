"""Packages in the database and on disk: recorded with the submission, built after its commit,
repaired, swept; their hand-off state for OIA staff and the retry of a failed one.

Atomicity (why a package can never be lost, duplicated or half-written)
-----------------------------------------------------------------------
1. **In the submission's transaction** :func:`record_package` (called by
   ``portal.requests.submission.submit`` once the version row is flushed) inserts the
   ``packages`` row (state ``pending``) and the ``package_handoffs`` outbox row (state
   ``queued``; none for a TRAINING request, which never enters OIA's queue). Nothing is written
   to disk before the commit, so a failed or interrupted submission leaves neither rows nor
   files; a committed one always has both rows (``UNIQUE(request_id, version)`` and
   ``UNIQUE(version_id)`` make a second package of the same version impossible).
2. **After the commit** an ``after_commit`` hook of the session builds the bag from the committed
   rows (:func:`build_package`): in ``<packages>/.tmp/<name>.<pid>.<random>``, fsynced, then
   renamed to ``<packages>/<reference>-v<N>`` in one step, and only then is the row marked
   ``built`` (with its Payload-Oxum and the SHA-256 of its tag manifest). The build is
   idempotent and deterministic: if the bag is already in place the new copy is dropped.
   Concurrent builders of one package: on PostgreSQL the builder holds the package row with
   ``FOR UPDATE SKIP LOCKED`` while it builds, so a second one skips it; on SQLite both may
   build and the rename decides (the loser's copy is deleted, the bags are identical anyway).
3. **Recovery**: a process killed between the commit and the rename leaves a ``pending`` row
   (and maybe a temporary directory). :func:`repair` - run by ``portal package repair`` and at
   every start and pass of ``portal forward`` - creates rows missing for any submitted version,
   marks ``built`` rows whose bag vanished as ``pending``, builds every pending package and
   sweeps temporary files older than ``PORTAL_PACKAGE_TEMP_MAX_AGE_MINUTES``
   (:func:`sweep`). The forwarder hands over only ``built`` packages.

The hand-off (claiming, retries, attempts) is in :mod:`portal.packages.forwarder`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Select, bindparam, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.accounts.models import Authority, Role, User
from portal.attachments.models import Attachment
from portal.attachments.service import attachment_store
from portal.attachments.store import AttachmentStore
from portal.audit.log import record
from portal.config import Settings
from portal.contract.model import Request
from portal.db import utcnow
from portal.db_reads import Read, read_together
from portal.i18n_core import N_
from portal.packages.bag import (
    TEMP_DIR_NAME,
    AttachmentSource,
    BagSource,
    BuildError,
    BuiltBag,
    MissingAttachment,
    build_bag,
)
from portal.packages.models import (
    Handoff,
    HandoffAttempt,
    HandoffState,
    Package,
    PackageState,
    bag_name,
)
from portal.requests.models import MlaRequest, RequestVersion, Status

log = logging.getLogger(__name__)

_HOOK_KEY = "portal.packages.after_commit"

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


# --- recording, in the submission's transaction --------------------------------------------

def record_package(db: Session, settings: Settings, request: MlaRequest,
                   version_number: int) -> Package:
    """Insert the package row and its hand-off outbox row for a version just submitted, in the
    caller's transaction, and build the bag once that transaction commits."""
    version = db.scalar(select(RequestVersion).where(RequestVersion.request_id == request.id,
                                                     RequestVersion.number == version_number))
    if version is None:
        raise LookupError(f"request {request.public_id} has no version {version_number}")
    package = _insert_rows(db, request, version)
    record(db, "package.queued", object_type="package", object_id=package.public_id,
           details={"request": request.public_id, "reference": package.reference,
                    "version": package.version, "training": package.training})
    sync_triage_handoff(db, request.id)
    if settings.package_build_after_commit:
        _after_commit(db, settings, package.id)
    return package


def _insert_rows(db: Session, request: MlaRequest, version: RequestVersion) -> Package:
    content = _content(version)
    package = Package(request_id=request.id, version_id=version.id, version=version.number,
                      reference=content.get("reference") or request.reference or "",
                      training=request.training,
                      attachments_json=json.dumps(_freeze_attachments(db, request, content),
                                                  ensure_ascii=False),
                      state=PackageState.PENDING.value, created_at=utcnow())
    db.add(package)
    db.flush()
    if not package.training:
        db.add(Handoff(package_id=package.id, state=HandoffState.QUEUED.value,
                       next_attempt_at=utcnow(), created_at=utcnow(), updated_at=utcnow()))
        db.flush()
    return package


def _content(version: RequestVersion) -> dict[str, Any]:
    value = json.loads(version.content_json or "{}")
    return value if isinstance(value, dict) else {}


def _freeze_attachments(db: Session, request: MlaRequest,
                        content: dict[str, Any]) -> list[dict[str, str]]:
    """The stored file behind each attachment the version lists (by SHA-256, current files
    first, each file used once). An attachment listed without any stored file (a request
    imported with an attachment list and never given the files) gets an empty id: its package
    declares it "not received" (findings.json, bag-info, request.pdf)."""
    rows = list(db.scalars(select(Attachment).where(Attachment.request_id == request.id)
                           .order_by(Attachment.removed_at.is_not(None), Attachment.uploaded_at,
                                     Attachment.id)))
    used: set[int] = set()
    frozen = []
    for listed in content.get("attachments") or []:
        sha = str(listed.get("sha256", ""))
        match = next((r for r in rows if r.sha256 == sha and r.id not in used), None) or \
            next((r for r in rows if r.sha256 == sha), None)
        if match is not None:
            used.add(match.id)
        frozen.append({"id": match.public_id if match else "", "sha256": sha,
                       "filename": str(listed.get("filename", ""))})
    return frozen


def _after_commit(db: Session, settings: Settings, package_id: int) -> None:
    pending: list[tuple[Settings, int]] | None = db.info.get(_HOOK_KEY)
    if pending is None:
        pending = []
        db.info[_HOOK_KEY] = pending
        event.listen(db, "after_commit", _build_committed)
        event.listen(db, "after_rollback", _forget)
    pending.append((settings, package_id))


def _forget(session: Session) -> None:
    pending = session.info.get(_HOOK_KEY)
    if pending:
        pending.clear()


def _build_committed(session: Session) -> None:
    pending = session.info.get(_HOOK_KEY)
    if not pending:
        return
    todo = list(pending)
    pending.clear()
    engine = _engine(session.get_bind())
    for settings, package_id in todo:
        try:
            build_package(engine, settings, package_id)
        except Exception:  # the package stays pending; repair builds it
            log.exception("building package %s after the commit failed", package_id)


def _engine(bind: Engine | Connection) -> Engine:
    return bind.engine if isinstance(bind, Connection) else bind


# --- building ----------------------------------------------------------------------------------

@contextmanager
def _session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as db, db.begin():
        yield db


def build_package(engine: Engine, settings: Settings, package_id: int, *,
                  store: AttachmentStore | None = None) -> BuiltBag | None:
    """Build a pending package and mark it built. Idempotent; returns None when it is already
    built or another builder holds it. Raises :class:`BuildError` (also recorded on the row)."""
    if engine.dialect.name == "postgresql":
        failure: Exception | None = None
        with _session(engine) as db:
            package = db.scalar(select(Package).where(Package.id == package_id)
                                .with_for_update(skip_locked=True))
            if package is None or package.state != PackageState.PENDING.value:
                return None
            try:
                built = build_bag(load_source(db, settings, package, store),
                                  settings.packages_path, name=package.bag_name)
            except Exception as exc:  # recorded once the row lock is released, then raised
                failure = exc
            else:
                _mark_built(db, package_id, built)
                return built
        _record_build_error(engine, package_id, str(failure))
        raise failure
    with _session(engine) as db:
        package = db.get(Package, package_id)
        if package is None or package.state != PackageState.PENDING.value:
            return None
        name = package.bag_name
        try:
            source = load_source(db, settings, package, store)
        except Exception as exc:
            failure = exc
        else:
            failure = None
    try:
        if failure is not None:
            raise failure
        built = build_bag(source, settings.packages_path, name=name)
    except Exception as exc:
        _record_build_error(engine, package_id, str(exc))
        raise
    with _session(engine) as db:
        _mark_built(db, package_id, built)
    return built


def _mark_built(db: Session, package_id: int, built: BuiltBag) -> None:
    db.execute(update(Package).where(Package.id == package_id,
                                     Package.state == PackageState.PENDING.value)
               .values(state=PackageState.BUILT.value, built_at=utcnow(),
                       payload_oxum=built.payload_oxum,
                       tagmanifest_sha256=built.tagmanifest_sha256, build_error="",
                       build_attempts=Package.build_attempts + 1))
    request_id = db.scalar(select(Package.request_id).where(Package.id == package_id))
    if request_id is not None:
        sync_triage_handoff(db, request_id)


def _record_build_error(engine: Engine, package_id: int, error: str) -> None:
    with _session(engine) as db:
        db.execute(update(Package).where(Package.id == package_id)
                   .values(build_error=error[:2000],
                           build_attempts=Package.build_attempts + 1))


def load_source(db: Session, settings: Settings, package: Package,
                store: AttachmentStore | None = None) -> BagSource:
    """Everything the bag of ``package`` holds, from the frozen version and the stored files."""
    version = db.get(RequestVersion, package.version_id)
    request = db.get(MlaRequest, package.request_id)
    if version is None or request is None:
        raise BuildError(f"package {package.public_id}: its version is gone")
    content = _content(version)
    model = Request.from_dict(content)
    authority = db.get(Authority, request.authority_id)
    submitter = db.get(User, version.submitted_by_id) if version.submitted_by_id else None
    store = store or attachment_store(settings)
    listed = model.attachments
    frozen = json.loads(package.attachments_json or "[]")
    if len(frozen) != len(listed):
        raise BuildError(f"package {package.public_id}: the frozen attachment list does not "
                         "match the version")
    attachments = []
    missing = []
    for index, (item, ref) in enumerate(zip(listed, frozen, strict=True), 1):
        row = db.scalar(select(Attachment).where(Attachment.public_id == ref.get("id", ""),
                                                 Attachment.request_id == request.id)) \
            if ref.get("id") else None
        if row is None:
            if ref.get("id"):  # recorded at submission, gone since: never silently dropped
                raise BuildError(f"attachment {index} ({item.filename}) of {package.bag_name} "
                                 "has lost its stored file")
            missing.append(MissingAttachment(index, item.filename, item.document_kind,
                                             item.sha256))
            continue
        attachments.append(AttachmentSource(
            index=index, filename=item.filename or row.filename,
            document_kind=item.document_kind or row.document_kind, sha256=row.sha256,
            size=row.size, pages=row.pages,
            read=_reader(store, row.storage_name, request.public_id, row.public_id)))
    # provenance: the submitting account and its authority, never what the request typed
    return BagSource(
        package_id=package.public_id, reference=package.reference, version=package.version,
        submitted_at=version.submitted_at, training=package.training,
        source_organization=authority.name if authority else "",
        source_country=authority.country if authority else "",
        contact_name=submitter.name if submitter else "",
        contact_email=submitter.email if submitter else "",
        content=content, findings=_findings(version), attachments=attachments,
        missing_attachments=missing, reference_version=version.reference_version or "")


def _reader(store: AttachmentStore, storage_name: str, request_id: str,
            attachment_id: str) -> Callable[[], bytes]:
    def read() -> bytes:
        # AES-GCM authenticates the file and its place; the SHA-256 recorded at upload is
        # compared with the bag's manifest (one hashing pass, see portal.packages.bag).
        return store.keyring.decrypt(store.read_raw(storage_name), request_id=request_id,
                                     attachment_id=attachment_id)
    return read


def _findings(version: RequestVersion) -> list[dict[str, Any]]:
    try:
        value = json.loads(version.findings_json or "[]")
    except ValueError:
        return []
    return [f for f in value if isinstance(f, dict)] if isinstance(value, list) else []


def bag_path(settings: Settings, package: Package) -> Path:
    return settings.packages_path / package.bag_name


def ensure_built(engine: Engine, settings: Settings, package: Package) -> Path:
    """The package's bag, built now if it is still pending (for downloads)."""
    path = bag_path(settings, package)
    if not (path / "tagmanifest-sha256.txt").is_file():
        with _session(engine) as db:
            db.execute(update(Package).where(Package.id == package.id)
                       .values(state=PackageState.PENDING.value))
        build_package(engine, settings, package.id)
        if not (path / "tagmanifest-sha256.txt").is_file():
            raise BuildError(f"package {package.bag_name} is being built; try again shortly")
    return path


# --- repair and sweep --------------------------------------------------------------------------

@dataclass
class RepairReport:
    created: list[str] = field(default_factory=list)
    handoffs_created: list[str] = field(default_factory=list)
    missing_bags: list[str] = field(default_factory=list)
    built: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    swept: list[Path] = field(default_factory=list)
    orphans: list[Path] = field(default_factory=list)


def repair(engine: Engine, settings: Settings, *, sweep_older_than_minutes: float | None = None,
           store: AttachmentStore | None = None, thorough: bool = True) -> RepairReport:
    """Bring every submitted version to a complete package and hand-off entry. Idempotent and
    safe to run while submissions and forwarders run. ``thorough=False`` (the forwarder's
    periodic pass) skips the checks that touch every package: built bags still on disk, and
    directories that belong to no package."""
    report = RepairReport()
    with _session(engine) as db:
        missing = list(db.execute(
            select(RequestVersion.id, RequestVersion.request_id)
            .outerjoin(Package, Package.version_id == RequestVersion.id)
            .where(Package.id.is_(None)).order_by(RequestVersion.id)))
    for version_id, request_id in missing:
        try:
            with _session(engine) as db:
                request = db.get(MlaRequest, request_id)
                version = db.get(RequestVersion, version_id)
                if request is None or version is None:
                    continue
                package = _insert_rows(db, request, version)
                record(db, "package.queued", actor="repair", object_type="package",
                       object_id=package.public_id,
                       details={"request": request.public_id, "reference": package.reference,
                                "version": package.version, "training": package.training})
                report.created.append(package.bag_name)
        except IntegrityError:  # created meanwhile by the submission or another repair
            continue
    with _session(engine) as db:
        lacking = list(db.scalars(
            select(Package).outerjoin(Handoff, Handoff.package_id == Package.id)
            .where(Handoff.id.is_(None), Package.training.is_(False))))
    for package in lacking:
        try:
            with _session(engine) as db:
                db.add(Handoff(package_id=package.id, state=HandoffState.QUEUED.value,
                               next_attempt_at=utcnow(), created_at=utcnow(),
                               updated_at=utcnow()))
            report.handoffs_created.append(package.bag_name)
        except IntegrityError:
            continue
    with _session(engine) as db:
        built = list(db.execute(select(Package.id, Package.reference, Package.version)
                                .where(Package.state == PackageState.BUILT.value))) \
            if thorough else []
        for package_id, reference, number in built:
            name = f"{reference}-v{number}"
            if not (settings.packages_path / name / "tagmanifest-sha256.txt").is_file():
                db.execute(update(Package).where(Package.id == package_id)
                           .values(state=PackageState.PENDING.value))
                report.missing_bags.append(name)
    with _session(engine) as db:
        pending = list(db.execute(select(Package.id, Package.reference, Package.version)
                                  .where(Package.state == PackageState.PENDING.value)
                                  .order_by(Package.id)))
    for package_id, reference, number in pending:
        name = f"{reference}-v{number}"
        try:
            if build_package(engine, settings, package_id, store=store) is not None:
                report.built.append(name)
        except Exception as exc:
            log.exception("repair: building %s failed", name)
            report.failed.append((name, str(exc)))
    report.swept = sweep(settings, sweep_older_than_minutes)
    if not thorough:
        return report
    with _session(engine) as db:
        names = {f"{r}-v{v}" for r, v in db.execute(select(Package.reference, Package.version))}
    root = settings.packages_path
    if root.is_dir():
        report.orphans = sorted(p for p in root.iterdir()
                                if p.name != TEMP_DIR_NAME and p.name not in names)
    return report


def _newest_mtime(path: Path) -> float:
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for directory, dirs, files in os.walk(path):
            for name in [*dirs, *files]:
                try:
                    newest = max(newest, os.lstat(os.path.join(directory, name)).st_mtime)
                except FileNotFoundError:
                    continue
    return newest


def sweep(settings: Settings, older_than_minutes: float | None = None) -> list[Path]:
    """Remove temporary files of interrupted builds and drop-folder copies not touched for
    ``older_than_minutes`` (default ``PORTAL_PACKAGE_TEMP_MAX_AGE_MINUTES``)."""
    minutes = settings.package_temp_max_age_minutes if older_than_minutes is None \
        else older_than_minutes
    limit = time.time() - minutes * 60
    candidates: list[Path] = []
    temp_root = settings.packages_path / TEMP_DIR_NAME
    if temp_root.is_dir():
        candidates.extend(temp_root.iterdir())
    dropbox = settings.dropbox_path
    if dropbox.is_dir():
        candidates.extend(p for p in dropbox.iterdir() if p.name.startswith(".tmp-"))
    removed = []
    for path in candidates:
        try:
            if _newest_mtime(path) > limit:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
        except FileNotFoundError:
            continue
    return removed


# --- hand-off state for OIA staff ---------------------------------------------------------------

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


def _packages_where(condition: Any) -> Select[*tuple[Any, ...]]:
    return (select(Package.id, Package.public_id, Package.version, Package.reference,
                   Package.state, Package.build_error, Package.training,
                   Handoff.id.label("handoff_id"), Handoff.state.label("handoff_state"),
                   Handoff.attempts, Handoff.last_error, Handoff.next_attempt_at,
                   Handoff.sent_at, Handoff.target)
            .outerjoin(Handoff, Handoff.package_id == Package.id)
            .where(condition).order_by(Package.version, Package.id))


def _attempts_where(condition: Any) -> Select[*tuple[Any, ...]]:
    return (select(HandoffAttempt.handoff_id, HandoffAttempt.number, HandoffAttempt.started_at,
                   HandoffAttempt.finished_at, HandoffAttempt.target, HandoffAttempt.outcome,
                   HandoffAttempt.error)
            .join(Handoff, Handoff.id == HandoffAttempt.handoff_id)
            .join(Package, Package.id == Handoff.package_id)
            .where(condition).order_by(HandoffAttempt.number, HandoffAttempt.id))


#: Built once (a statement keeps its cache key; the package view asks on every page), of plain
#: columns: the packages with their hand-offs, and the attempts, of a request or of a package.
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
        bag_name=bag_name(row.reference, row.version), built=built,
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
                                  a.error) for a in attempts))


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
    from portal.triage.models import TriageEntry

    latest = db.scalar(select(Package).where(Package.request_id == request_id)
                       .order_by(Package.version.desc()).limit(1))
    if latest is None:
        return
    status = package_status(db, latest)
    db.execute(update(TriageEntry).where(TriageEntry.request_id == request_id)
               .values(handoff=status.state).execution_options(synchronize_session=False))


def latest_package(db: Session, request: MlaRequest, version: int | None = None
                   ) -> Package | None:
    query = select(Package).where(Package.request_id == request.id)
    if version is not None:
        query = query.where(Package.version == version)
    return db.scalar(query.order_by(Package.version.desc()).limit(1))
