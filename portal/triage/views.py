"""The ``triage`` blueprint: the queue, the package view, the actions, messages, portfolios
and the dashboard. OIA staff only (role ``triage``); every request is loaded through
:func:`portal.requests.drafts.get_request` (object-level access, audited view)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
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
from markupsafe import Markup, escape
from sqlalchemy import bindparam, select
from werkzeug.wrappers import Response

from portal.accounts.models import Authority, Role, User
from portal.attachments import service as attachment_service
from portal.attachments.models import Attachment
from portal.audit.log import record
from portal.contract.model import ASSISTANCE_TYPES
from portal.db import utcnow
from portal.db_reads import Read, one, read_together
from portal.i18n import current_locale_code
from portal.i18n_core import day_name
from portal.lru import LRU
from portal.packages import service as package_service
from portal.reference import load_reference
from portal.requests import drafts, thread
from portal.requests.choices import display_names
from portal.requests.labels import choice_label
from portal.requests.models import MlaRequest, Status
from portal.requests.summary import summarize
from portal.training.sandbox import not_sandbox
from portal.triage import (
    caseload,
    duplicates,
    intake,
    operations,
    package,
    queue,
    queue_html,
    referrals,
    returns,
    versions,
)
from portal.triage import dashboard as dashboard
from portal.triage.forms import (
    ACTION_LABELS,
    EVENT_LABELS,
    STATUS_LABELS,
    AssignForm,
    DeclineForm,
    NoteForm,
    PortfolioForm,
    ReferForm,
    ReopenForm,
    ReplyForm,
    ReturnForm,
    TriageForm,
    decline_choices,
    refusal_message,
)
from portal.triage.models import Referral, TriageEntry
from portal.triage.operations import Action
from portal.web.access import require_user, roles
from portal.web.accounts.forms import EmptyForm
from portal.web.context import client_ip, db, send_queued_mail, settings
from portal.web.downloads import content_disposition

bp = Blueprint("triage", __name__, url_prefix="/triage")


#: Queue rows as HTML by (row, language, address): the first pages show the same rows all
#: day, and a row holds every value it shows. An LRU of 4,096 (some 2.5 MB).
_ROWS: LRU[tuple[queue.Row, str, str], str] = LRU(4096)


@bp.app_template_global("triage_queue_rows")
def _queue_rows(rows: list[queue.Row], package_href: str) -> Markup:
    locale = current_locale_code()
    return queue_html.rows_html(rows, package_href, lambda day: day_name(day, locale),
                                kept=_ROWS, locale=locale)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"triage_latest_return": _latest_return, "triage_status_label": _status_label,
            "triage_event_label": lambda kind: EVENT_LABELS.get(kind, kind),
            "triage_type_label": lambda t: choice_label(t, "type"),
            "triage_reason_label": lambda code: _(operations.DECLINE_REASONS.get(code, code))}


def _latest_return(req: MlaRequest) -> returns.ReturnView | None:
    """For the submitter's page: the return being answered (only while it is returned)."""
    if req.status != Status.RETURNED.value:
        return None
    return returns.latest_return(db(), req, current_locale_code())


def _status_label(status: str) -> Any:
    return STATUS_LABELS.get(status, status)


@bp.app_template_global("triage_status_tag")
def status_tag(status: str) -> Markup:
    """A request's status as a tag (a queue page shows fifty: a function, not a macro)."""
    return Markup('<span class="usa-tag portal-tag portal-tag--status">'  # noqa: S704
                  + str(escape(_status_label(status))) + "</span>")


def _audit(action: str, object_id: str = "", **details: object) -> None:
    user = require_user()
    record(db(), action, actor_id=user.id, actor=user.email, ip=client_ip(),
           object_type="request" if object_id else "triage", object_id=object_id,
           details=details)


def _load(public_id: str, *, audit: bool = True) -> MlaRequest:
    try:
        req = drafts.get_request(db(), require_user(), public_id, ip=client_ip(),
                                 audit_view=audit)
    except drafts.NotFound:
        abort(404)
    # a recorded view is written by the view's commit (portal.audit.log takes the chain's lock
    # only then), in one transaction with the page's reads
    return req


# ---------------------------------------------------------------------------------- the queue

