"""The submitter's pages: my requests, the task list, one page per section, check, review,
submit, confirmation, JSON export and import. Trainers use the per-request pages for their own
practice requests only (object-level access in :func:`drafts.visible_requests`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import Response as FlaskResponse
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal.web.accounts.forms import EmptyForm
from portal.accounts.models import Role
from portal.attachments import service as attachment_service
from portal.contract.cleanup import without_empty_entries
from portal.contract.load import validate
from portal.contract.model import Request
from portal.i18n import current_locale_code
from portal.packages.receipt import NotSubmitted, receipt_pdf
from portal.requests import (
    checks,
    drafts,
    formgen,
    node_html,
    section_html,
    submission,
    thread,
)
from portal.requests.choices import display_names, for_request
from portal.requests.documents import needed_documents
from portal.requests.forms import (
    AcknowledgementForm,
    ImportForm,
    MessageForm,
    UploadForm,
    WithdrawForm,
)
from portal.requests.forms import upload_form as upload_form_for
from portal.requests.labels import choice_label
from portal.requests.models import MlaRequest, RequestEvent, RequestVersion, Status
from portal.requests.path_labels import path_label, value_label
from portal.requests.sections import BY_SLUG, SECTIONS, Section
from portal.requests.summary import event_label, summarize
from portal.web import pending
from portal.web.access import require_user, roles
from portal.web.context import client_ip, db, send_queued_mail, settings
from portal.web.pending import preserve_input

bp = Blueprint("requests", __name__, url_prefix="/requests")
#: Revisions are 32-bit integers in the database: a posted number past that is refused as a
#: stale page (a conflict), not sent to PostgreSQL (which would fail with "out of range").
MAX_REVISION = 2**31 - 1


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"event_label": event_label, "choice_label": choice_label,
            "request_list_url": request_list_url, "request_list_label": request_list_label,
            "path_label": path_label, "value_label": value_label}


def request_list_url(req: MlaRequest) -> str:
    """Where a request is listed: practice requests in the sandbox, others in My requests."""
    return url_for("training.practice") if req.training else url_for("requests.index")


def request_list_label(req: MlaRequest) -> str:
    return str(_("My practice requests") if req.training else _("My requests"))


def load_visible(public_id: str, *, audit: bool = True) -> MlaRequest:
    """The request if the user may see it (a view is audited), else 404."""
    try:
        req = drafts.get_request(db(), require_user(), public_id, ip=client_ip(),
                                 audit_view=audit)
    except drafts.NotFound:
        abort(404)
    # a recorded view is written by the view's commit, in the same transaction as the rest of
    # the page's reads (the chain's lock is only taken then: portal.audit.log)
    return req


def _section(slug: str) -> Section:
    section = BY_SLUG.get(slug)
    if section is None:
        abort(404)
    return section


def _next_section(section: Section) -> Section | None:
    index = SECTIONS.index(section)
    return SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None


def _set_progress(session: Session, req: MlaRequest, slug: str, state: str) -> None:
    req.progress_json = _progress_after(req, slug, state)
    session.flush()


def _progress_after(req: MlaRequest, slug: str, state: str) -> str:
    """The request's progress with ``slug`` in ``state`` (a done section stays done)."""
    progress = checks.progress_of(req)
    if progress.get(slug) != "done" or state == "done":
        progress[slug] = state
    return json.dumps(progress)


def _findings(req: MlaRequest, content: Request) -> list[checks.ShownFinding]:
    return checks.compute(content, current_locale_code(),
                          account_country=checks.account_country_of(req))


@bp.route("")
@roles(Role.SUBMITTER)
def index() -> str:
    user = require_user()
    status = request.args.get("status", "")
    query = drafts.visible_requests(user).where(MlaRequest.training.is_(False))
    if status in {s.value for s in Status}:
        query = query.where(MlaRequest.status == status)
    rows = db().scalars(query.order_by(MlaRequest.updated_at.desc()).limit(500)).all()
    return render_template("requests/index.html", rows=rows, status=status,
                           statuses=list(Status), form=EmptyForm(),
                           summaries={r.id: drafts.content_of(r) for r in rows})


