"""The submitter's list of requests, a new draft, a request's task list with its history and
messages, withdrawal, and the request as a JSON file (export and import). Trainers use the
per-request pages for their own practice requests only (:func:`drafts.visible_requests`)."""

from __future__ import annotations

from typing import Any

from flask import Response as FlaskResponse
from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.audit.log import record
from portal.requests import checks, drafts, listing, thread
from portal.requests.models import MlaRequest, Status
from portal.translation import gettext as _
from portal.web.access import require_user, roles
from portal.web.accounts.forms import EmptyForm
from portal.web.context import client_ip, db, settings
from portal.web.i18n import current_locale_code
from portal.web.requests.access import findings_of, load_visible
from portal.web.requests.ask_state import ask_state
from portal.web.requests.documents_state import readiness, settle
from portal.web.requests.forms import ImportForm, MessageForm, WithdrawForm


@roles(Role.SUBMITTER)
def index() -> str:
    status = request.args.get("status", "")[:20]
    q = request.args.get("q", "")[:200]
    after = request.args.get("after") or None
    user = require_user()
    page = listing.list_page(db(), user, status=status, q=q, after=after)
    if q.strip():  # a search of case data is recorded, as the triage queue's
        record(db(), "requests.searched", actor_id=user.id, actor=user.email, ip=client_ip(),
               object_type="authority", object_id=str(user.authority_id or ""),
               details={"q": q, "status": status, "rows": len(page.rows)})
    args = {k: v for k, v in (("status", status), ("q", q)) if v}
    return render_template("requests/index.html", rows=page.rows, page=page, status=status,
                           q=q, after=after, args=args, statuses=list(Status),
                           form=EmptyForm(),
                           summaries={r.id: drafts.content_of(r) for r in page.rows})


@roles(Role.SUBMITTER)
def new() -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = require_user()
    content = drafts.blank_request(user, current_locale_code())
    created = drafts.create_draft(db(), user, content, ip=client_ip())
    return redirect(url_for("requests.overview", public_id=created.public_id))


@roles(Role.SUBMITTER, Role.TRAINER)
def overview(public_id: str) -> tuple[str, int]:
    return render_overview(load_visible(public_id))


def render_overview(req: MlaRequest, *, message_form: MessageForm | None = None,
                    withdraw_form: WithdrawForm | None = None, status: int = 200,
                    extra: dict[str, Any] | None = None) -> tuple[str, int]:
    """The task list: each section's state, the history, the messages, an open ask for
    documents (``extra``: its state with a posted form that failed)."""
    documents = settle(req)
    content = drafts.content_of(req)
    findings = findings_of(req)
    states = checks.section_states(content, findings, checks.progress_of(req))
    return render_template(
        "requests/overview.html", req=req, content=content, states=states, findings=findings,
        events=drafts.events_of(db(), req),
        ready=readiness(findings, checks.acknowledgements_of(req), documents),
        thread=thread.list_messages(db(), req), message_form=message_form or MessageForm(),
        withdraw_form=withdraw_form or WithdrawForm(),
        can_withdraw=req.status_enum is not Status.DRAFT and not req.training
        and req.status_enum not in thread.CLOSED, **(extra or ask_state(req))), status


@roles(Role.SUBMITTER)
def post_message(public_id: str) -> Response | tuple[str, int]:
    req = load_visible(public_id, audit=False)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            thread.post_message(db(), settings(), require_user(), req, form.body.data,
                                ip=client_ip())
        except thread.MessageRefused:
            form.body.errors.append(_("Messages can be sent once the request is submitted."))
        else:
            flash(_("Your message was sent to OIA."), "success")
            return redirect(url_for("requests.overview", public_id=public_id) + "#messages")
    return render_overview(req, message_form=form, status=400)


@roles(Role.SUBMITTER)
def withdraw(public_id: str) -> Response | tuple[str, int]:
    req = load_visible(public_id, audit=False)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            thread.withdraw(db(), settings(), require_user(), req, form.reason.data,
                            ip=client_ip())
        except thread.MessageRefused:
            form.reason.errors.append(_("This request can no longer be withdrawn."))
        else:
            flash(_("The request was withdrawn."), "success")
            return redirect(url_for("requests.overview", public_id=public_id))
    return render_overview(req, withdraw_form=form, status=400)


@roles(Role.SUBMITTER, Role.TRAINER)
def export(public_id: str) -> Response:
    req = load_visible(public_id, audit=False)
    body = drafts.export_json(req)
    drafts.record_export(db(), require_user(), req, ip=client_ip())
    name = (req.reference or f"draft-{req.public_id}") + ".json"
    return FlaskResponse(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@roles(Role.SUBMITTER)
def import_json() -> Response | tuple[str, int]:
    form = ImportForm()
    errors: list[Any] = []
    status = 200
    if form.validate_on_submit():
        limit = settings().max_file_mb * 1024 * 1024
        data = form.file.data.read(limit + 1)
        if len(data) > limit:
            form.file.errors.append(_("The file is larger than %(mb)d MB.",
                                      mb=settings().max_file_mb))
        else:
            created, errors = drafts.import_json(db(), require_user(), data,
                                                 locale=current_locale_code(), ip=client_ip())
            if created is not None:
                flash(_("The request was imported as a new draft."), "success")
                return redirect(url_for("requests.overview", public_id=created.public_id))
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("requests/import.html", form=form, errors=errors), status