def _filters() -> queue.Filters:
    args = request.args
    return queue.Filters(
        status=args.get("status", "")[:20], country=args.get("country", "")[:2],
        authority=args.get("authority", "")[:32], type=args.get("type", "")[:40],
        assignee=args.get("assignee", "")[:32], overdue=args.get("overdue") == "1",
        acknowledged=args.get("acknowledged") == "1", duplicates=args.get("duplicates") == "1",
        q=args.get("q", "")[:200])


@bp.route("")
@roles(Role.TRIAGE)
def queue_page() -> str:
    user = require_user()
    filters = _filters()
    after = request.args.get("after") or None
    # (missing entries are rebuilt by intake.rebuild_missing, a maintenance step: the
    # anti-join costs ~125 ms at 100,000 requests, too much for every first page)
    # the page and the select boxes' options, in one round trip on PostgreSQL
    current, authority_options, attorney_options = read_together(
        db(), queue.page_read(user, filters, after=after),
        one(_AUTHORITY_OPTIONS, {}, lambda rows: [
            (row.public_id, f"{row.name} ({row.country})") for row in rows]),
        caseload.attorney_options_read())
    _audit("triage.queue_viewed", filters=filters.as_args(), rows=len(current.rows))
    db().commit()  # one transaction for the page's reads and its audit record
    return render_template(
        "triage/queue.html", page=current, filters=filters, after=after,
        status_options=_status_options(current_locale_code()),
        country_options=_country_options(), authority_options=authority_options,
        attorney_options=attorney_options, type_options=_type_options(current_locale_code()))


@cache
def _status_options(locale: str) -> tuple[tuple[str, str], ...]:
    """The status filter's options in ``locale`` (the page's language: the labels are
    translated here once per language, and joined once by select_options)."""
    return tuple((s.value, str(_status_label(s.value))) for s in Status
                 if s is not Status.DRAFT)


@cache
def _type_options(locale: str) -> tuple[tuple[str, str], ...]:
    """The assistance type filter's options in ``locale`` (as _status_options)."""
    return tuple((t, str(choice_label(t, "type"))) for t in ASSISTANCE_TYPES)


@cache
def _country_options() -> tuple[tuple[str, str], ...]:
    return tuple((c.code, f"{c.name} ({c.code})") for c in
                 sorted(load_reference().countries.values(), key=lambda c: c.name))


#: The requesting authorities of the queue's filter (built once: see queue._PAGES).
_AUTHORITY_OPTIONS = (select(Authority.public_id, Authority.name, Authority.country)
                      .where(not_sandbox()).order_by(Authority.name))


@bp.route("/export.csv")
@roles(Role.TRIAGE)
def queue_export() -> FlaskResponse:
    user = require_user()
    filters = _filters()
    rows = list(queue.iterate(db(), user, filters))
    _audit("triage.queue_exported", filters=filters.as_args(), rows=len(rows))
    db().commit()
    return _csv(queue.to_csv(rows), f"triage-queue-{utcnow().date().isoformat()}.csv")