@bp.route("/new", methods=["POST"])
@roles(Role.SUBMITTER)
def new() -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = require_user()
    authority = user.authority
    content = Request.from_dict({
        "language": current_locale_code().replace("_", "-"),
        "requesting_authority": {
            "name": authority.name if authority else "",
            "country": authority.country if authority else "",
            "contact": {"name": user.name, "email": user.email},
        },
    })
    created = drafts.create_draft(db(), user, content, ip=client_ip())
    return redirect(url_for("requests.overview", public_id=created.public_id))


@bp.route("/<public_id>")
@roles(Role.SUBMITTER, Role.TRAINER)
def overview(public_id: str) -> tuple[str, int]:
    req = load_visible(public_id)
    content = drafts.content_of(req)
    findings = _findings(req, content)
    states = checks.section_states(content, findings, checks.progress_of(req))
    return _render_overview(req, content, states, findings)


def _render_overview(req: MlaRequest, content: Request, states: list[checks.SectionState],
                     findings: list[checks.ShownFinding], *,
                     message_form: MessageForm | None = None,
                     withdraw_form: WithdrawForm | None = None, status: int = 200
                     ) -> tuple[str, int]:
    events = db().scalars(select(RequestEvent).where(RequestEvent.request_id == req.id)
                          .order_by(RequestEvent.at, RequestEvent.id)).all()
    return render_template(
        "requests/overview.html", req=req, content=content, states=states, findings=findings,
        events=events, ready=checks.readiness(findings, checks.acknowledgements_of(req)),
        thread=thread.list_messages(db(), req), message_form=message_form or MessageForm(),
        withdraw_form=withdraw_form or WithdrawForm(),
        can_withdraw=req.status_enum is not Status.DRAFT and not req.training
        and req.status_enum not in thread.CLOSED), status


@bp.route("/<public_id>/messages", methods=["POST"])
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
            send_queued_mail()
            flash(_("Your message was sent to OIA."), "success")
            return redirect(url_for("requests.overview", public_id=public_id) + "#messages")
    content = drafts.content_of(req)
    findings = _findings(req, content)
    states = checks.section_states(content, findings, checks.progress_of(req))
    return _render_overview(req, content, states, findings, message_form=form, status=400)


@bp.route("/<public_id>/withdraw", methods=["POST"])
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
            send_queued_mail()
            flash(_("The request was withdrawn."), "success")
            return redirect(url_for("requests.overview", public_id=public_id))
    content = drafts.content_of(req)
    findings = _findings(req, content)
    states = checks.section_states(content, findings, checks.progress_of(req))
    return _render_overview(req, content, states, findings, withdraw_form=form, status=400)


def _render_section(req: MlaRequest, section: Section, content: Request, form: Any,
                    nodes: list[formgen.Node] | Markup, status: int = 200,
                    notice: str | None = None, upload_form: UploadForm | None = None,
                    upload_error: str | None = None, saved_at: datetime | None = None
                    ) -> tuple[str, int]:
    """The section page; ``nodes`` are the fields' nodes, or their HTML when kept
    (``section_html.saved_fields``, with a ``CleanForm``)."""
    # findings once the section has been saved, or when the check page sent the user here
    shown = section.slug in checks.progress_of(req) or request.args.get("check") == "1"
    findings = [f for f in _findings(req, content) if f.section is section] if shown else []
    if isinstance(nodes, Markup):
        fields: dict[str, Any] = {}
        fields_html = nodes
    else:
        fields = formgen.flat_fields(form)
        fields_html = node_html.render_nodes(nodes, fields)
    extra: dict[str, Any] = {}
    if section.slug == "authority" and req.authority is not None:
        names = display_names(content, current_locale_code())
        extra["account_authority"] = (req.authority.name, names.get(
            f"country:{req.authority.country}", req.authority.country))
    if section.slug == "procedures":
        max_file, max_request = attachment_service.limits(settings())
        used = attachment_service.used_bytes(db(), req)
        extra = {
            "attachments": attachment_service.list_attachments(db(), req),
            "upload_form": upload_form or upload_form_for(content),
            "upload_error": upload_error, "max_file": max_file, "max_request": max_request,
            "used_bytes": used, "remove_form": EmptyForm(),
            "needed_documents": needed_documents(content),
            "language_names": display_names(content, current_locale_code()),
        }
    return render_template(
        "requests/section.html", req=req, section=section, form=form, fields_html=fields_html,
        fields=fields, findings=findings, sections=SECTIONS, notice=notice,
        saved_at=saved_at,
        assistance_types=formgen.assistance_type_choices(),
        providers=for_request(content, current_locale_code()).providers,
        return_to=request.values.get("next", ""), **extra,
    ), status


