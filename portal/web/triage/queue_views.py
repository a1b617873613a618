"""The triage queue page and its CSV export."""

from __future__ import annotations

from flask import Response, render_template, request

from portal.accounts.models import Role
from portal.db import utcnow
from portal.db_reads import read_together
from portal.reference import current_reference
from portal.requests.choices import country_names
from portal.training.sandbox import not_sandbox
from portal.triage import caseload, queue, targets
from portal.web.access import require_user, roles
from portal.web.context import db
from portal.web.i18n import current_locale_code
from portal.web.triage.access import audit
from portal.web.triage.downloads import csv_download
from portal.web.triage.labels import status_options, target_filter_options, type_options
from portal.web.triage.queue_rows import shown_rows

#: The authorities of the filter, real ones only: one statement for every page (compiled reads
#: are kept by statement; a new one on each page would be compiled again and crowd out others).
_AUTHORITY_OPTIONS = queue.authority_options_read(not_sandbox())


def _filters() -> queue.Filters:
    args = request.args
    return queue.Filters(
        status=args.get("status", "")[:20], country=args.get("country", "")[:2],
        authority=args.get("authority", "")[:32], type=args.get("type", "")[:40],
        assignee=args.get("assignee", "")[:32], overdue=args.get("overdue") == "1",
        acknowledged=args.get("acknowledged") == "1", duplicates=args.get("duplicates") == "1",
        target=target if (target := args.get("target", "")) in targets.FILTERS else "",
        q=args.get("q", "")[:200])


def _country_options() -> list[tuple[str, str]]:
    """Every country, named in the page's language, with its code."""
    names = country_names(current_locale_code(), current_reference().version)
    return [(code, f"{name} ({code})") for code, name in names]


@roles(Role.TRIAGE)
def queue_page() -> str:
    filters = _filters()
    after = request.args.get("after") or None
    current, authority_options, attorney_options = read_together(
        db(), queue.page_read(require_user(), filters, after=after),
        _AUTHORITY_OPTIONS, caseload.attorney_options_read())
    audit("triage.queue_viewed", filters=filters.as_args(), rows=len(current.rows))
    return render_template(
        "triage/queue.html", page=current, rows=shown_rows(current.rows, current_locale_code()),
        filters=filters, after=after,
        status_options=status_options(), country_options=_country_options(),
        authority_options=authority_options, attorney_options=attorney_options,
        type_options=type_options(), target_options=target_filter_options())


@roles(Role.TRIAGE)
def queue_export() -> Response:
    filters = _filters()
    rows = list(queue.iterate(db(), require_user(), filters))
    audit("triage.queue_exported", filters=filters.as_args(), rows=len(rows))
    return csv_download(queue.to_csv(rows), f"triage-queue-{utcnow().date().isoformat()}.csv")