def _csv(text: str, filename: str) -> FlaskResponse:
    response = FlaskResponse(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------- the package view

def _version(versions: list[Any], number: str | None) -> Any:
    """The version asked for by its number, else the latest; None when there is none."""
    if not versions:
        return None
    if number and number.isdigit():
        for v in versions:
            if v.number == int(number):
                return v
    return versions[-1]


FORM_OF: dict[Action, str] = {
    Action.ASSIGN: "assign", Action.RETURN: "return", Action.REFER: "refer",
    Action.DECLINE: "decline", Action.REOPEN: "reopen",
}
FORM_CLASSES: dict[str, type[TriageForm]] = {
    "assign": AssignForm, "return": ReturnForm, "refer": ReferForm, "decline": DeclineForm,
    "reopen": ReopenForm, "reply": ReplyForm,
}
SIMPLE_ACTIONS = [a for a in Action if a not in FORM_OF]  # a note only: one NoteForm each


def form_key(action: Action) -> str:
    """The key of the action's form in :func:`_forms`, also the prefix of its controls' ids
    (``assign-note``, ``action-complete-note``): the same names are posted by several forms of
    the page, each control has an id of its own."""
    return FORM_OF.get(action) or f"action-{action.value}"


def _new_form(key: str, *, posted: bool = False) -> TriageForm:
    cls = FORM_CLASSES.get(key, NoteForm)
    if posted:
        return cls(id_prefix=key)
    return cls(formdata=None, id_prefix=key)


def _forms(req: MlaRequest, version: versions.FrozenVersion, country: str,
           findings: list[package.ShownFinding], tri: package.TriageFindings,
           overrides: dict[str, Any], only: set[str] | None = None,
           loads: list[caseload.Load] | None = None) -> dict[str, Any]:
    """The forms of the package page by :func:`form_key` (and ``reply``): those named in
    ``only`` (the allowed actions' and the reply, or the one posted), all when it is None;
    ``overrides`` holds a posted form that failed, re-rendered with its answers and errors.
    ``country``: the request's (its queue entry's); ``loads``: the attorneys' caseloads when
    the caller has read them already."""
    def wanted(key: str) -> bool:
        return only is None or key in only or key in overrides

    forms: dict[str, Any] = {}
    suggestion = None
    proposed: list[str] = []
    if wanted("assign"):
        suggestion = caseload.suggestion_for(
            loads if loads is not None else caseload.loads(db()), country)
        assign = overrides.get("assign") or _new_form("assign")
        assign.assignee.choices = [
            (load.user.public_id, _("%(name)s — %(count)d open, weighted load %(load)s",
                                    name=load.user.name, count=load.count,
                                    load=f"{load.weight:g}"))
            for load in suggestion.candidates]
        if not overrides.get("assign") and suggestion.best is not None:
            assign.assignee.data = suggestion.best.user.public_id
        forms["assign"] = assign
    if wanted("return"):
        locale_findings = [*findings]
        if tri.duplicate_finding:
            locale_findings.append(tri.duplicate_finding)
        if tri.unchanged_finding:
            locale_findings.append(tri.unchanged_finding)
        ret = overrides.get("return") or _new_form("return")
        ret.findings.choices = [(f.key, f"{f.title} ({f.code})") for f in locale_findings]
        forms["return"] = ret
    if wanted("refer"):
        refer = overrides.get("refer") or _new_form("refer")
        refer.district.choices = [("", _("Choose a district")), *referrals.district_choices()]
        proposed = referrals.proposed_districts(versions.content_of_version(version))
        if not overrides.get("refer"):
            refer.district.data = proposed[0] if proposed else ""
            refer.due.data = referrals.default_due(settings(), utcnow().date())
        forms["refer"] = refer
    if wanted("decline"):
        decline = overrides.get("decline") or _new_form("decline")
        decline.reason.choices = decline_choices()
        forms["decline"] = decline
    for key in ["reopen", *(form_key(a) for a in SIMPLE_ACTIONS), "reply"]:
        if wanted(key):
            forms[key] = overrides.get(key) or _new_form(key)
    return {**forms, "all": list(forms.values()), "suggestion": suggestion,
            "proposed_districts": proposed}


#: A submitted version's content as HTML by (its content, language): reading, summarizing and
#: rendering it was a third of the package view, and a version never changes. The key is the
#: stored JSON itself, not the version's id: equal content is equal HTML by construction,
#: whatever database the id came from (a restored one, or the tests' many). An LRU of 256.
_SUMMARIES: LRU[tuple[str, str], Markup] = LRU(256)


def _version_summary_html(version: versions.FrozenVersion, locale: str) -> Markup:
    def render() -> Markup:
        content = versions.content_of_version(version)  # with names, as on the review page
        return Markup(render_template(  # noqa: S704 - a rendered (autoescaped) template
            "triage/_version_summary.html",
            summary=summarize(content, display_names(content, locale))))

    return _SUMMARIES.get_or_make((version.content_json or "", locale), render)


#: The package view's own reads, built once (a statement keeps its cache key; see
#: queue._PAGES), of plain columns (see portal.db_reads).
_ENTRY = (select(TriageEntry.status, TriageEntry.country, TriageEntry.submitted_at,
                 TriageEntry.urgency_date, TriageEntry.referral_district,
                 TriageEntry.referral_due, TriageEntry.resubmit_unchanged,
                 User.name.label("assignee_name"))
          .outerjoin(User, User.id == TriageEntry.assignee_id)
          .where(TriageEntry.request_id == bindparam("request_id")))
_AUTHORITY = (select(Authority.name, Authority.country)
              .where(Authority.id == bindparam("authority_id")))
_REFERRALS = (select(Referral.district, Referral.referred_at, Referral.due_date,
                     Referral.closed_at)
              .where(Referral.request_id == bindparam("request_id"))
              .order_by(Referral.referred_at, Referral.id))
_FILES = (select(Attachment.public_id, Attachment.filename, Attachment.document_kind,
                 Attachment.pages, Attachment.size, Attachment.sha256, Attachment.removed_at)
          .where(Attachment.request_id == bindparam("request_id"))
          .order_by(Attachment.uploaded_at, Attachment.id))


def _first(rows: list[Any]) -> Any:
    return rows[0] if rows else None


def _page_reads(request_id: int, authority_id: int, locale: str | None, *,
                loads: bool) -> list[Read[Any]]:
    """The package view's reads: the caseloads too when the request can be assigned."""
    return [
        one(_ENTRY, {"request_id": request_id}, _first),
        package.versions_read(request_id),
        one(_AUTHORITY, {"authority_id": authority_id}, _first),
        duplicates.find_read(request_id, settings()),
        one(_REFERRALS, {"request_id": request_id}, list),
        one(_FILES, {"request_id": request_id}, list),
        thread.messages_read(request_id),
        package.history_read(request_id),
        returns.all_returns_read(request_id, locale),
        package_service.handoff_read(request_id),
        *([caseload.loads_read()] if loads else []),
    ]


def _render_package(req: MlaRequest, *, overrides: dict[str, Any] | None = None,
                    status: int = 200) -> tuple[str, int]:
    user = require_user()
    locale = current_locale_code()
    allowed = operations.allowed_actions(req.status, manager=user.is_manager)
    # the forms the page shows: the allowed actions', and the reply while the request is open
    # (each WTForms form costs ~0.15 ms to build: most requests opened are closed ones)
    only = {form_key(a) for a in allowed} | (
        set() if req.status_enum in thread.CLOSED else {"reply"})
    # the page's independent reads, in one round trip on PostgreSQL (portal.db_reads)
    with_loads = "assign" in only or "assign" in (overrides or {})
    reads = _page_reads(req.id, req.authority_id, locale, loads=with_loads)
    values = read_together(db(), *reads)
    if values[0] is None or values[0].status != req.status:
        intake.sync_status(db(), req, settings=settings())
        values = read_together(db(), *reads)
    (entry, versions, authority, found, refs, files, messages, history, all_returns, handoff,
     *loads) = values
    shown = _version(versions, request.args.get("v"))
    if shown is None:
        abort(404)
    latest = versions[-1]
    findings = package.version_findings(latest, locale)
    shown_findings = findings if shown is latest else package.version_findings(shown, locale)
    # (the entry keeps whether the latest version came back unchanged, set at its intake)
    tri = package.triage_findings_of(db(), req, found, locale,
                                     unchanged=entry.resubmit_unchanged if entry else None,
                                     latest=latest)
    compare: dict[str, Any] = {}
    if len(versions) > 1:
        numbers = [v.number for v in versions]
        a = request.args.get("a", type=int) or numbers[-2]
        b = request.args.get("b", type=int) or numbers[-1]
        va = next((v for v in versions if v.number == a), None)
        vb = next((v for v in versions if v.number == b), None)
        if va is not None and vb is not None:
            compare = {"a": a, "b": b, "changes": package.version_diff(va, vb)}
    forms = _forms(req, latest, entry.country if entry else "", findings, tri, overrides or {},
                   only=only, loads=loads[0] if loads else None)
    # the action whose form is open: the one refused with errors, else the first
    opened = next((a for a in allowed if forms[form_key(a)].errors), None)
    html = render_template(
        "triage/package.html", req=req, entry=entry, authority=authority, versions=versions,
        shown=shown, summary_html=_version_summary_html(shown, locale), findings=shown_findings,
        acknowledged=[f for f in findings if f.acknowledgement], tri=tri, compare=compare,
        thread=messages, history=history, returns=all_returns, referrals=refs,
        today=utcnow().date(), attachments=files, handoff=handoff,
        retry_form=EmptyForm() if any(p.can_retry for p in handoff) else None,
        allowed=allowed, opened=opened or (allowed[0] if allowed else None),
        action_labels=ACTION_LABELS, forms=forms, form_key=form_key,
        district_label=referrals.district_label)
    db().commit()
    return html, status


@bp.route("/<public_id>")
@roles(Role.TRIAGE)
def package_view(public_id: str) -> tuple[str, int]:
    return _render_package(_load(public_id))


@bp.route("/<public_id>/attachments/<attachment_id>")
@roles(Role.TRIAGE)
def attachment(public_id: str, attachment_id: str) -> FlaskResponse:
    """An attachment of any version, as a download (never inline), audit-logged."""
    req = _load(public_id, audit=False)
    try:
        item = attachment_service.get_attachment(db(), req, attachment_id, include_removed=True)
        data = attachment_service.open_attachment(db(), settings(), require_user(), req,
                                                  attachment_id, ip=client_ip(),
                                                  include_removed=True)
    except attachment_service.AttachmentNotFound:
        abort(404)
    db().commit()
    response = FlaskResponse(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(item.filename)
    return response


@bp.route("/<public_id>/messages", methods=["POST"])
@roles(Role.TRIAGE)
def reply(public_id: str) -> Response | tuple[str, int]:
    req = _load(public_id, audit=False)
    form = _new_form("reply", posted=True)
    if form.validate_on_submit():
        try:
            thread.post_message(db(), settings(), require_user(), req, form.body.data,
                                ip=client_ip())
        except thread.MessageRefused:
            form.body.errors.append(_("This message cannot be sent."))
        else:
            db().commit()
            send_queued_mail()
            flash(_("Your message was sent to the requesting authority."), "success")
            return redirect(url_for("triage.package_view", public_id=public_id) + "#messages",
                            code=303)
    return _render_package(req, overrides={"reply": form}, status=400)


@bp.route("/<public_id>/action/<name>", methods=["POST"])
@roles(Role.TRIAGE)
def act(public_id: str, name: str) -> Response | tuple[str, int]:
    try:
        action = Action(name)
    except ValueError:
        abort(404)
    req = _load(public_id, audit=False)
    user = require_user()
    key = form_key(action)
    forms = _forms_for_post(req, key)
    form = forms[key]
    if not form.validate_on_submit():
        try:  # errors are shown at the action's form, which is there if the action is
            operations.next_status(action, req.status, manager=user.is_manager)
        except operations.IllegalTransition as exc:
            flash(refusal_message(exc), "error")
            return redirect(url_for("triage.package_view", public_id=public_id), code=303)
        return _render_package(req, overrides={key: form}, status=400)
    try:
        _perform(action, req, user, form)
    except operations.IllegalTransition as exc:
        db().rollback()
        flash(refusal_message(exc), "error")
        return redirect(url_for("triage.package_view", public_id=public_id), code=303)
    except operations.Conflict:
        db().rollback()
        flash(_("Someone else changed this request meanwhile. Here is its current state."),
              "error")
        return redirect(url_for("triage.package_view", public_id=public_id), code=303)
    except operations.Invalid:
        db().rollback()
        flash(_("The action could not be done with these answers. Check them and try again."),
              "error")
        return redirect(url_for("triage.package_view", public_id=public_id), code=303)
    db().commit()
    send_queued_mail()
    flash(_("Done: %(action)s.", action=ACTION_LABELS[action]), "success")
    return redirect(url_for("triage.package_view", public_id=public_id), code=303)


def _forms_for_post(req: MlaRequest, key: str) -> dict[str, Any]:
    """The submitted form with its choices (the choices are validated)."""
    latest = list(req.versions)[-1] if req.versions else None
    if latest is None:
        abort(404)
    entry = db().get(TriageEntry, req.id)
    locale = current_locale_code()
    findings = package.version_findings(latest, locale)
    tri = package.triage_findings(db(), req, settings(), locale)
    built = _forms(req, latest, entry.country if entry else "", findings, tri,
                   {key: _new_form(key, posted=True)}, only={key})
    if key == "assign":
        # any active attorney may be chosen, not only the suggested ones
        built["assign"].assignee.choices = caseload.attorney_options(db())
    return built


def _perform(action: Action, req: MlaRequest, user: User, form: Any) -> None:
    s, ip = settings(), client_ip()
    session = db()
    if action is Action.ASSIGN:
        assignee = session.scalar(select(User).where(User.public_id == form.assignee.data))
        if assignee is None:
            raise operations.Invalid("no such attorney")
        operations.assign(session, s, user, req, assignee, note=form.note.data or "", ip=ip)
    elif action is Action.RETURN:
        operations.return_for_deficiency(session, s, user, req, list(form.findings.data or []),
                                         form.notes.data or "", ip=ip)
    elif action is Action.REFER:
        operations.refer(session, s, user, req, form.district.data, form.due.data,
                         note=form.note.data or "", ip=ip)
    elif action is Action.DECLINE:
        operations.decline(session, s, user, req, form.reason.data, form.text.data or "", ip=ip)
    elif action is Action.REOPEN:
        operations.reopen(session, s, user, req, form.note.data, ip=ip)
    elif action in (Action.ACCEPT, Action.COMPLETE):
        done = operations.accept if action is Action.ACCEPT else operations.complete
        done(session, s, user, req, note=form.note.data or "", message=form.message.data or "",
             ip=ip)
    else:  # OIA's internal actions: an internal note only
        internal = {Action.OPEN: operations.open_request,
                    Action.EXECUTE: operations.start_execution}[action]
        internal(session, s, user, req, note=form.note.data or "", ip=ip)


# -------------------------------------------------------------------------------- portfolios

@bp.route("/portfolios", methods=["GET", "POST"])
@roles(Role.TRIAGE)
def portfolios() -> Response | tuple[str, int]:
    user = require_user()
    if request.method == "POST" and not user.is_manager:
        abort(403)  # attorneys see the portfolios; managers edit them
    status = 200
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = PortfolioForm()
        target = db().scalar(select(User).where(User.public_id == request.form.get("user", ""),
                                                User.role == Role.TRIAGE.value))
        if target is None:
            abort(404)
        codes = [c.strip().upper() for c in (form.countries.data or "").split(",") if c.strip()]
        known = set(load_reference().countries) | {caseload.ANY_COUNTRY}
        bad = [c for c in codes if c not in known]
        if form.validate_on_submit() and not bad:
            caseload.set_portfolio(db(), user, target, codes, ip=client_ip())
            db().commit()
            flash(_("The portfolio of %(name)s was saved.", name=target.name), "success")
            return redirect(url_for("triage.portfolios"), code=303)
        errors[target.public_id] = (_("Unknown country codes: %(codes)s", codes=", ".join(bad))
                                    if bad else _("The form has expired. Send it again."))
        status = 400
    rows = caseload.loads(db())
    return render_template("triage/portfolios.html", rows=rows, errors=errors,
                           form=PortfolioForm(formdata=None), can_edit=user.is_manager), status


# --------------------------------------------------------------------------------- dashboard

def _period() -> tuple[date, date, list[str]]:
    today = utcnow().date()
    problems: list[str] = []
    try:
        end = date.fromisoformat(request.args.get("to", "")) if request.args.get("to") else today
    except ValueError:
        end, problems = today, [_("The end date is not a valid date.")]
    try:
        start = (date.fromisoformat(request.args["from"]) if request.args.get("from")
                 else end - timedelta(weeks=26))
    except ValueError:
        start = end - timedelta(weeks=26)
        problems.append(_("The start date is not a valid date."))
    if start > end:
        start, end = end, start
    if (end - start).days > 366 * 5:
        start = end - timedelta(days=366 * 5)
        problems.append(_("The period was shortened to five years."))
    return start, end, problems


@bp.route("/dashboard")
@roles(Role.TRIAGE)
def dashboard_page() -> str:
    start, end, problems = _period()
    figures = dashboard.compute(db(), start, end, today=utcnow().date())
    _audit("triage.dashboard_viewed", start=start.isoformat(), end=end.isoformat())
    db().commit()
    return render_template("triage/dashboard.html", figures=figures, start=start, end=end,
                           problems=problems, charts=dashboard.charts(figures),
                           tables=dashboard.tables(figures))


@bp.route("/dashboard/<table>.csv")
@roles(Role.TRIAGE)
def dashboard_csv(table: str) -> FlaskResponse:
    if table not in dashboard.TABLES:
        abort(404)
    start, end, _problems = _period()
    figures = dashboard.compute(db(), start, end, today=utcnow().date())
    _audit("triage.dashboard_exported", table=table, start=start.isoformat(),
           end=end.isoformat())
    db().commit()
    return _csv(dashboard.table_csv(figures, table),
                f"triage-{table}-{start.isoformat()}-{end.isoformat()}.csv")
