"""``/accessibility`` and ``/privacy``: public pages (no sign-in), in the reader's language,
with the contacts and retention periods of the running settings."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template

from portal.training.statistics import THRESHOLD
from portal.web.access import public
from portal.web.accounts.devices import cookie_name as device_cookie_name
from portal.web.context import settings
from portal.web.notices import periods

bp = Blueprint("notices", __name__)

#: When the texts of both pages were last written against the code: change it with them.
STATEMENT_DATE = date(2026, 12, 7)


@bp.route("/accessibility")
@public
def accessibility() -> str:
    current = settings()
    return render_template("notices/accessibility.html", date=STATEMENT_DATE,
                           contact=current.notices.accessibility_contact,
                           idle=periods.duration_minutes(current.session_idle_minutes))


@bp.route("/privacy")
@public
def privacy() -> str:
    current = settings()
    return render_template(
        "notices/privacy.html", date=STATEMENT_DATE, notices=current.notices,
        requests_kept=periods.requests_kept(current), records_kept=periods.records_kept(current),
        legal_hold=True, threshold=THRESHOLD,
        session_cookie=current_app.config["SESSION_COOKIE_NAME"],
        device_cookie=device_cookie_name(), device_days=periods.device_cookie_period())
