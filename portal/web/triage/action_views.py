"""What OIA staff post on the package page: an action through its form, and a message to the
requesting authority. The request's transaction is committed by portal.web.context."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.requests import thread
from portal.requests.models import MlaRequest
from portal.translation import gettext as _
from portal.triage import actions, caseload, intake, operations, package
from portal.triage.operations import Action
from portal.web.access import require_user, roles
from portal.web.context import client_ip, db, fail_transaction, settings
from portal.web.i18n import current_locale_code
from portal.web.triage.access import load_request
from portal.web.triage.forms import TriageForm, form_key, new_form
from portal.web.triage.labels import ACTION_LABELS, decline_choices, refusal_message
from portal.web.triage.package_views import choose_district, choose_findings, render_package


def _to_package(public_id: str, anchor: str = "") -> Response:
    return redirect(url_for("triage.package_view", public_id=public_id) + anchor, code=303)


@roles(Role.TRIAGE)
def reply(public_id: str) -> Response | tuple[str, int]:
    req = load_request(public_id, audit=False)
    form = new_form("reply", posted=True)
    if form.validate_on_submit():
        try:
            thread.post_message(db(), settings(), require_user(), req, form.body.data,
                                ip=client_ip())
        except thread.MessageRefused:
            form.body.errors.append(_("This message cannot be sent."))
        else:
            flash(_("Your message was sent to the requesting authority."), "success")
            return _to_package(public_id, "#messages")
    return render_package(req, overrides={"reply": form}, status=400)


def _posted_form(req: MlaRequest, key: str) -> TriageForm:
    """The posted form of ``key`` with the choices it is validated against."""
    form = new_form(key, posted=True)
    if key == "assign":  # any active attorney, not only the suggested ones
        form.assignee.choices = caseload.attorney_options(db())
    elif key == "return":
        latest = intake.latest_version(db(), req)
        if latest is None:
            abort(404)
        locale = current_locale_code()
        choose_findings(form, package.version_findings(latest, locale),
                        package.triage_findings(db(), req, settings(), locale))
    elif key == "refer":
        choose_district(form)
    elif key == "decline":
        form.reason.choices = decline_choices()
    return form


@roles(Role.TRIAGE)
def act(public_id: str, name: str) -> Response | tuple[str, int]:
    try:
        action = Action(name)
    except ValueError:
        abort(404)
    req = load_request(public_id, audit=False)
    user = require_user()
    key = form_key(action)
    form = _posted_form(req, key)
    if not form.validate_on_submit():
        try:  # the errors are shown at the action's form, which is there if the action is
            operations.next_status(action, req.status, manager=user.is_manager)
        except operations.IllegalTransition as exc:
            flash(refusal_message(exc), "error")
            return _to_package(public_id)
        return render_package(req, overrides={key: form}, status=400)
    try:
        actions.perform(db(), settings(), user, req, action, form.answers(), ip=client_ip())
    except operations.TriageError as exc:
        fail_transaction()
        flash(_refused(exc), "error")
        return _to_package(public_id)
    flash(_("Done: %(action)s.", action=ACTION_LABELS[action]), "success")
    return _to_package(public_id)


def _refused(exc: operations.TriageError) -> str:
    if isinstance(exc, operations.IllegalTransition):
        return refusal_message(exc)
    if isinstance(exc, operations.Conflict):
        return str(_("Someone else changed this request meanwhile. Here is its current state."))
    return str(_("The action could not be done with these answers. Check them and try again."))
