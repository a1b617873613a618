"""Recording a package with its submission: the package row, its hand-off outbox row and the job
that builds its bag (portal.jobs, run by ``portal worker`` once the transaction commits), all in
the submission's transaction."""

# Why a package is never lost, duplicated or half-written: nothing is written to disk before the
# commit, so a failed submission leaves neither rows nor files, and a committed one has both
# rows (UNIQUE(request_id, version) and UNIQUE(version_id) forbid a second package of a
# version) and the build job. A worker builds the bag (portal.packages.building); a job that
# keeps failing leaves a pending row that portal.packages.repair builds.

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.attachments.models import Attachment
from portal.audit.log import record
from portal.config import Settings
from portal.db import utcnow
from portal.jobs.queue import enqueue, waiting
from portal.packages.building import version_content
from portal.packages.models import Handoff, HandoffState, Package, PackageState
from portal.packages.status import sync_triage_handoff
from portal.requests.models import MlaRequest, RequestVersion

#: The job that builds a package's bag (its handler: portal.packages.jobs).
BUILD = "package.build"


def enqueue_build(db: Session, package_id: int) -> None:
    """The package's build, once, after ``db``'s transaction commits."""
    enqueue(db, BUILD, {"package_id": package_id}, key=f"{BUILD}:{package_id}")


def build_again_soon(db: Session, package: Package) -> None:
    """A bag missing on disk (its build still waiting, or the files lost): pending again, and
    built by a worker (one waiting job, however often it is asked)."""
    db.execute(update(Package).where(Package.id == package.id)
               .values(state=PackageState.PENDING.value))
    payload = {"package_id": package.id}
    if not waiting(db, BUILD, payload):
        enqueue(db, BUILD, payload)


def record_package(db: Session, settings: Settings, request: MlaRequest,
                   version_number: int) -> Package:
    """Insert the package row and its hand-off outbox row for a version just submitted, in the
    caller's transaction, and build the bag once that transaction commits."""
    version = db.scalar(select(RequestVersion).where(RequestVersion.request_id == request.id,
                                                     RequestVersion.number == version_number,
                                                     RequestVersion.minor == 0))
    if version is None:
        raise LookupError(f"request {request.public_id} has no version {version_number}")
    return record_version_package(db, request, version)


def record_version_package(db: Session, request: MlaRequest,
                           version: RequestVersion) -> Package:
    """The same for a version already loaded (a minor version: documents added)."""
    package = insert_rows(db, request, version)
    record(db, "package.queued", object_type="package", object_id=package.public_id,
           details={"request": request.public_id, "reference": package.reference,
                    "version": package.version, "training": package.training,
                    **({"minor": package.minor} if package.minor else {})})
    sync_triage_handoff(db, request.id)
    enqueue_build(db, package.id)
    return package


def insert_rows(db: Session, request: MlaRequest, version: RequestVersion) -> Package:
    """The ``pending`` package row of ``version`` and, unless it is a practice request, its
    ``queued`` hand-off row."""
    content = version_content(version)
    package = Package(request_id=request.id, version_id=version.id, version=version.number,
                      minor=version.minor,
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