def render_section_page(req: MlaRequest, slug: str, *, upload_form: UploadForm | None = None,
                        upload_error: str | None = None, status: int = 200
                        ) -> tuple[str, int]:
    """A section page built from the saved draft (used after an upload was refused)."""
    section = _section(slug)
    content = drafts.content_of(req)
    form, nodes = formgen.build(section, content, for_request(content, current_locale_code()))
    form.revision.data = str(req.revision)
    return _render_section(req, section, content, form, nodes, status,
                           upload_form=upload_form, upload_error=upload_error)


@bp.route("/<public_id>/<slug>", methods=["GET", "POST"])
@roles(Role.SUBMITTER, Role.TRAINER)
@preserve_input
def section(public_id: str, slug: str) -> Response | tuple[str, int]:
    section = _section(slug)
    req = load_visible(public_id, audit=request.method == "GET")
    if not req.editable:
        flash(_("This request was submitted and can no longer be changed."), "warning")
        return redirect(url_for("requests.overview", public_id=public_id))
    content = drafts.content_of(req)
    choices = for_request(content, current_locale_code())
    if request.method == "GET":
        kept = (pending.take(db(), require_user().id, request.path) if pending.maybe_kept()
                else None)
        form: Any
        nodes: list[formgen.Node] | Markup
        notice = None
        if kept is None:  # the saved draft: its fields as shown before, when unchanged
            form = section_html.CleanForm(req.revision)
            nodes = section_html.saved_fields(section, req.draft_json or "{}", content, choices,
                                              current_locale_code())
        else:
            form, nodes = formgen.build(section, content, choices, formdata=kept)
            notice = _("We kept what you typed before you had to sign in again or reload the "
                       "form. It is not saved yet: check it and save.")
        # "saved=<revision>" after the user's own save, while that save is the draft's latest
        saved_at = (req.updated_at if kept is None and request.args.get("saved") ==
                    str(req.revision) else None)
        return _render_section(req, section, content, form, nodes, notice=notice,
                               saved_at=saved_at)
    form, nodes = formgen.build(section, content, choices, formdata=request.form)
    unexpected = formgen.unexpected_keys(form, request.form.keys())
    if unexpected:
        form.validate()
        form.form_errors.append(_(
            "This page received answers for fields that are not on it (%(fields)s). "
            "Nothing was saved. Reload the page and try again.",
            fields=", ".join(unexpected[:5])))
        return _render_section(req, section, content, form, nodes, 400)
    if not form.validate():
        return _render_section(req, section, content, form, nodes, 400)
    updated = formgen.merge(section, form, content)
    schema_errors = validate(updated.to_dict())  # (the errors only: no model built)
    if schema_errors:
        for error in schema_errors:
            form.form_errors.append(f"{error.path}: {error.render(current_locale_code())}")
        return _render_section(req, section, content, form, nodes, 400)
    try:
        expected = int(form.revision.data or "0")
    except ValueError:
        expected = -1
    if not 0 <= expected < MAX_REVISION:  # beyond the column's range: a stale page anyway
        expected = -1
    user = require_user()
    op = request.form.get("op", "")
    adding = op.startswith(("add:", "remove:"))
    done = op == "continue"
    if not adding:  # a blank entry added and left blank is not stored (issue #18)
        updated = without_empty_entries(updated)
    try:
        # the section's progress goes in the draft's own UPDATE (one statement, not two)
        revision = drafts.save_draft(
            db(), user, req, updated, expected, ip=client_ip(), section=section.slug,
            progress_json=None if adding else _progress_after(
                req, section.slug, "done" if done else "started"))
    except drafts.DraftConflict as conflict:
        form.revision.data = str(conflict.current_revision)
        notice = _("%(name)s saved this draft after you opened this page, so your changes "
                   "were not saved. What you typed is still below: compare it with the saved "
                   "draft and save again to keep your version.", name=conflict.updated_by)
        return _render_section(req, section, content, form, nodes, 409, notice=notice)
    if adding:
        changed, anchor = formgen.apply_op(updated, op, request.form.get("new_item_type", ""))
        if anchor:
            drafts.save_draft(db(), user, req, changed, revision, ip=client_ip(),
                              section=section.slug)
        _set_progress(db(), req, section.slug, "started")
        return redirect(url_for("requests.section", public_id=public_id, slug=slug,
                                next=request.form.get("next") or None) + f"#{anchor}")
    if request.form.get("next") == "review":
        return redirect(url_for("requests.review", public_id=public_id))
    if done:
        following = _next_section(section)
        target = (url_for("requests.section", public_id=public_id, slug=following.slug)
                  if following else url_for("requests.check", public_id=public_id))
        return redirect(target)
    # The page says so from its address (the revision saved), not from a message in the
    # session: no session write on each save, and nothing piles up in the cookie of a client
    # that does not follow the redirect.
    return redirect(url_for("requests.section", public_id=public_id, slug=slug,
                            saved=revision))


