"""The requesting authority answers OIA's ask for documents (portal.asks): upload PDFs (the
draft uploads' checks, limits and encryption), remove one before sending, send them with a
message (a new minor version of the request)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.asks import service as asks
from portal.attachments import service as attachment_service
from portal.attachments.inspect import Rejection
from portal.i18n_core import N_
from portal.requests import drafts
from portal.requests.models import MlaRequest
from portal.translation import gettext as _
from portal.web.access import require_user, roles
from portal.web.accounts.forms import EmptyForm
from portal.web.context import client_ip, db, settings
from portal.web.requests.access import load_visible
from portal.web.requests.ask_state import ask_state
from portal.web.requests.attachment_views import MULTIPART_OVERHEAD, drain
from portal.web.requests.draft_views import render_overview
from portal.web.requests.forms import AnswerForm, upload_form

REFUSALS = {
    "no_files": N_("Attach at least one PDF file before sending."),
    "checking": N_("Wait until every file has been checked, then send them."),
    "refused": N_("A file was refused: remove it before sending."),
    "text": N_("Write your message."),
}


def _back(req: MlaRequest) -> Response:
    return redirect(url_for("requests.overview", public_id=req.public_id) + "#attachments",
                    code=303)


def _closed(req: MlaRequest) -> Response:
    flash(_("OIA's ask for documents is closed: the documents can no longer be sent this way."),
          "warning")
    return _back(req)


@roles(Role.SUBMITTER)
def upload(public_id: str) -> Response | tuple[str, int]:
    req = load(public_id)
    max_file, _max_request = attachment_service.limits(settings())
    if request.content_length is not None and \
            request.content_length > max_file + MULTIPART_OVERHEAD:
        drain()
        message = _("The file is larger than %(max)d MB. Reduce its size or split it into "
                    "several files.", max=settings().max_file_mb)
        return render_overview(req, extra=ask_state(req, upload_error=message), status=413)
    form = upload_form(drafts.content_of(req))
    if not form.validate_on_submit():
        return render_overview(req, extra=ask_state(req, upload=form), status=400)
    data = form.file.data.read(max_file + 1)
    try:
        outcome = asks.upload(db(), settings(), require_user(), req, asks.open_ask(db(), req),
                              form.file.data.filename or "document.pdf",
                              form.document_kind.data, data,
                              language=form.language.data or "", ip=client_ip())
    except (asks.AskRefused, drafts.NotEditable):
        return _closed(req)
    if isinstance(outcome, Rejection):
        form.file.errors.append(_(outcome.message, **outcome.params))
        return render_overview(req, extra=ask_state(req, upload=form), status=400)
    flash(_("%(name)s was received and is being checked. The page shows the result in a "
            "moment; you can go on meanwhile.", name=outcome.filename), "success")
    return _back(req)


@roles(Role.SUBMITTER)
def remove(public_id: str, attachment_id: str) -> Response:
    req = load(public_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        asks.remove_file(db(), settings(), require_user(), req, asks.open_ask(db(), req),
                         attachment_id, ip=client_ip())
    except attachment_service.AttachmentNotFound:
        abort(404)
    except asks.AskRefused:
        return _closed(req)
    flash(_("The document was removed."), "success")
    return _back(req)


@roles(Role.SUBMITTER)
def send(public_id: str) -> Response | tuple[str, int]:
    req = load(public_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            answered = asks.answer(db(), settings(), require_user(), req,
                                   asks.open_ask(db(), req), form.answer.data, ip=client_ip())
        except asks.AskRefused as refused:
            if refused.code not in REFUSALS:
                return _closed(req)
            form.answer.errors.append(_(REFUSALS[refused.code]))
        else:
            flash(_("Your documents were sent to OIA as version %(version)s of the request.",
                    version=answered.version.label), "success")
            return redirect(url_for("requests.overview", public_id=public_id) + "#messages",
                            code=303)
    return render_overview(req, extra=ask_state(req, answer=form), status=400)


def load(public_id: str) -> MlaRequest:
    return load_visible(public_id, audit=False)
