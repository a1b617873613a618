"""Attachments of a request: add, list, open, remove, and key rotation (for the web layer and
the CLI; no Flask). The caller checks access to the request; each function checks that the
attachment belongs to it."""

# Files are written before the database row; if the caller's transaction rolls back, the new
# file is deleted, and a file whose row is deleted is removed only once that deletion commits.

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.accounts.models import User, new_public_id
from portal.attachments.checking import (
    apply_verdict,
    checks_in_flight,
    inspect_upload,
    queue_check,
)
from portal.attachments.file_actions import on_commit, on_rollback
from portal.attachments.inspect import Rejection, check_bytes
from portal.attachments.models import FILENAME_MAX, Attachment, CheckState
from portal.attachments.rotation import FileRef, RotationResult, rotate
from portal.attachments.store import AttachmentStore, attachment_store
from portal.audit.log import record
from portal.config import Settings
from portal.contract.model import ATTACHMENT_KINDS
from portal.db import Database, utcnow
from portal.i18n_core import N_
from portal.requests.drafts import NotEditable
from portal.requests.models import EDITABLE, MlaRequest

log = logging.getLogger(__name__)

MB = 1024 * 1024

#: Rejections decided here (the PDF's own are in ``portal.attachments.pdf_policy``).
SERVICE_MESSAGES = {
    "file_too_large": N_("The file is larger than %(max)d MB. Reduce its size or split it "
                         "into several files."),
    "request_too_large": N_("The attachments of a request may not exceed %(max)d MB together. "
                            "Remove an attachment or reduce the size of this file."),
    "document_kind": N_("Choose the type of document."),
    "too_many_checks": N_("%(max)d of your documents are still being checked. Wait until "
                          "their checks end, then attach this one again."),
}

EDITABLE_VALUES = frozenset(status.value for status in EDITABLE)
_BIDI_AND_INVISIBLE_KEEP = {"\u200c", "\u200d"}  # ZWNJ, ZWJ: needed by Persian, Indic scripts
_FORBIDDEN_IN_NAMES = re.compile(r'[<>:"/\\|?*]')


class AttachmentNotFound(LookupError):
    """No such attachment on this request (or it was removed)."""


def _reject(code: str, **params: int) -> Rejection:
    return Rejection(code, SERVICE_MESSAGES[code], params)


def sanitize_filename(raw: str) -> str:
    """A display name: no directories, control characters, bidi overrides or characters that
    are special in file systems; Unicode letters kept; ends in ``.pdf``; at most 200 chars."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    kept = []
    for char in name:
        category = unicodedata.category(char)
        if char in _BIDI_AND_INVISIBLE_KEEP:
            kept.append(char)
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            continue
        elif category == "Zs":
            kept.append(" ")
        else:
            kept.append(char)
    name = _FORBIDDEN_IN_NAMES.sub("_", "".join(kept))
    name = re.sub(r" {2,}", " ", name).strip(" .")
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem.rstrip(" .") or "document"
    return stem[: FILENAME_MAX - 4].rstrip(" .") + ".pdf"


def limits(settings: Settings) -> tuple[int, int]:
    """(per file, per request) in bytes."""
    return settings.max_file_mb * MB, settings.max_request_mb * MB


def used_bytes(db: Session, request: MlaRequest) -> int:
    """Bytes of the working copy's files (those being checked count; refused ones do not)."""
    total = db.scalar(select(func.coalesce(func.sum(Attachment.size), 0))
                      .where(Attachment.request_id == request.id,
                             Attachment.removed_at.is_(None),
                             Attachment.check_state != CheckState.REFUSED.value))
    return int(total or 0)


def list_attachments(db: Session, request: MlaRequest, *,
                     accepted_only: bool = False) -> list[Attachment]:
    """The working copy's files (``accepted_only``: those that passed their check, the only
    ones that are part of the request)."""
    query = select(Attachment).where(Attachment.request_id == request.id,
                                     Attachment.removed_at.is_(None))
    if accepted_only:
        query = query.where(Attachment.check_state == CheckState.ACCEPTED.value)
    return list(db.scalars(query.order_by(Attachment.uploaded_at, Attachment.id)))


