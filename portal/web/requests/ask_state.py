"""What the request page shows of an open ask for documents (portal.asks) to the requesting
authority: the ask, its files with their checks, the upload form and the answer form."""

from __future__ import annotations

from typing import Any

from portal.accounts.models import Role
from portal.asks import service as asks
from portal.attachments import service as attachment_service
from portal.requests import drafts
from portal.requests.models import MlaRequest, RequestMessage
from portal.web.access import require_user
from portal.web.context import db, settings
from portal.web.requests.documents_state import refusals
from portal.web.requests.forms import AnswerForm, UploadForm, upload_form


def ask_state(req: MlaRequest, *, upload: UploadForm | None = None,
              answer: AnswerForm | None = None, upload_error: str = "") -> dict[str, Any]:
    """The template's values (``ask`` None when there is no open ask the user may answer)."""
    user = require_user()
    ask = asks.open_ask(db(), req) if req.status in asks.ASKABLE and not req.training else None
    if ask is None or user.role_enum is not Role.SUBMITTER:
        return {"ask": None}
    files = asks.ask_files(db(), ask)
    max_file, max_request = attachment_service.limits(settings())
    return {"ask": ask, "ask_message": db().get(RequestMessage, ask.message_id),
            "ask_files": files, "ask_refusals": refusals(files),
            "ask_upload": upload or upload_form(drafts.content_of(req)),
            "ask_answer": answer or AnswerForm(), "ask_upload_error": upload_error,
            "max_file": max_file, "max_request": max_request,
            "used_bytes": attachment_service.used_bytes(db(), req)}
