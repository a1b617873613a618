"""Recording a package with its submission: the package row and its hand-off outbox row, in the
submission's transaction, and the bag built once that transaction commits."""

# Why a package is never lost, duplicated or half-written: nothing is written to disk before the
# commit, so a failed submission leaves neither rows nor files, and a committed one has both
# rows (UNIQUE(request_id, version) and UNIQUE(version_id) forbid a second package of a
# version). The bag is built after the commit (portal.packages.building); a process killed in
# between leaves a pending row that portal.packages.repair builds.

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import Connection, Engine, event, select
from sqlalchemy.orm import Session

from portal.attachments.models import Attachment
from portal.audit.log import record
from portal.config import Settings
from portal.db import utcnow
from portal.packages.building import build_package, version_content
from portal.packages.models import Handoff, HandoffState, Package, PackageState
from portal.packages.status import sync_triage_handoff
from portal.requests.models import MlaRequest, RequestVersion

log = logging.getLogger(__name__)

_HOOK_KEY = "portal.packages.after_commit"


def record_package(db: Session, settings: Settings, request: MlaRequest,
                   version_number: int) -> Package:
    """Insert the package row and its hand-off outbox row for a version just submitted, in the
    caller's transaction, and build the bag once that transaction commits."""
    version = db.scalar(select(RequestVersion).where(RequestVersion.request_id == request.id,
                                                     RequestVersion.number == version_number))
    if version is None:
        raise LookupError(f"request {request.public_id} has no version {version_number}")
    package = insert_rows(db, request, version)
    record(db, "package.queued", object_type="package", object_id=package.public_id,
           details={"request": request.public_id, "reference": package.reference,
                    "version": package.version, "training": package.training})
    sync_triage_handoff(db, request.id)
    if settings.package_build_after_commit:
        _build_after_commit(db, settings, package.id)
    return package


def insert_rows(db: Session, request: MlaRequest, version: RequestVersion) -> Package:
    """The ``pending`` package row of ``version`` and, unless it is a practice request, its
    ``queued`` hand-off row."""
    content = version_content(version)
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


def _freeze_attachments(db: Session, request: MlaRequest,
                        content: dict[str, Any]) -> list[dict[str, str]]:
    """The stored file behind each attachment the version lists (by SHA-256, current files
    first, each file used once); an empty id for one never uploaded, which its package declares
    "not received"."""
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


def _build_after_commit(db: Session, settings: Settings, package_id: int) -> None:
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
