"""Building a recorded package's bag from its frozen version and stored files, and marking it
built."""

# Concurrent builders of one package: on PostgreSQL the builder holds the package row with
# FOR UPDATE SKIP LOCKED while it builds, so a second one skips it; on SQLite both may build and
# the rename in build_bag decides (the bags are identical). A failed build leaves the package
# pending with its error; portal.packages.repair builds it again.

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from portal.accounts.models import Authority, User
from portal.attachments.models import Attachment
from portal.attachments.store import AttachmentStore, attachment_store
from portal.config import Settings
from portal.contract.model import Request
from portal.db import transaction, utcnow
from portal.packages import shared
from portal.packages.bag import BuildError, BuiltBag, build_bag
from portal.packages.models import Package, PackageState
from portal.packages.source import AttachmentSource, BagSource, MissingAttachment
from portal.packages.status import sync_triage_handoff
from portal.requests.models import MlaRequest, RequestVersion


def version_content(version: RequestVersion) -> dict[str, Any]:
    """The request contract document frozen with ``version``."""
    value = json.loads(version.content_json or "{}")
    return value if isinstance(value, dict) else {}


def build_package(engine: Engine, settings: Settings, package_id: int, *,
                  store: AttachmentStore | None = None) -> BuiltBag | None:
    """Build a pending package and mark it built. Idempotent; returns None when it is already
    built or another builder holds it. Raises :class:`BuildError` (also recorded on the row)."""
    if engine.dialect.name == "postgresql":
        failure: Exception | None = None
        with transaction(engine) as db:
            package = db.scalar(select(Package).where(Package.id == package_id)
                                .with_for_update(skip_locked=True))
            if package is None or package.state != PackageState.PENDING.value:
                return None
            try:
                built = build_bag(load_source(db, settings, package, store),
                                  settings.packages_path, name=package.bag_name)
                shared.publish(settings, built.path)
            except Exception as exc:  # recorded once the row lock is released, then raised
                failure = exc
            else:
                _mark_built(db, package_id, built)
                return built
        _record_build_error(engine, package_id, str(failure))
        raise failure
    with transaction(engine) as db:
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
        shared.publish(settings, built.path)
    except Exception as exc:
        _record_build_error(engine, package_id, str(exc))
        raise
    with transaction(engine) as db:
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
    with transaction(engine) as db:
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
    content = version_content(version)
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
        missing_attachments=missing, reference_version=version.reference_version or "",
        image_max_bytes=settings.max_image_mb << 20, minor=package.minor)


def _reader(store: AttachmentStore, storage_name: str, request_id: str,
            attachment_id: str) -> Callable[[], bytes]:
    def read() -> bytes:
        # AES-GCM authenticates the file and its place; the SHA-256 recorded at upload is
        # compared with the bag's manifest
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


def built_bag(settings: Settings, package: Package) -> Path | None:
    """The package's bag when it is complete on disk, fetched from the shared storage when it
    is only there (None while it is built, or lost)."""
    return shared.local_bag(settings, package.bag_name)