@bp.route("/<public_id>/check", methods=["GET", "POST"])
@roles(Role.SUBMITTER, Role.TRAINER)
def check(public_id: str) -> Response | tuple[str, int]:
    req = load_visible(public_id, audit=request.method == "GET")
    content = drafts.content_of(req)
    findings = _findings(req, content)
    acks = checks.acknowledgements_of(req)
    warnings = [f for f in findings if f.severity == "warning"]
    form = AcknowledgementForm()
    status = 200
    if request.method == "POST" and req.editable and form.validate_on_submit():
        posted: dict[str, str] = {}
        errors: dict[str, str] = {}
        for finding in warnings:
            ticked = request.form.get(f"ack-{finding.key}") == "y"
            text = request.form.get(f"why-{finding.key}", "").strip()[:2000]
            if ticked and text:
                posted[finding.key] = text
            elif ticked:
                errors[finding.key] = _("Write why you submit despite this warning.")
            elif text:
                errors[finding.key] = _("Tick the box to acknowledge this warning.")
            else:  # every warning must be answered before the request can go on
                errors[finding.key] = _("Tick the box and write why you submit despite this "
                                        "warning.")
        if not errors:
            req.acks_json = json.dumps(posted, ensure_ascii=False)
            drafts.record_acknowledgements(db(), require_user(), req, sorted(posted),
                                           ip=client_ip())
            state = checks.readiness(findings, posted)
            if state["ready"]:
                return redirect(url_for("requests.review", public_id=public_id))
            flash(_("Your explanations were saved, but the problems above still stop the "
                    "submission: fix them first."), "warning")
            return redirect(url_for("requests.check", public_id=public_id))
        acks, status = {**acks, **posted}, 400
        return _render_check(req, findings, acks, form, errors, request.form, status)
    return _render_check(req, findings, acks, form, {}, None, status)


