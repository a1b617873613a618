"""The documents of a draft by API: upload (multipart; the page's service, with its checks,
limits and encryption), each one's check and verdict, the list, removal. At most
``PORTAL_API_TOKEN_CONCURRENT_UPLOADS`` uploads of one token are received at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Response, g, jsonify, request, url_for

from portal.accounts.models import Role
from portal.attachments import service
from portal.attachments.checking import refusal_message
from portal.attachments.inspect import Rejection
from portal.attachments.models import Attachment, CheckState
from portal.contract.model import ATTACHMENT_KINDS
from portal.limits import slots
from portal.requests import drafts
from portal.requests.choices import for_request
from portal.requests.models import MlaRequest
from portal.translation import gettext as _
from portal.web.access import require_user, roles
from portal.web.api.hooks import TOKEN
from portal.web.api.problems import ApiProblem, FieldError
from portal.web.api.registry import Answer, operation
from portal.web.context import client_ip, database, db, settings
from portal.web.i18n import current_locale_code
from portal.web.requests.attachment_views import MULTIPART_OVERHEAD, drain
from portal.web.requests.documents_state import settle, sync_contract

#: Seconds a client waits before sending again an upload refused for too many at once.
BUSY_RETRY_SECONDS = 5
#: Seconds to wait when the account's files still being checked are at their limit.
CHECKS_RETRY_SECONDS = 15


def _problem(status: int, description: str) -> dict[int, Answer]:
    return {status: Answer(description, "Problem", "application/problem+json")}


NOT_FOUND = _problem(404, "No such draft or document, or it belongs to another authority.")
ATTACHMENT_LINKS = {
    "GetAttachment": {"operationId": "getAttachment",
                      "parameters": {"draft_id": "$request.path.draft_id",
                                     "attachment_id": "$response.body#/id"},
                      "description": "Follow its check until it is accepted or refused."},
}


def load_draft(draft_id: str) -> MlaRequest:
    """The draft if the token's account may see it, else 404 (as on the pages)."""
    try:
        return drafts.get_request(db(), require_user(), draft_id[:64], ip=client_ip(),
                                  audit_view=False)
    except drafts.NotFound:
        raise ApiProblem("not-found") from None


def attachment_body(attachment: Attachment) -> dict[str, Any]:
    refused = attachment.check_state == CheckState.REFUSED.value
    reason = None
    if refused:
        message, params = refusal_message(attachment)
        reason = _(message, **params)
    return {"id": attachment.public_id, "filename": attachment.filename,
            "document_kind": attachment.document_kind, "language": attachment.language,
            "size": attachment.size, "sha256": attachment.sha256,
            "status": attachment.check_state,
            "pages": attachment.pages if attachment.check_state == CheckState.ACCEPTED.value
            else None,
            "reason_code": (attachment.check_reason or "damaged") if refused else None,
            "reason": reason, "uploaded_at": attachment.uploaded_at.isoformat()}


@contextmanager
def _upload_slot() -> Iterator[None]:
    """One of the token's upload slots for this call, else 429. The call's own transaction is
    ended before the slot is given back (on SQLite a write would wait for it)."""
    token = g.get(TOKEN)
    key = f"api.uploads:{token.id if token is not None else require_user().id}"
    engine = database().engine
    slot = slots.acquire(engine, key, settings().limits.api_token_uploads)
    if slot is None:
        raise ApiProblem("too-many-uploads", headers={"Retry-After": str(BUSY_RETRY_SECONDS)})
    try:
        yield
    except BaseException:
        db().rollback()
        raise
    finally:
        slots.release(engine, key, slot)


def _too_large() -> ApiProblem:
    message = _("The file is larger than %(max)d MB. Reduce its size or split it into "
                "several files.", max=settings().max_file_mb)
    return ApiProblem("too-large", message, errors=[FieldError("file", message)])


def _refused(rejection: Rejection) -> ApiProblem:
    message = _(rejection.message, **rejection.params)
    extra = {"reason": rejection.code}
    if rejection.code == "file_too_large":
        return _too_large()
    if rejection.code == "too_many_checks":
        return ApiProblem("too-many-uploads", message, extra=extra,
                          headers={"Retry-After": str(CHECKS_RETRY_SECONDS)})
    path = "document_kind" if rejection.code == "document_kind" else "file"
    return ApiProblem("invalid-upload", message, extra=extra,
                      errors=[FieldError(path, message)])


def _fields(req: MlaRequest) -> tuple[str, str]:
    """The upload's type of document and language, checked as the page's form does."""
    errors = []
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        errors.append(FieldError("file", _("Choose a PDF file.")))
    kind = request.form.get("document_kind", "").strip()
    if kind not in ATTACHMENT_KINDS:
        errors.append(FieldError("document_kind", _("Choose the type of document.")))
    language = request.form.get("language", "").strip()
    languages = {code for code, _name in for_request(drafts.content_of(req),
                                                      current_locale_code()).languages}
    if language not in languages:
        errors.append(FieldError("language", _("Choose the language of the document.")))
    if errors:
        raise ApiProblem("invalid-upload", errors=errors)
    return kind, language