def get_attachment(db: Session, request: MlaRequest, public_id: str, *,
                   include_removed: bool = False) -> Attachment:
    query = select(Attachment).where(Attachment.public_id == public_id,
                                     Attachment.request_id == request.id)
    if not include_removed:
        query = query.where(Attachment.removed_at.is_(None))
    attachment = db.scalar(query)
    if attachment is None:
        raise AttachmentNotFound(public_id)
    return attachment


def add_attachment(db: Session, settings: Settings, user: User, request: MlaRequest,
                   filename: str, document_kind: str, data: bytes, *, language: str = "",
                   ip: str = "", store: AttachmentStore | None = None,
                   check_now: bool = False, ask_id: int | None = None,
                   statuses: frozenset[str] = EDITABLE_VALUES) -> Attachment | Rejection:
    """Encrypt and store one PDF, to be checked by a worker (``check_now``: here, for the
    command line and demo data). Raises :class:`NotEditable` when the request's status is not
    one of ``statuses`` (the editable ones; an answer to an ask for documents, ``ask_id``,
    names its own); returns a :class:`Rejection` (audited as ``attachment.rejected``) when the
    file is refused at once: its size, the user's checks in flight, or bytes that are not a PDF
    at all."""
    if request.status not in statuses:
        raise NotEditable(request.status)
    if document_kind not in ATTACHMENT_KINDS:
        return _reject("document_kind")
    max_file, max_request = limits(settings)
    display_name = sanitize_filename(filename)
    rejection: Rejection | None = None
    if len(data) > max_file:
        rejection = _reject("file_too_large", max=settings.max_file_mb)
    elif used_bytes(db, request) + len(data) > max_request:
        rejection = _reject("request_too_large", max=settings.max_request_mb)
    elif not check_now and checks_in_flight(db, user) >= settings.max_checks_in_flight:
        rejection = _reject("too_many_checks", max=settings.max_checks_in_flight)
    else:
        rejection = check_bytes(data)
    if rejection is not None:
        _audit_rejection(db, user, request, display_name, data, rejection, ip)
        return rejection
    store = store or attachment_store(settings)
    public_id = new_public_id()
    stored = store.put(data, request_id=request.public_id, attachment_id=public_id)
    on_rollback(db, lambda: store.delete(stored.storage_name))
    # Serialize concurrent uploads to one request: a row lock on PostgreSQL; on SQLite the
    # insert below takes the database write lock before the total is summed.
    status = db.scalar(select(MlaRequest.status).where(MlaRequest.id == request.id)
                       .with_for_update())
    if status not in statuses:
        raise NotEditable(str(status))
    attachment = Attachment(public_id=public_id, request_id=request.id, filename=display_name,
                            document_kind=document_kind, language=language.strip()[:35],
                            sha256=stored.sha256, size=stored.size, pages=0,
                            check_state=CheckState.CHECKING.value,
                            storage_name=stored.storage_name, key_id=stored.key_id,
                            uploaded_by_id=user.id, uploaded_at=utcnow(), ask_id=ask_id)
    db.add(attachment)
    db.flush()
    if used_bytes(db, request) > max_request:
        rejection = _reject("request_too_large", max=settings.max_request_mb)
    elif not check_now and checks_in_flight(db, user) > settings.max_checks_in_flight:
        rejection = _reject("too_many_checks", max=settings.max_checks_in_flight)
    if rejection is not None:
        db.delete(attachment)
        db.flush()
        store.delete(stored.storage_name)
        _audit_rejection(db, user, request, display_name, data, rejection, ip)
        return rejection
    record(db, "attachment.added", actor_id=user.id, actor=user.email, ip=ip,
           object_type="attachment", object_id=public_id,
           details={"request": request.public_id, "filename": display_name,
                    "kind": document_kind, "sha256": stored.sha256, "size": stored.size,
                    **({"ask": ask_id} if ask_id else {})})
    if check_now:
        apply_verdict(db, store, attachment, inspect_upload(settings, data))
    else:
        queue_check(db, attachment)
    return attachment


def pending_checks(db: Session, request: MlaRequest) -> tuple[int, int]:
    """(being checked, refused) attachments of the working copy: both stop a submission."""
    rows = db.execute(select(Attachment.check_state, func.count(Attachment.id))
                      .where(Attachment.request_id == request.id,
                             Attachment.removed_at.is_(None),
                             Attachment.check_state != CheckState.ACCEPTED.value)
                      .group_by(Attachment.check_state)).all()
    counts = {state: int(count) for state, count in rows}
    return counts.get(CheckState.CHECKING.value, 0), counts.get(CheckState.REFUSED.value, 0)


