"""Asks for documents after submission: OIA asks (a message and the kinds wanted); the
requesting authority uploads PDFs (the draft uploads' checks, limits and encryption) and sends
them with a message, which makes a minor version (1.1) and, through the event, its package.

The caller has checked that the user may see the request; each function checks the role."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal import events
from portal.accounts.models import Role, User
from portal.asks.models import DocumentAsk
from portal.asks.versions import add_minor_version
from portal.attachments import service as attachments
from portal.attachments.file_actions import on_commit
from portal.attachments.inspect import Rejection
from portal.attachments.models import Attachment, CheckState
from portal.attachments.store import attachment_store
from portal.audit.log import record
from portal.config import Settings
from portal.contract.vocabulary import ATTACHMENT_KINDS
from portal.db import utcnow
from portal.mail import messages
from portal.requests import thread
from portal.requests.models import MlaRequest, RequestEvent, RequestMessage, RequestVersion, Status

#: Where documents may be asked for and sent: submitted, not editable, not closed.
ASKABLE = frozenset(s.value for s in (Status.SUBMITTED, Status.IN_TRIAGE, Status.ACCEPTED,
                                      Status.ASSIGNED, Status.REFERRED, Status.IN_EXECUTION))


class AskRefused(ValueError):
    """The ask or its answer cannot be made; ``code`` says why (the web layer's message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Answered:
    version: RequestVersion
    files: list[Attachment]


def open_ask(db: Session, request: MlaRequest) -> DocumentAsk | None:
    return db.scalar(select(DocumentAsk).where(DocumentAsk.request_id == request.id,
                                               DocumentAsk.answered_at.is_(None))
                     .order_by(DocumentAsk.id.desc()).limit(1))


def asks_of(db: Session, request: MlaRequest) -> list[DocumentAsk]:
    return list(db.scalars(select(DocumentAsk).where(DocumentAsk.request_id == request.id)
                           .order_by(DocumentAsk.asked_at, DocumentAsk.id)))


def ask_for_documents(db: Session, settings: Settings, staff: User, request: MlaRequest,
                      text: str, kinds: list[str], *, ip: str = "") -> DocumentAsk:
    """OIA's ask: a message in the thread, the ask row, a timeline event, the audit record and
    an e-mail to the authority's users (no case content)."""
    if staff.role_enum is not Role.TRIAGE:
        raise PermissionError("only OIA triage staff ask for documents")
    body = text.strip()
    if request.training or request.status not in ASKABLE:
        raise AskRefused("status")
    if not body or len(body) > thread.MAX_MESSAGE:
        raise AskRefused("text")
    if any(kind not in ATTACHMENT_KINDS for kind in kinds):
        raise AskRefused("kinds")
    db.scalar(select(MlaRequest.id).where(MlaRequest.id == request.id).with_for_update())
    if open_ask(db, request) is not None:
        raise AskRefused("open")
    message = RequestMessage(request_id=request.id, author_id=staff.id, from_oia=True, body=body)
    db.add(message)
    db.flush()
    ask = DocumentAsk(request_id=request.id, asked_by_id=staff.id, message_id=message.id,
                      kinds_json=json.dumps(sorted(set(kinds))), asked_at=utcnow())
    request.updated_at = ask.asked_at  # news for the authority (its lists, updated_since)
    db.add(ask)
    db.add(RequestEvent(request_id=request.id, actor_id=staff.id, kind="documents_asked",
                        at=ask.asked_at, from_status=request.status, to_status=request.status))
    db.flush()
    events.publish(db, events.DocumentsAsked(request.id, ask.asked_at, settings))
    record(db, "request.documents_asked", actor_id=staff.id, actor=staff.email, ip=ip,
           object_type="request", object_id=request.public_id,
           details={"ask": ask.public_id, "message": message.id, "kinds": ask.kinds})
    thread.notify(db, thread.authority_users(db, request), messages.documents_asked, request,
                  f"{settings.base_url}/requests/{request.public_id}#attachments")
    events.publish(db, events.MessageToRequester(request.id, message.id, settings))
    return ask


def _check_requester(user: User, request: MlaRequest, ask: DocumentAsk | None) -> DocumentAsk:
    if user.role_enum is not Role.SUBMITTER or user.authority_id != request.authority_id:
        raise PermissionError("only the requesting authority answers an ask for documents")
    if ask is None or ask.request_id != request.id or not ask.is_open:
        raise AskRefused("closed")
    if request.status not in ASKABLE:
        raise AskRefused("status")
    return ask


def ask_files(db: Session, ask: DocumentAsk) -> list[Attachment]:
    """The files uploaded to answer ``ask`` (being checked, accepted or refused)."""
    return list(db.scalars(select(Attachment).where(Attachment.ask_id == ask.id,
                                                    Attachment.removed_at.is_(None))
                           .order_by(Attachment.uploaded_at, Attachment.id)))


def upload(db: Session, settings: Settings, user: User, request: MlaRequest,
           ask: DocumentAsk | None, filename: str, document_kind: str, data: bytes, *,
           language: str = "", ip: str = "", check_now: bool = False) -> Attachment | Rejection:
    """One PDF for the ask: stored encrypted and checked by a worker, as a draft's upload, and
    counted in the request's limit; part of no version until the answer is sent."""
    ask = _check_requester(user, request, ask)
    return attachments.add_attachment(db, settings, user, request, filename, document_kind,
                                      data, language=language, ip=ip, check_now=check_now,
                                      ask_id=ask.id, statuses=ASKABLE)


def remove_file(db: Session, settings: Settings, user: User, request: MlaRequest,
                ask: DocumentAsk | None, public_id: str, *, ip: str = "") -> None:
    """Remove a file of the open ask before the answer is sent (with its stored bytes)."""
    ask = _check_requester(user, request, ask)
    item = db.scalar(select(Attachment).where(Attachment.public_id == public_id,
                                              Attachment.ask_id == ask.id,
                                              Attachment.removed_at.is_(None)))
    if item is None:
        raise attachments.AttachmentNotFound(public_id)
    store = attachment_store(settings)
    name = item.storage_name
    db.delete(item)
    on_commit(db, lambda: store.delete(name))
    db.flush()
    record(db, "attachment.removed", actor_id=user.id, actor=user.email, ip=ip,
           object_type="attachment", object_id=public_id,
           details={"request": request.public_id, "filename": item.filename,
                    "sha256": item.sha256, "ask": ask.public_id})


def answer(db: Session, settings: Settings, user: User, request: MlaRequest,
           ask: DocumentAsk | None, text: str, *, ip: str = "") -> Answered:
    """Send the ask's files with a message: every file must have passed its check. Makes the
    minor version, closes the ask and publishes ``DocumentsAdded`` (its package)."""
    ask = _check_requester(user, request, ask)
    body = text.strip()
    if not body or len(body) > thread.MAX_MESSAGE:
        raise AskRefused("text")
    db.scalar(select(MlaRequest.id).where(MlaRequest.id == request.id).with_for_update())
    files = ask_files(db, ask)
    states = {f.check_state for f in files}
    if not files:
        raise AskRefused("no_files")
    if CheckState.CHECKING.value in states:
        raise AskRefused("checking")
    if CheckState.REFUSED.value in states:
        raise AskRefused("refused")
    now = utcnow()
    version = add_minor_version(db, user, request, files, now)
    message = thread.post_message(db, settings, user, request, body, ip=ip)
    closed = db.execute(update(DocumentAsk).where(DocumentAsk.id == ask.id,
                                                  DocumentAsk.answered_at.is_(None))
                        .values(answered_at=now, answered_by_id=user.id,
                                answer_message_id=message.id, version_id=version.id)
                        .execution_options(synchronize_session=False))
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        raise AskRefused("closed")  # (answered by a colleague meanwhile: rolled back)
    db.add(RequestEvent(request_id=request.id, actor_id=user.id, kind="documents_added",
                        from_status=request.status, to_status=request.status,
                        note=version.label))
    record(db, "request.documents_added", actor_id=user.id, actor=user.email, ip=ip,
           object_type="request", object_id=request.public_id,
           details={"ask": ask.public_id, "version": version.label, "message": message.id,
                    "files": [{"id": f.public_id, "sha256": f.sha256} for f in files]})
    db.flush()
    db.refresh(ask)
    events.publish(db, events.DocumentsAdded(request.id, version.id, settings))
    return Answered(version, files)


def close_on_resubmission(db: Session, request_id: int, version_id: int) -> None:
    """A whole new version answers every open ask (its files, if any, are in the working copy
    and so in that version)."""
    db.execute(update(DocumentAsk).where(DocumentAsk.request_id == request_id,
                                         DocumentAsk.answered_at.is_(None))
               .values(answered_at=utcnow(), version_id=version_id)
               .execution_options(synchronize_session=False))


def unsent_file(db: Session, attachment: Attachment) -> bool:
    """Whether ``attachment`` answers an ask not sent yet (OIA does not see it before)."""
    if attachment.ask_id is None:
        return False
    return db.scalar(select(DocumentAsk.answered_at)
                     .where(DocumentAsk.id == attachment.ask_id)) is None
