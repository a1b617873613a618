"""OIA staff's notifications: the list (marked read one by one or all), and the preferences
form of the account page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.notify import inbox
from portal.notify.preferences import KINDS, preferences_of, save_preferences
from portal.translation import gettext as _
from portal.web.access import require_user, roles
from portal.web.context import client_ip, db
from portal.web.forms import PortalForm
from portal.web.triage.forms import NotificationPreferencesForm


@roles(Role.TRIAGE)
def notifications_page() -> str:
    user = require_user()
    return render_template("triage/notifications.html", rows=inbox.recent(db(), user.id),
                           labels=KINDS, form=PortalForm())


@roles(Role.TRIAGE)
def mark_read() -> Response:
    user = require_user()  # (the form token is checked by CSRFProtect, as on every POST)
    if request.form.get("all"):
        inbox.mark_read(db(), user.id)
    else:
        try:
            ids = [int(value) for value in request.form.getlist("id")]
        except ValueError:
            abort(400)
        inbox.mark_read(db(), user.id, ids)  # (only the user's own rows match)
    flash(_("Marked as read."), "success")
    return redirect(url_for("triage.notifications"), code=303)


def preferences_form() -> NotificationPreferencesForm:
    """The form, filled with the user's preferences (for the account page)."""
    return NotificationPreferencesForm.of(preferences_of(db(), require_user().id),
                                          formdata=None)


@roles(Role.TRIAGE)
def preferences() -> Response:
    user = require_user()
    form = NotificationPreferencesForm()
    if form.validate_on_submit():
        save_preferences(db(), user, form.chosen(), ip=client_ip())
        flash(_("Your notification preferences were saved."), "success")
        return redirect(url_for("accounts.account") + "#notifications", code=303)
    flash(_("Your notification preferences were not saved: the form has expired or a choice "
            "is not valid. Send it again."), "error")
    return redirect(url_for("accounts.account") + "#notifications", code=303)
