"""The check page (every finding, and an explanation for each warning) and the review page
(every answer, before submission)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.requests import checks, drafts, editing
from portal.requests.choices import display_names
from portal.requests.models import MlaRequest
from portal.requests.summary import summarize
from portal.translation import gettext as _
from portal.web.access import require_user, roles
from portal.web.accounts.forms import EmptyForm
from portal.web.context import client_ip, db
from portal.web.i18n import current_locale_code
from portal.web.requests.access import findings_of, load_visible
from portal.web.requests.documents_state import DocumentsState, readiness, settle
from portal.web.requests.forms import AcknowledgementForm


@roles(Role.SUBMITTER, Role.TRAINER)
def check(public_id: str) -> Response | tuple[str, int]:
    req = load_visible(public_id, audit=request.method == "GET")
    documents = settle(req)
    findings = findings_of(req)
    acks = checks.acknowledgements_of(req)
    form = AcknowledgementForm()
    if request.method == "POST" and req.editable and form.validate_on_submit():
        warnings = [f for f in findings if f.severity == "warning"]
        answers, errors = checks.read_acknowledgements(warnings, request.form)
        if errors:
            return _render_check(req, findings, {**acks, **answers}, form, errors,
                                 request.form, documents, 400)
        editing.save_acknowledgements(db(), require_user(), req, answers, ip=client_ip())
        if checks.readiness(findings, answers)["ready"] and documents.settled:
            return redirect(url_for("requests.review", public_id=public_id))
        flash(_("Your explanations were saved, but the problems above still stop the "
                "submission: fix them first."), "warning")
        return redirect(url_for("requests.check", public_id=public_id))
    return _render_check(req, findings, acks, form, {}, None, documents, 200)


def _render_check(req: MlaRequest, findings: list[checks.ShownFinding], acks: dict[str, str],
                  form: AcknowledgementForm, errors: dict[str, str], posted: Any,
                  documents: DocumentsState, status: int) -> tuple[str, int]:
    return render_template("requests/check.html", req=req, findings=findings, acks=acks,
                           form=form, errors=errors, posted=posted,
                           ready=readiness(findings, acks, documents)), status


@roles(Role.SUBMITTER, Role.TRAINER)
def review(public_id: str) -> str | Response:
    req = load_visible(public_id)
    if not req.editable and req.versions:  # submitted: what was submitted, not a review
        latest = req.versions[-1]
        if latest.minor:
            return redirect(url_for("requests.submitted_version", public_id=public_id,
                                    number=latest.number, minor=latest.minor))
        return redirect(url_for("requests.submitted_version", public_id=public_id,
                                number=latest.number))
    documents = settle(req)
    content = drafts.content_of(req)
    names = display_names(content, current_locale_code())
    return render_template("requests/review.html", req=req, summary=summarize(content, names),
                           form=EmptyForm(),
                           ready=readiness(findings_of(req), checks.acknowledgements_of(req),
                                           documents))