@operation("POST", "/drafts/<draft_id>/attachments", "uploadAttachment",
           summary="Attach a PDF to a draft",
           description="The file is stored encrypted at once and checked by a worker (as on the "
                       "pages): 202 with status checking; follow it with getAttachment. "
                       "Refused at once (413, 422) when it is too large, over the request's "
                       "total, or not a PDF at all.",
           body="AttachmentUpload", body_media_type="multipart/form-data",
           body_encoding={"file": {"contentType": "application/pdf"}},
           tags=("attachments",),
           answers={201: Answer("Stored and already judged.", "Attachment",
                                headers=("Location",), links=ATTACHMENT_LINKS),
                    202: Answer("Stored; its check runs in the background.", "Attachment",
                                headers=("Location",), links=ATTACHMENT_LINKS),
                    **NOT_FOUND,
                    **_problem(409, "The request is no longer a draft."),
                    **_problem(413, "The file is larger than the portal accepts."),
                    **_problem(415, "The body is not multipart/form-data."),
                    **_problem(422, "A field is missing or not valid, or the file is refused "
                                    "(reason, errors)."),
                    })
@roles(Role.SUBMITTER)
def upload_attachment(draft_id: str) -> Response:
    req = load_draft(draft_id)
    if request.mimetype != "multipart/form-data":
        raise ApiProblem("not-multipart")
    max_file, _max_request = service.limits(settings())
    if request.content_length is not None and \
            request.content_length > max_file + MULTIPART_OVERHEAD:
        drain()
        raise _too_large()
    if not req.editable:
        raise ApiProblem("not-editable")
    with _upload_slot():
        kind, language = _fields(req)
        upload = request.files["file"]
        data = upload.read(max_file + 1)
        outcome = service.add_attachment(db(), settings(), require_user(), req,
                                         upload.filename or "document.pdf", kind, data,
                                         language=language, ip=client_ip())
        db().commit()  # a refusal's audit record stands, as on the page
        if isinstance(outcome, Rejection):
            raise _refused(outcome)
    status = 202 if outcome.check_state == CheckState.CHECKING.value else 201
    response = jsonify(attachment_body(outcome))
    response.status_code = status
    response.headers["Location"] = url_for("api.getAttachment", draft_id=req.public_id,
                                           attachment_id=outcome.public_id)
    return response


@operation("GET", "/drafts/<draft_id>/attachments", "listAttachments",
           summary="A draft's documents",
           description="Every document of the draft with its check's status. Accepted files "
                       "are added to the draft's document list (its revision goes up).",
           tags=("attachments",),
           answers={200: Answer("The documents.", "Attachments"), **NOT_FOUND})
@roles(Role.SUBMITTER)
def list_attachments(draft_id: str) -> Response:
    req = load_draft(draft_id)
    settle(req)
    return jsonify({"attachments": [attachment_body(a)
                                    for a in service.list_attachments(db(), req)]})


@operation("GET", "/drafts/<draft_id>/attachments/<attachment_id>", "getAttachment",
           summary="A document and its check",
           description="status: checking, accepted or refused; when refused, reason_code (stable) "
                       "and reason (translated).",
           tags=("attachments",),
           answers={200: Answer("The document.", "Attachment"), **NOT_FOUND})
@roles(Role.SUBMITTER)
def get_attachment(draft_id: str, attachment_id: str) -> Response:
    req = load_draft(draft_id)
    try:
        attachment = service.get_attachment(db(), req, attachment_id[:64])
    except service.AttachmentNotFound:
        raise ApiProblem("not-found") from None
    if attachment.check_state == CheckState.ACCEPTED.value:
        settle(req)
    response = jsonify(attachment_body(attachment))
    if attachment.check_state == CheckState.CHECKING.value:
        response.headers["Retry-After"] = "2"
    return response


@operation("DELETE", "/drafts/<draft_id>/attachments/<attachment_id>", "deleteAttachment",
           summary="Remove a document",
           description="Only while the request is a draft (409 after its submission).",
           tags=("attachments",),
           answers={204: Answer("Removed."), **NOT_FOUND,
                    **_problem(409, "The request is no longer a draft.")})
@roles(Role.SUBMITTER)
def delete_attachment(draft_id: str, attachment_id: str) -> Response:
    req = load_draft(draft_id)
    try:
        service.remove_attachment(db(), settings(), require_user(), req, attachment_id[:64],
                                  ip=client_ip())
    except service.AttachmentNotFound:
        raise ApiProblem("not-found") from None
    except drafts.NotEditable:
        raise ApiProblem("not-editable") from None
    sync_contract(req)
    return Response(status=204)
