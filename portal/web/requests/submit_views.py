"""Submission of a checked draft, its confirmation, and the receipt of the latest version."""

from __future__ import annotations

from flask import Response as FlaskResponse
from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.packages.receipt import NotSubmitted, receipt_pdf
from portal.requests import drafts, submission, versions
from portal.requests.models import Status
from portal.translation import gettext as _
from portal.web.access import require_user, roles
from portal.web.accounts.forms import EmptyForm
from portal.web.context import client_ip, db, fail_transaction, settings
from portal.web.i18n import current_locale_code
from portal.web.requests.access import load_visible, posted_revision
from portal.web.requests.documents_state import settle


@roles(Role.SUBMITTER, Role.TRAINER)
def submit(public_id: str) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    req = load_visible(public_id, audit=False)
    expected = posted_revision(request.form.get("revision"), req.revision)
    if not settle(req).settled:
        flash(_("The request cannot be submitted yet: a document is still being checked or "
                "was refused."), "error")
        return redirect(url_for("requests.check", public_id=public_id))
    try:
        submission.submit(db(), settings(), require_user(), req, expected_revision=expected,
                          locale=current_locale_code(), ip=client_ip())
    except submission.NotReady:
        fail_transaction()
        flash(_("The request cannot be submitted yet: fix the blocking problems and "
                "acknowledge every warning first."), "error")
        return redirect(url_for("requests.check", public_id=public_id))
    except (submission.AlreadySubmitted, drafts.NotEditable):
        fail_transaction()
        flash(_("This request changed or was already submitted by a colleague. Check it "
                "before submitting."), "warning")
        return redirect(url_for("requests.overview", public_id=public_id))
    return redirect(url_for("requests.confirmation", public_id=public_id))


@roles(Role.SUBMITTER, Role.TRAINER)
def confirmation(public_id: str) -> str:
    req = load_visible(public_id)
    if req.status_enum is Status.DRAFT:
        abort(404)
    return render_template("requests/confirmation.html", req=req)


@roles(Role.SUBMITTER, Role.TRAINER)
def receipt(public_id: str) -> FlaskResponse:
    """The receipt of the latest submitted version, in the user's language."""
    req = load_visible(public_id, audit=False)
    try:
        body = receipt_pdf(db(), req, current_locale_code())
    except NotSubmitted:
        abort(404)
    drafts.record_export(db(), require_user(), req, ip=client_ip(), what="receipt")
    response = FlaskResponse(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{req.reference}-receipt-v{versions.latest_number(db(), req)}'
        '.pdf"')
    return response
