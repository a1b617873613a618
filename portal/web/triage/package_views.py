"""The package view of a request (everything OIA needs to triage it, with the forms of the
actions possible now) and the download of its attachments."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request

from portal.accounts.models import Role
from portal.asks import service as asks
from portal.attachments import service as attachment_service
from portal.db import utcnow
from portal.db_reads import read_together
from portal.packages.status import handoff_read
from portal.requests import thread
from portal.requests.choices import display_names
from portal.requests.labels import choice_label
from portal.requests.models import MlaRequest, version_label
from portal.requests.path_labels import path_label, value_label
from portal.requests.summary import summarize
from portal.retention import hold
from portal.translation import gettext as _
from portal.triage import (
    caseload,
    duplicates,
    intake,
    operations,
    package,
    referrals,
    returns,
    targets,
)
from portal.triage.target_clock import office_today
from portal.triage.versions import FrozenVersion, content_of_version
from portal.web.access import require_user, roles
from portal.web.accounts.forms import EmptyForm
from portal.web.context import client_ip, db, settings
from portal.web.downloads import content_disposition
from portal.web.i18n import current_locale_code
from portal.web.triage.access import load_request
from portal.web.triage.forms import NOTE_ACTIONS, TriageForm, form_key, new_form
from portal.web.triage.labels import ACTION_LABELS, decline_choices, standing_text, target_label


def choose_findings(form: TriageForm, findings: list[package.ShownFinding],
                    tri: package.TriageFindings) -> None:
    """The return form's choices: the latest version's findings and the triage findings."""
    shown = [*findings, *(f for f in (tri.duplicate_finding, tri.unchanged_finding) if f)]
    form.findings.choices = [(f.key, f"{f.title} ({f.code})") for f in shown]


def choose_district(form: TriageForm) -> None:
    form.district.choices = [("", _("Choose a district")), *referrals.district_choices()]


def action_forms(keys: set[str], overrides: dict[str, TriageForm], *, latest: FrozenVersion,
                 country: str, findings: list[package.ShownFinding],
                 tri: package.TriageFindings, loads: list[caseload.Load]) -> dict[str, Any]:
    """The forms of the page by key (those of ``keys`` and ``overrides``: a posted form that
    failed, shown again with its answers and errors), the assignment suggestion for the
    request's ``country`` and the districts proposed from the latest version."""
    wanted = keys | set(overrides)
    forms: dict[str, TriageForm] = {key: overrides.get(key) or new_form(key)
                                    for key in ["assign", "return", "refer", "decline", "reopen",
                                                *(form_key(a) for a in NOTE_ACTIONS), "reply",
                                                "hold", "lift_hold", "ask"]
                                    if key in wanted}
    suggestion = None
    proposed: list[str] = []
    if "assign" in forms:
        suggestion = caseload.suggestion_for(loads, country)
        assign = forms["assign"]
        assign.assignee.choices = [
            (load.user.public_id, _("%(name)s — %(count)d open, weighted load %(load)s",
                                    name=load.user.name, count=load.count,
                                    load=f"{load.weight:g}"))
            for load in suggestion.candidates]
        if "assign" not in overrides and suggestion.best is not None:
            assign.assignee.data = suggestion.best.user.public_id
    if "return" in forms:
        choose_findings(forms["return"], findings, tri)
    if "refer" in forms:
        choose_district(forms["refer"])
        proposed = referrals.proposed_districts(content_of_version(latest))
        if "refer" not in overrides:
            forms["refer"].district.data = proposed[0] if proposed else ""
            forms["refer"].due.data = referrals.default_due(settings(), utcnow().date())
    if "decline" in forms:
        forms["decline"].reason.choices = decline_choices()
    return {**forms, "all": list(forms.values()), "suggestion": suggestion,
            "proposed_districts": proposed}


def _compared(versions: list[Any], files: list[Any]) -> dict[str, Any]:
    """The two versions compared (``?a=&b=``, labels such as ``2`` or ``1.1``; by default the
    last two), their changes and the documents ``b`` adds (with the file of each)."""
    if len(versions) < 2:
        return {}
    va = package.version_numbered(versions, request.args.get("a") or _label(versions[-2]))
    vb = package.version_numbered(versions, request.args.get("b") or _label(versions[-1]))
    return {"a": _label(va), "b": _label(vb), "changes": package.version_diff(va, vb),
            "added": package.documents_added(va, vb, files)}


