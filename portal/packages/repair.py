"""Bringing every submitted version to a complete package and hand-off entry after a crash, and
sweeping the temporary files of interrupted builds and hand-offs."""

# Run by `portal package repair` and at every start and pass of `portal forward`: it creates the
# rows missing for any submitted version, marks built rows whose bag vanished as pending, builds
# every pending package and sweeps temporary files older than
# PORTAL_PACKAGE_TEMP_MAX_AGE_MINUTES. The forwarder hands over only built packages.

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from portal.attachments.store import AttachmentStore
from portal.audit.log import record
from portal.config import Settings
from portal.db import transaction, utcnow
from portal.packages import shared
from portal.packages.building import build_package
from portal.packages.disk import TEMP_DIR_NAME
from portal.packages.models import Handoff, HandoffState, Package, PackageState, bag_name
from portal.packages.recording import insert_rows
from portal.requests.models import MlaRequest, RequestVersion

log = logging.getLogger(__name__)


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
    """Bring every submitted version to a complete package and hand-off entry (idempotent, safe
    while submissions and forwarders run); ``thorough=False`` skips the checks that touch every
    package: bags still on disk, directories of no package."""
    report = RepairReport()
    with transaction(engine) as db:
        missing = list(db.execute(
            select(RequestVersion.id, RequestVersion.request_id)
            .outerjoin(Package, Package.version_id == RequestVersion.id)
            .where(Package.id.is_(None)).order_by(RequestVersion.id)))
    for version_id, request_id in missing:
        try:
            with transaction(engine) as db:
                request = db.get(MlaRequest, request_id)
                version = db.get(RequestVersion, version_id)
                if request is None or version is None:
                    continue
                package = insert_rows(db, request, version)
                record(db, "package.queued", actor="repair", object_type="package",
                       object_id=package.public_id,
                       details={"request": request.public_id, "reference": package.reference,
                                "version": package.version, "training": package.training})
                report.created.append(package.bag_name)
        except IntegrityError:  # created meanwhile by the submission or another repair
            continue
    with transaction(engine) as db:
        lacking = list(db.scalars(
            select(Package).outerjoin(Handoff, Handoff.package_id == Package.id)
            .where(Handoff.id.is_(None), Package.training.is_(False))))
    for package in lacking:
        try:
            with transaction(engine) as db:
                db.add(Handoff(package_id=package.id, state=HandoffState.QUEUED.value,
                               next_attempt_at=utcnow(), created_at=utcnow(),
                               updated_at=utcnow()))
            report.handoffs_created.append(package.bag_name)
        except IntegrityError:
            continue
    with transaction(engine) as db:
        built = list(db.execute(select(Package.id, Package.reference, Package.version,
                                       Package.minor)
                                .where(Package.state == PackageState.BUILT.value))) \
            if thorough else []
        for package_id, reference, number, minor in built:
            name = bag_name(reference, number, minor)
            if not shared.available(settings, name):
                db.execute(update(Package).where(Package.id == package_id)
                           .values(state=PackageState.PENDING.value))
                report.missing_bags.append(name)
    with transaction(engine) as db:
        pending = list(db.execute(select(Package.id, Package.reference, Package.version,
                                         Package.minor)
                                  .where(Package.state == PackageState.PENDING.value)
                                  .order_by(Package.id)))
    for package_id, reference, number, minor in pending:
        name = bag_name(reference, number, minor)
        try:
            if build_package(engine, settings, package_id, store=store) is not None:
                report.built.append(name)
        except Exception as exc:
            log.exception("repair: building %s failed", name)
            report.failed.append((name, str(exc)))
    report.swept = sweep(settings, sweep_older_than_minutes)
    if not thorough:
        return report
    with transaction(engine) as db:
        names = {bag_name(r, v, m) for r, v, m in
                 db.execute(select(Package.reference, Package.version, Package.minor))}
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
