"""Making submitted requests with attachments for the package tests, through the services."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.attachments.models import Attachment
from portal.attachments.store import attachment_store
from portal.config import Settings
from portal.contract import model as m
from portal.contract.load import load_request_json
from portal.db import Database, utcnow
from portal.jobs import worker
from portal.requests import drafts, submission
from portal.requests.models import MlaRequest
from tests.attachments.pdfs import build, page_objects

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "requests"
GOOD_EXAMPLE = "05-stored-content-good-de.json"


def pdf(text: str, *, pages: int = 1, padding: int = 0) -> bytes:
    """A valid PDF with ``pages`` pages of text and ``padding`` extra bytes in a stream."""
    if pages == 1 and not padding:
        return build(page_objects(text))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    font = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for number in range(pages):
        label = f"{text} {number + 1}".encode("latin-1")
        content = b"BT /F1 24 Tf 72 720 Td (" + label + b") Tj ET"
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        content_id = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content_id, font))
        kids.append(len(objects))
    if padding:
        objects.append(b"<< /Length %d >>\nstream\n" % padding + b"\x00" * padding
                       + b"\nendstream")
    objects[1] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
                  + b"] /Count %d >>" % len(kids))
    return build(objects)


def letter() -> tuple[str, str, bytes]:
    """The signed letter of request (in English) that every submission needs (GEN-LETTER)."""
    return ("Request letter.pdf", "request_letter", pdf("letter"))


def add_stored_attachment(db: Session, settings: Settings, user: User, request: MlaRequest,
                          filename: str, kind: str, data: bytes, pages: int = 1,
                          language: str = "en") -> Attachment:
    """Store an (already checked) PDF like the upload does, without the sandboxed check."""
    store = attachment_store(settings)
    from portal.accounts.models import new_public_id

    public_id = new_public_id()
    stored = store.put(data, request_id=request.public_id, attachment_id=public_id)
    row = Attachment(public_id=public_id, request_id=request.id, filename=filename,
                     document_kind=kind, language=language, sha256=stored.sha256,
                     size=stored.size, pages=pages,
                     storage_name=stored.storage_name, key_id=stored.key_id,
                     uploaded_by_id=user.id, uploaded_at=utcnow())
    db.add(row)
    db.flush()
    return row


def sync_contract(db: Session, user: User, request: MlaRequest) -> None:
    rows = db.scalars(select(Attachment).where(Attachment.request_id == request.id,
                                               Attachment.removed_at.is_(None))
                      .order_by(Attachment.uploaded_at, Attachment.id))
    content = drafts.content_of(request)
    listed = tuple(m.Attachment(filename=a.filename, document_kind=a.document_kind,
                                sha256=a.sha256, size=a.size, pages=a.pages,
                                language=a.language) for a in rows)
    drafts.save_draft(db, user, request, replace(content, attachments=listed), request.revision)


def draft_with_attachments(database: Database, settings: Settings, user_id: int,
                           attachments: list[tuple[str, str, bytes]], *,
                           example: str = GOOD_EXAMPLE, training: bool = False,
                           changes: dict[str, object] | None = None, sync: bool = True) -> str:
    text = (EXAMPLES / example).read_text(encoding="utf-8")
    if changes:
        document = json.loads(text)
        document.update(changes)
        text = json.dumps(document, ensure_ascii=False)
    with database.session() as db:
        user = db.get(User, user_id)
        assert user is not None
        request, errors = drafts.import_json(db, user, text)
        assert request is not None and not errors, errors
        if training:
            request.training = True
        for filename, kind, data in attachments:
            add_stored_attachment(db, settings, user, request, filename, kind, data)
        db.flush()
        if sync:
            sync_contract(db, user, request)
        else:
            # a draft whose attachment list names files that never arrived (the import drops
            # such entries, so put the sample's list back as another client could)
            listed = load_request_json(text).request
            assert listed is not None
            drafts.save_draft(db, user, request,
                              replace(drafts.content_of(request),
                                      attachments=listed.attachments), request.revision)
        return request.public_id


def submit(database: Database, settings: Settings, user_id: int, public_id: str, *,
           work: bool = True) -> str:
    """Submit through the service and commit; then, with ``work``, a worker runs the jobs the
    submission enqueued (the package's build)."""
    with database.session() as db:
        user = db.get(User, user_id)
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert user is not None and request is not None
        done = submission.submit(db, settings, user, request, expected_revision=request.revision,
                                 locale="en")
        reference = done.reference
    if work:
        worker.drain(database.engine, settings)
    return reference


def submitted_request(database: Database, settings: Settings, user_id: int,
                      attachments: list[tuple[str, str, bytes]] | None = None, *,
                      work: bool = True, **kwargs: object) -> tuple[str, str]:
    public_id = draft_with_attachments(database, settings, user_id,
                                       attachments if attachments is not None else [letter()],
                                       **kwargs)  # type: ignore[arg-type]
    return public_id, submit(database, settings, user_id, public_id, work=work)


def import_with_documents(db: Session, settings: Settings, user: User, text: str
                          ) -> MlaRequest:
    """A draft imported from a contract document, with a stored PDF for each attachment the
    document lists (kind and language as listed): the import itself drops entries without
    files, and a request needs its letter (GEN-LETTER) to be submitted."""
    request, errors = drafts.import_json(db, user, text)
    assert request is not None and not errors, errors
    listed = load_request_json(text).request
    assert listed is not None
    for entry in listed.attachments:
        add_stored_attachment(db, settings, user, request, entry.filename, entry.document_kind,
                              pdf(entry.filename[:40] or "document"),
                              language=entry.language or "en")
    db.flush()
    sync_contract(db, user, request)
    return request
