"""Attachments of a draft: upload (PDF only, limits shown before and enforced), remove,
download. Every change also updates the attachment list of the draft's contract document, so
the rules and the package see the same files."""

from __future__ import annotations

from dataclasses import replace

from flask import Response as FlaskResponse
from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.attachments import service
from portal.attachments.inspect import Rejection
from portal.contract import model as m
from portal.requests import drafts
from portal.requests.models import MlaRequest
from portal.translation import gettext as _
from portal.web.access import require_user, roles
from portal.web.accounts.forms import EmptyForm
from portal.web.context import client_ip, db, settings
from portal.web.downloads import content_disposition
from portal.web.requests.access import load_visible
from portal.web.requests.forms import upload_form
from portal.web.requests.section_views import render_section_page

#: Bytes of multipart overhead allowed beyond the file limit before a body is refused unread.
MULTIPART_OVERHEAD = 64 * 1024
#: A body over the limit is still read (and dropped), up to this much, so that the browser
#: gets the explanation instead of a reset connection.
DRAIN_CAP = 1024 * 1024 * 1024


def sync_contract(req: MlaRequest) -> None:
    """Copy the stored attachments' metadata into the draft's contract document."""
    content = drafts.content_of(req)
    listed = tuple(
        m.Attachment(filename=a.filename, document_kind=a.document_kind, sha256=a.sha256,
                     size=a.size, pages=a.pages, language=a.language)
        for a in service.list_attachments(db(), req))
    if listed != content.attachments:
        drafts.save_draft(db(), require_user(), req, replace(content, attachments=listed),
                          req.revision, ip=client_ip(), section="attachments")


def _drain() -> None:
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
        _drain()
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
    sync_contract(req)
    flash(_("%(name)s was attached (%(pages)d pages).", name=outcome.filename,
            pages=outcome.pages), "success")
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