def remove_attachment(db: Session, settings: Settings, user: User, request: MlaRequest,
                      public_id: str, *, ip: str = "",
                      store: AttachmentStore | None = None) -> None:
    """Remove an attachment from the working copy (only while the request is editable)."""
    if not request.editable:
        raise NotEditable(request.status)
    attachment = get_attachment(db, request, public_id)
    submitted = request.submitted_at is not None and attachment.uploaded_at <= \
        request.submitted_at
    if submitted:
        # Part of a submitted version: keep the file for that version's record.
        attachment.removed_at = utcnow()
        attachment.removed_by_id = user.id
    else:
        store = store or attachment_store(settings)
        name = attachment.storage_name
        db.delete(attachment)
        on_commit(db, lambda: store.delete(name))
    db.flush()
    record(db, "attachment.removed", actor_id=user.id, actor=user.email, ip=ip,
           object_type="attachment", object_id=public_id,
           details={"request": request.public_id, "filename": attachment.filename,
                    "sha256": attachment.sha256, "kept_for_submitted_version": submitted})


def open_attachment(db: Session, settings: Settings, user: User, request: MlaRequest,
                    public_id: str, *, ip: str = "", include_removed: bool = False,
                    store: AttachmentStore | None = None) -> bytes:
    """The decrypted, verified PDF of an accepted file. Raises :class:`AttachmentNotFound`, or
    ``DecryptionError``/``IntegrityError`` when the stored file was tampered with."""
    attachment = get_attachment(db, request, public_id, include_removed=include_removed)
    if attachment.check_state != CheckState.ACCEPTED.value:
        raise AttachmentNotFound(public_id)  # (a file not checked yet, or refused, is never read)
    store = store or attachment_store(settings)
    data = store.get(attachment.storage_name, request_id=request.public_id,
                     attachment_id=attachment.public_id, sha256=attachment.sha256)
    record(db, "attachment.downloaded", actor_id=user.id, actor=user.email, ip=ip,
           object_type="attachment", object_id=public_id,
           details={"request": request.public_id, "sha256": attachment.sha256})
    return data


def rotate_keys(database: Database, settings: Settings, *, actor: str = "cli",
                store: AttachmentStore | None = None, batch: int = 200) -> RotationResult:
    """Re-encrypt every attachment file (removed ones included) under the current key."""
    store = store or attachment_store(settings)
    total = RotationResult()

    def mark(ref: FileRef, key_id: str) -> None:
        with database.session() as db:
            db.execute(update(Attachment).where(Attachment.storage_name == ref.storage_name)
                       .values(key_id=key_id))

    last_id = 0
    while True:
        with database.session() as db:
            rows = db.execute(
                select(Attachment.id, Attachment.storage_name, MlaRequest.public_id,
                       Attachment.public_id)
                .join(MlaRequest, MlaRequest.id == Attachment.request_id)
                .where(Attachment.id > last_id).order_by(Attachment.id).limit(batch)).all()
        if not rows:
            break
        last_id = rows[-1][0]
        refs = [FileRef(storage_name, request_id, attachment_id)
                for _id, storage_name, request_id, attachment_id in rows]
        part = rotate(store, store.keyring, refs, on_rotated=mark)
        total.rotated += part.rotated
        total.current += part.current
        total.failed.extend(part.failed)
    with database.session() as db:
        record(db, "attachment.keys_rotated", actor=actor, object_type="attachment",
               details={"key": store.keyring.current_id, "rotated": total.rotated,
                        "already_current": total.current, "failed": len(total.failed)})
    return total


def _audit_rejection(db: Session, user: User, request: MlaRequest, filename: str, data: bytes,
                     rejection: Rejection, ip: str) -> None:
    log.info("attachment refused for request %s: %s (%s)", request.public_id, rejection.code,
             rejection.detail)
    record(db, "attachment.rejected", actor_id=user.id, actor=user.email, ip=ip,
           object_type="request", object_id=request.public_id,
           details={"filename": filename, "reason": rejection.code, "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest()})
