"""OIA asks the requesting authority for documents (portal.asks) from the package page."""

from __future__ import annotations

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.asks import service as asks
from portal.translation import gettext as _
from portal.web.access import require_user, roles
from portal.web.context import client_ip, db, settings
from portal.web.triage.access import load_request
from portal.web.triage.forms import new_form
from portal.web.triage.package_views import render_package


@roles(Role.TRIAGE)
def ask(public_id: str) -> Response | tuple[str, int]:
    req = load_request(public_id, audit=False)
    form = new_form("ask", posted=True)
    if form.validate_on_submit():
        try:
            asks.ask_for_documents(db(), settings(), require_user(), req, form.body.data,
                                   list(form.kinds.data or []), ip=client_ip())
        except asks.AskRefused as refused:
            form.body.errors.append(_(
                "OIA's earlier ask for documents is still open: wait for the answer, or "
                "write a message.") if refused.code == "open" else _(
                "Documents cannot be asked for in this state of the request."))
        else:
            flash(_("Your ask for documents was sent to the requesting authority."), "success")
            return redirect(url_for("triage.package_view", public_id=public_id) + "#documents",
                            code=303)
    return render_package(req, overrides={"ask": form}, status=400)
