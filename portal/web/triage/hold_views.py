"""An OIA manager sets or lifts the legal hold of a request from its package page (with a
reason; audited by portal.retention.hold). Other staff are refused (403)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.retention import hold
from portal.translation import gettext as _
from portal.web.access import require_user, roles
from portal.web.context import client_ip, db
from portal.web.triage.access import load_request
from portal.web.triage.forms import new_form
from portal.web.triage.package_views import render_package


def _change(public_id: str, key: str) -> Response | tuple[str, int]:
    user = require_user()
    if not hold.may_hold(user):
        abort(403)
    req = load_request(public_id, audit=False)
    form = new_form(key, posted=True)
    if not form.validate_on_submit():
        return render_package(req, overrides={key: form}, status=400)
    reason = form.reason.data or ""
    try:
        if key == "hold":
            hold.set_hold(db(), req, user, reason, ip=client_ip())
            flash(_("The request is under a legal hold: nothing will purge it until the hold "
                    "is lifted."), "success")
        else:
            hold.lift_hold(db(), req, user, reason, ip=client_ip())
            flash(_("The legal hold is lifted: the retention schedule applies again."),
                  "success")
    except hold.HoldRefused:  # a second tab, or another manager, was first
        flash(_("The legal hold was already changed: see its state below."), "error")
    return redirect(url_for("triage.package_view", public_id=public_id) + "#hold", code=303)


@roles(Role.TRIAGE)
def set_hold(public_id: str) -> Response | tuple[str, int]:
    return _change(public_id, "hold")


@roles(Role.TRIAGE)
def lift_hold(public_id: str) -> Response | tuple[str, int]:
    return _change(public_id, "lift_hold")