def _render_check(req: MlaRequest, findings: list[checks.ShownFinding], acks: dict[str, str],
                  form: AcknowledgementForm, errors: dict[str, str], posted: Any,
                  status: int) -> tuple[str, int]:
    return render_template("requests/check.html", req=req, findings=findings, acks=acks,
                           form=form, errors=errors, posted=posted,
                           ready=checks.readiness(findings, acks)), status


@bp.route("/<public_id>/review")
@roles(Role.SUBMITTER, Role.TRAINER)
def review(public_id: str) -> str | Response:
    req = load_visible(public_id)
    if not req.editable and req.versions:  # submitted: what was submitted, not a review
        return redirect(url_for("requests.submitted_version", public_id=public_id,
                                number=req.versions[-1].number))
    content = drafts.content_of(req)
    findings = _findings(req, content)
    names = display_names(content, current_locale_code())
    return render_template("requests/review.html", req=req, summary=summarize(content, names),
                           form=EmptyForm(),
                           ready=checks.readiness(findings, checks.acknowledgements_of(req)))


@bp.route("/<public_id>/submit", methods=["POST"])
@roles(Role.SUBMITTER, Role.TRAINER)
def submit(public_id: str) -> Response:
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    req = load_visible(public_id, audit=False)
    user = require_user()
    try:
        expected = int(request.form.get("revision", ""))
    except ValueError:
        expected = req.revision
    if not 0 <= expected < MAX_REVISION:
        expected = -1
    try:
        submission.submit(db(), settings(), user, req, expected_revision=expected,
                          locale=current_locale_code(), ip=client_ip())
    except submission.NotReady:
        db().rollback()
        flash(_("The request cannot be submitted yet: fix the blocking problems and "
                "acknowledge every warning first."), "error")
        return redirect(url_for("requests.check", public_id=public_id))
    except (submission.AlreadySubmitted, drafts.NotEditable):
        db().rollback()
        flash(_("This request changed or was already submitted by a colleague. Check it "
                "before submitting."), "warning")
        return redirect(url_for("requests.overview", public_id=public_id))
    send_queued_mail()
    return redirect(url_for("requests.confirmation", public_id=public_id))


@bp.route("/<public_id>/submitted")
@roles(Role.SUBMITTER, Role.TRAINER)
def confirmation(public_id: str) -> str:
    req = load_visible(public_id)
    if req.status_enum is Status.DRAFT:
        abort(404)
    return render_template("requests/confirmation.html", req=req)


@bp.route("/<public_id>/export.json")
@roles(Role.SUBMITTER, Role.TRAINER)
def export(public_id: str) -> Response:
    req = load_visible(public_id, audit=False)
    body = drafts.export_json(req)
    drafts.record_export(db(), require_user(), req, ip=client_ip())
    name = (req.reference or f"draft-{req.public_id}") + ".json"
    return FlaskResponse(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/import", methods=["GET", "POST"])
@roles(Role.SUBMITTER)
def import_json() -> Response | tuple[str, int]:
    form = ImportForm()
    errors: list[Any] = []
    status = 200
    if form.validate_on_submit():
        data = form.file.data.read(settings().max_file_mb * 1024 * 1024 + 1)
        if len(data) > settings().max_file_mb * 1024 * 1024:
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


@bp.route("/<public_id>/receipt.pdf")
@roles(Role.SUBMITTER, Role.TRAINER)
def receipt(public_id: str) -> FlaskResponse:
    """The receipt of the latest submitted version, in the user's language."""
    req = load_visible(public_id, audit=False)
    try:
        body = receipt_pdf(db(), req, current_locale_code())
    except NotSubmitted:
        abort(404)
    version = db().scalar(select(func.max(RequestVersion.number))
                          .where(RequestVersion.request_id == req.id))
    user = require_user()
    drafts.record_export(db(), user, req, ip=client_ip(), what="receipt")
    response = FlaskResponse(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{req.reference}-receipt-v{version}.pdf"')
    return response