def _label(version: Any) -> str:
    return version_label(version.number, version.minor)


def render_package(req: MlaRequest, *, overrides: dict[str, TriageForm] | None = None,
                   status: int = 200) -> tuple[str, int]:
    """The package page; ``overrides``: a posted form that failed, shown with its errors."""
    overrides = overrides or {}
    user = require_user()
    locale = current_locale_code()
    allowed = operations.allowed_actions(req.status, manager=user.is_manager)
    keys = {form_key(a) for a in allowed} | (
        set() if req.status_enum in thread.CLOSED else {"reply"}) | (
        {"lift_hold" if req.held else "hold"} if hold.may_hold(user) else set())
    with_loads = "assign" in keys | set(overrides)
    reads = [package.entry_read(req.id), package.versions_read(req.id),
             package.authority_read(req.authority_id), duplicates.find_read(req.id, settings()),
             package.referrals_read(req.id), package.attachments_read(req.id),
             thread.messages_read(req.id), package.history_read(req.id),
             returns.all_returns_read(req.id, locale), handoff_read(req.id),
             package.open_ask_read(req.id), *([caseload.loads_read()] if with_loads else [])]
    values = read_together(db(), *reads)
    if values[0] is None or values[0].status != req.status:  # an entry that lags behind
        intake.sync_status(db(), req, settings=settings())
        values = read_together(db(), *reads)
    (entry, versions, authority, found, refs, files, messages, history, all_returns, handoff,
     open_ask, *loads) = values
    if open_ask is None and req.status in asks.ASKABLE and not req.training:
        keys.add("ask")
    shown = package.version_numbered(versions, request.args.get("v"))
    if shown is None:
        abort(404)
    latest = versions[-1]
    findings = package.version_findings(latest, locale)
    shown_findings = findings if shown is latest else package.version_findings(shown, locale)
    tri = package.triage_findings_of(db(), req, found, locale,
                                     unchanged=entry.resubmit_unchanged if entry else None,
                                     latest=latest)
    forms = action_forms(keys, overrides, latest=latest, country=entry.country if entry else "",
                         findings=findings, tri=tri, loads=loads[0] if loads else [])
    opened = next((a for a in allowed if forms[form_key(a)].errors), None)
    content = content_of_version(shown)
    html = render_template(
        "triage/package.html", req=req, entry=entry, authority=authority, versions=versions,
        shown=shown, summary=summarize(content, display_names(content, locale)),
        findings=shown_findings, acknowledged=[f for f in findings if f.acknowledgement],
        tri=tri, compare=_compared(versions, files), thread=messages, history=history,
        returns=all_returns, referrals=refs, today=utcnow().date(), attachments=files,
        targets=targets.views(entry, office_today()) if entry else [],
        target_label=target_label, standing_text=standing_text,
        handoff=handoff, retry_form=EmptyForm() if any(p.can_retry for p in handoff) else None,
        allowed=allowed, opened=opened or (allowed[0] if allowed else None),
        action_labels=ACTION_LABELS, forms=forms, form_key=form_key,
        district_label=referrals.district_label, choice_label=choice_label,
        path_label=path_label, value_label=value_label,
        held_by=hold.holder_name(db(), req), open_ask=open_ask)
    return html, status


@roles(Role.TRIAGE)
def package_view(public_id: str) -> tuple[str, int]:
    return render_package(load_request(public_id))


@roles(Role.TRIAGE)
def attachment(public_id: str, attachment_id: str) -> Response:
    """An attachment of any version, as a download (never inline), audit-logged."""
    req = load_request(public_id, audit=False)
    try:
        item = attachment_service.get_attachment(db(), req, attachment_id, include_removed=True)
        if asks.unsent_file(db(), item):  # part of no version until the requester sends it
            raise attachment_service.AttachmentNotFound(attachment_id)
        data = attachment_service.open_attachment(db(), settings(), require_user(), req,
                                                  attachment_id, ip=client_ip(),
                                                  include_removed=True)
    except attachment_service.AttachmentNotFound:
        abort(404)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(item.filename)
    return response
