"""The draft's documents as the pages and the rules see them: the files that passed their
check are copied into the draft's contract document when a page that uses them is shown, and
files still being checked or refused stop the submission."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from typing import Any

from portal.attachments import service
from portal.attachments.checking import refusal_message
from portal.attachments.models import Attachment, CheckState
from portal.contract import model as m
from portal.requests import checks, drafts
from portal.requests.models import MlaRequest
from portal.translation import gettext as _
from portal.web.access import require_user
from portal.web.context import client_ip, db


@dataclass(frozen=True)
class DocumentsState:
    checking: int = 0
    refused: int = 0

    @property
    def settled(self) -> bool:
        return not self.checking and not self.refused


def sync_contract(req: MlaRequest, *, newly_accepted_only: bool = False,
                  attachments: list[Attachment] | None = None) -> None:
    """Copy the accepted attachments' metadata into the draft's contract document (a save
    only when it differs; a colleague's concurrent save wins, the next page view syncs).
    ``newly_accepted_only``: only when a file accepted since is not listed yet (a practice
    request's sample lists documents that have no file, and keeps them until an upload).
    ``attachments``: the working copy's files, when the caller has read them."""
    content = drafts.content_of(req)
    files = service.list_attachments(db(), req) if attachments is None else attachments
    listed = tuple(
        m.Attachment(filename=a.filename, document_kind=a.document_kind, sha256=a.sha256,
                     size=a.size, pages=a.pages, language=a.language)
        for a in files if a.check_state == CheckState.ACCEPTED.value)
    if listed == content.attachments:
        return
    if newly_accepted_only and all(entry in content.attachments for entry in listed):
        return
    with contextlib.suppress(drafts.DraftConflict):
        drafts.save_draft(db(), require_user(), req, replace(content, attachments=listed),
                          req.revision, ip=client_ip(), section="attachments")


def settle(req: MlaRequest) -> DocumentsState:
    """Sync the contract document, then count the files that still stop a submission (one
    query of the working copy's files)."""
    if not req.editable:
        return DocumentsState()
    files = service.list_attachments(db(), req)
    sync_contract(req, newly_accepted_only=True, attachments=files)
    states = [a.check_state for a in files]
    return DocumentsState(states.count(CheckState.CHECKING.value),
                          states.count(CheckState.REFUSED.value))


def refusals(attachments: list[Attachment]) -> dict[str, str]:
    """The translated reason of each refused file, by its id."""
    shown = {}
    for attachment in attachments:
        if attachment.check_state == CheckState.REFUSED.value:
            message, params = refusal_message(attachment)
            shown[attachment.public_id] = _(message, **params)
    return shown


def readiness(findings: list[checks.ShownFinding], acks: dict[str, str],
              documents: DocumentsState) -> dict[str, Any]:
    """The rules' readiness, not ready while a document is being checked or was refused."""
    state = checks.readiness(findings, acks)
    return {**state, "ready": state["ready"] and documents.settled, "documents": documents}
