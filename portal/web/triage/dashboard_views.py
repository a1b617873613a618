"""The triage dashboard over a period, and each of its tables as CSV."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, render_template, request

from portal.accounts.models import Role
from portal.db import utcnow
from portal.translation import gettext as _
from portal.triage import dashboard
from portal.web.access import roles
from portal.web.context import db
from portal.web.query_args import iso_date
from portal.web.triage.access import audit
from portal.web.triage.dashboard_tables import charts, table_csv, tables
from portal.web.triage.downloads import csv_download

#: The longest period shown.
MAX_DAYS = 366 * 5


def _period() -> tuple[date, date, list[str]]:
    """The period asked for (the last 26 weeks by default), and what was wrong with it."""
    today = utcnow().date()
    problems: list[str] = []
    try:
        end = iso_date(request.args.get("to", "")) if request.args.get("to") else today
    except ValueError:
        end, problems = today, [_("The end date is not a valid date.")]
    try:
        start = (iso_date(request.args["from"]) if request.args.get("from")
                 else end - timedelta(weeks=26))
    except ValueError:
        start = end - timedelta(weeks=26)
        problems.append(_("The start date is not a valid date."))
    if start > end:
        start, end = end, start
    if (end - start).days > MAX_DAYS:
        start = end - timedelta(days=MAX_DAYS)
        problems.append(_("The period was shortened to five years."))
    return start, end, problems


@roles(Role.TRIAGE)
def dashboard_page() -> str:
    start, end, problems = _period()
    figures = dashboard.compute(db(), start, end, today=utcnow().date())
    audit("triage.dashboard_viewed", start=start.isoformat(), end=end.isoformat())
    return render_template("triage/dashboard.html", figures=figures, start=start, end=end,
                           problems=problems, charts=charts(figures),
                           tables=tables(figures))


@roles(Role.TRIAGE)
def dashboard_csv(table: str) -> Response:
    if table not in dashboard.TABLES:
        abort(404)
    start, end, _problems = _period()
    figures = dashboard.compute(db(), start, end, today=utcnow().date())
    audit("triage.dashboard_exported", table=table, start=start.isoformat(),
          end=end.isoformat())
    return csv_download(table_csv(figures, table),
                        f"triage-{table}-{start.isoformat()}-{end.isoformat()}.csv")
