"""Attachments of a draft: upload (PDF only, limits shown before and enforced; the file is
stored at once and checked by a worker), the checks' state for the page to follow, remove,
download. A removal also updates the attachment list of the draft's contract document, so the
rules and the package see the same files (an accepted file is added by the next page that uses
the list: :mod:`portal.web.requests.documents_state`)."""

from __future__ import annotations

from flask import Response as FlaskResponse
from flask import abort, flash, jsonify, redirect, request, url_for
from flask_babel import format_number
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.attachments import service
from portal.attachments.inspect import Rejection
from portal.attachments.models import CheckState
from portal.requests import drafts
from portal.requests.models import MlaRequest
from portal.translation import gettext as _
from portal.web.access import require_user, roles
from portal.web.accounts.forms import EmptyForm
from portal.web.context import client_ip, db, settings
from portal.web.downloads import content_disposition
from portal.web.requests.access import load_visible
from portal.web.requests.documents_state import refusals, sync_contract
from portal.web.requests.forms import upload_form
from portal.web.requests.section_views import render_section_page

#: Bytes of multipart overhead allowed beyond the file limit before a body is refused unread.
MULTIPART_OVERHEAD = 64 * 1024
#: A body over the limit is still read (and dropped), up to this much, so that the browser
#: gets the explanation instead of a reset connection.
DRAIN_CAP = 1024 * 1024 * 1024


def drain() -> None:
    stream = request.stream
    remaining = DRAIN_CAP
    while remaining > 0:
        chunk = stream.read(min(remaining, 1024 * 1024))
        if not chunk:
            break
        remaining -= len(chunk)


def _back(req: MlaRequest) -> Response:
    return redirect(url_for("requests.section", public_id=req.public_id, slug="procedures")
                    + "#attachments")


@roles(Role.SUBMITTER, Role.TRAINER)
def upload(public_id: str) -> Response | tuple[str, int]:
    req = load_visible(public_id, audit=False)
    max_file, _max_request = service.limits(settings())
    if request.content_length is not None and \
            request.content_length > max_file + MULTIPART_OVERHEAD:
        drain()
        message = _("The file is larger than %(max)d MB. Reduce its size or split it into "
                    "several files.", max=settings().max_file_mb)
        return render_section_page(req, "procedures", upload_error=message, status=413)
    form = upload_form(drafts.content_of(req))
    if not req.editable:
        flash(_("This request was submitted and can no longer be changed."), "warning")
        return redirect(url_for("requests.overview", public_id=public_id))
    if not form.validate_on_submit():
        return render_section_page(req, "procedures", upload=form, status=400)
    upload_file = form.file.data
    data = upload_file.read(max_file + 1)
    outcome = service.add_attachment(db(), settings(), require_user(), req,
                                     upload_file.filename or "document.pdf",
                                     form.document_kind.data, data,
                                     language=form.language.data or "", ip=client_ip())
    if isinstance(outcome, Rejection):
        form.file.errors.append(_(outcome.message, **outcome.params))
        return render_section_page(req, "procedures", upload=form, status=400)
    flash(_("%(name)s was received and is being checked. The page shows the result in a "
            "moment; you can go on meanwhile.", name=outcome.filename), "success")
    return _back(req)


@roles(Role.SUBMITTER, Role.TRAINER)
def remove_attachment(public_id: str, attachment_id: str) -> Response:
    req = load_visible(public_id, audit=False)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        service.remove_attachment(db(), settings(), require_user(), req, attachment_id,
                                  ip=client_ip())
    except service.AttachmentNotFound:
        abort(404)
    except drafts.NotEditable:
        flash(_("This request was submitted and can no longer be changed."), "warning")
        return redirect(url_for("requests.overview", public_id=public_id))
    sync_contract(req)
    flash(_("The document was removed."), "success")
    return _back(req)


@roles(Role.SUBMITTER, Role.TRAINER)
def download_attachment(public_id: str, attachment_id: str) -> FlaskResponse:
    req = load_visible(public_id, audit=False)
    try:
        attachment = service.get_attachment(db(), req, attachment_id)
        data = service.open_attachment(db(), settings(), require_user(), req, attachment_id,
                                       ip=client_ip())
    except service.AttachmentNotFound:
        abort(404)
    response = FlaskResponse(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(attachment.filename)
    return response



@roles(Role.SUBMITTER, Role.TRAINER)
def check_states(public_id: str) -> FlaskResponse:
    """The state of each document of the working copy (JSON, for the page to follow its
    checks). Not audited: it carries no case content, only verdicts, and a page asks it every
    few seconds while a check runs."""
    req = load_visible(public_id, audit=False)
    states = []
    attachments = service.list_attachments(db(), req)
    refused = refusals(attachments)
    for attachment in attachments:
        entry: dict[str, object] = {"id": attachment.public_id,
                                    "state": attachment.check_state}
        if attachment.public_id in refused:
            entry["message"] = refused[attachment.public_id]
        elif attachment.check_state == CheckState.ACCEPTED.value:
            entry["pages"] = format_number(attachment.pages)
        states.append(entry)
    response = jsonify({"attachments": states})
    response.headers["Cache-Control"] = "no-store"
    return response
