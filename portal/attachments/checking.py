"""The check of a stored upload, run by a worker (job ``attachment.check``): the PDF is read
back from the store, inspected in its sandbox, and the attachment accepted or refused. A web
request never waits for it; the page shows "being checked" until the verdict is written."""

from __future__ import annotations

import json
import logging

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.attachments.file_actions import on_commit
from portal.attachments.inspect import PdfReport, Rejection, inspect_pdf, reject
from portal.attachments.models import Attachment, CheckState
from portal.attachments.pdf_policy import MESSAGES
from portal.attachments.store import AttachmentStore, IntegrityError, attachment_store
from portal.audit.log import record
from portal.config import Settings
from portal.crypto import DecryptionError
from portal.db import transaction, utcnow
from portal.jobs.queue import JobContext, enqueue, handler
from portal.requests.models import MlaRequest

log = logging.getLogger(__name__)

CHECK = "attachment.check"


def queue_check(db: Session, attachment: Attachment) -> None:
    """Enqueue the check in the upload's transaction (one job per attachment)."""
    enqueue(db, CHECK, {"attachment": attachment.public_id},
            key=f"{CHECK}:{attachment.public_id}", max_attempts=4)


def checks_in_flight(db: Session, user: User) -> int:
    """The user's uploads still waiting for their verdict."""
    return int(db.scalar(select(func.count(Attachment.id)).where(
        Attachment.uploaded_by_id == user.id,
        Attachment.check_state == CheckState.CHECKING.value)) or 0)


def inspect_upload(settings: Settings, data: bytes) -> PdfReport | Rejection:
    return inspect_pdf(data, max_pages=settings.max_pdf_pages,
                       time_limit=settings.upload_time_limit_seconds,
                       memory_mb=settings.upload_memory_limit_mb,
                       image_max_mb=settings.max_image_mb)


def apply_verdict(db: Session, store: AttachmentStore, attachment: Attachment,
                  outcome: PdfReport | Rejection) -> bool:
    """Write the verdict on an attachment still being checked (False when it was removed or
    judged meanwhile). A refused file's bytes are deleted once the verdict commits."""
    accepted = isinstance(outcome, PdfReport)
    values: dict[str, object] = {"checked_at": utcnow()}
    if isinstance(outcome, PdfReport):
        values.update(check_state=CheckState.ACCEPTED.value, pages=outcome.pages,
                      pdf_repaired=outcome.repaired)
    else:
        values.update(check_state=CheckState.REFUSED.value, check_reason=outcome.code,
                      check_params=json.dumps(outcome.params))
    written = db.execute(
        update(Attachment).where(Attachment.id == attachment.id,
                                 Attachment.check_state == CheckState.CHECKING.value)
        .values(**values).execution_options(synchronize_session=False))
    if written.rowcount != 1:  # type: ignore[attr-defined]
        return False
    request_id = db.scalar(select(MlaRequest.public_id)
                           .where(MlaRequest.id == attachment.request_id))
    details: dict[str, object] = {"request": request_id, "filename": attachment.filename,
                                  "sha256": attachment.sha256, "size": attachment.size}
    if isinstance(outcome, PdfReport):
        details.update(pages=outcome.pages, repaired=outcome.repaired)
    else:
        details.update(reason=outcome.code)
        log.info("attachment %s refused: %s (%s)", attachment.public_id, outcome.code,
                 outcome.detail)
        name = attachment.storage_name
        on_commit(db, lambda: store.delete(name))
    record(db, "attachment.accepted" if accepted else "attachment.rejected",
           actor="checker", object_type="attachment", object_id=attachment.public_id,
           details={**details, "uploaded_by": attachment.uploaded_by_id})
    db.refresh(attachment)
    return True


def check_attachment(engine: Engine, settings: Settings, public_id: str,
                     store: AttachmentStore) -> None:
    """Check one stored upload (idempotent: an attachment judged or removed is left alone).
    No transaction is open while the sandbox runs."""
    with transaction(engine) as db:
        row = db.execute(select(Attachment, MlaRequest.public_id)
                         .join(MlaRequest, MlaRequest.id == Attachment.request_id)
                         .where(Attachment.public_id == public_id)).first()
        if row is None or row[0].check_state != CheckState.CHECKING.value:
            return
        attachment, request_id = row
        try:
            data: bytes | None = store.get(attachment.storage_name, request_id=request_id,
                                           attachment_id=attachment.public_id,
                                           sha256=attachment.sha256)
        except (DecryptionError, IntegrityError) as exc:
            # (a file altered in the storage will not be otherwise on a retry; a storage that
            # cannot be reached raises on, and the job is tried again)
            log.error("stored upload %s cannot be read back: %s", public_id, exc)
            data = None
    outcome = (inspect_upload(settings, data) if data is not None else
               reject("damaged", "the stored file failed its decryption or its SHA-256"))
    with transaction(engine) as db:
        current = db.get(Attachment, attachment.id)
        if current is not None:
            apply_verdict(db, store, current, outcome)


def refusal_message(attachment: Attachment) -> tuple[str, dict[str, int]]:
    """The untranslated message of a refused attachment and its parameters."""
    try:
        params = {str(k): int(v) for k, v in json.loads(attachment.check_params or "{}").items()}
    except (ValueError, TypeError, AttributeError):
        params = {}
    return MESSAGES.get(attachment.check_reason, MESSAGES["damaged"]), params


@handler(CHECK)
def _check(context: JobContext, payload: dict[str, object]) -> None:
    check_attachment(context.engine, context.settings, str(payload["attachment"]),
                     attachment_store(context.settings))
