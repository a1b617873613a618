"""The attorneys' country portfolios and caseloads (managers edit them)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.reference import current_reference
from portal.translation import gettext as _
from portal.triage import caseload
from portal.web.access import require_user, roles
from portal.web.context import client_ip, db
from portal.web.triage.forms import PortfolioForm


@roles(Role.TRIAGE)
def portfolios() -> Response | tuple[str, int]:
    user = require_user()
    if request.method == "POST" and not user.is_manager:
        abort(403)  # attorneys see the portfolios; managers edit them
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = PortfolioForm()
        target = caseload.attorney(db(), request.form.get("user", ""))
        if target is None:
            abort(404)
        codes, unknown = caseload.parse_countries(form.countries.data or "",
                                                  current_reference().countries)
        if form.validate_on_submit() and not unknown:
            caseload.set_portfolio(db(), user, target, codes, ip=client_ip())
            flash(_("The portfolio of %(name)s was saved.", name=target.name), "success")
            return redirect(url_for("triage.portfolios"), code=303)
        errors[target.public_id] = (
            _("Unknown country codes: %(codes)s", codes=", ".join(unknown)) if unknown
            else _("The form has expired. Send it again."))
        status = 400
    return render_template("triage/portfolios.html", rows=caseload.loads(db()), errors=errors,
                           form=PortfolioForm(formdata=None), can_edit=user.is_manager), status
