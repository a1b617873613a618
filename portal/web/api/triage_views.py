"""OIA's side of the API (triage tokens): the triage queue's rows in keyset pages, with the
page's cheap filters, and a request's package (the bag as a zip), with the same access check
and audit record as the package page's download."""

from __future__ import annotations

from typing import Any

from flask import Response, request, send_file, url_for

from portal.accounts.models import Role
from portal.packages.status import latest_package
from portal.requests.models import Status
from portal.translation import gettext as _
from portal.triage import queue
from portal.web.access import require_user, roles
from portal.web.api import params
from portal.web.api.problems import ApiProblem, response_of
from portal.web.api.registry import Answer, operation
from portal.web.api.request_views import BAD_PARAMETER, PROBLEM_JSON, iso, load
from portal.web.context import db
from portal.web.packages.views import bag_on_disk, record_download, zipped
from portal.web.triage.access import audit

QUEUE_STATUSES = tuple(s.value for s in Status if s is not Status.DRAFT)


def _row(row: queue.Row) -> dict[str, Any]:
    """A queue row, with the CSV export's columns."""
    standing = row.target_standing
    return {
        "id": row.public_id, "reference": row.reference, "country": row.country,
        "status": row.status, "types": list(row.types),
        "urgency_date": iso(row.urgency_date), "submitted_at": iso(row.submitted_at),
        "age_days": row.age_days, "assignee": row.assignee, "blockers": row.blockers,
        "warnings": row.warnings, "acknowledged_warnings": row.acknowledged,
        "duplicate": row.duplicate, "resubmitted_unchanged": row.resubmit_unchanged,
        "referral_district": row.referral_district, "referral_due": iso(row.referral_due),
        "referral_overdue": row.overdue, "handoff": row.handoff, "held": row.held,
        "service_target": {"kind": row.target, "due": iso(row.target_due),
                           "overdue": bool(standing and standing.overdue)}
        if row.target else None,
        "links": {"package": url_for("api.getPackage", reference=row.reference)},
    }


@operation("GET", "/queue", "listQueue", summary="The triage queue",
           description="OIA's open requests (or those in status), the most urgent then the "
                       "oldest first, as the queue page shows them, in pages: follow next "
                       "until it is null.",
           query=("queue_status", "country", "assignee", "cursor", "limit"), tags=("triage",),
           answers={200: Answer("A page of the queue.", "QueuePage", headers=("Link",)),
                    **BAD_PARAMETER})
@roles(Role.TRIAGE)
def list_queue() -> Response:
    user = require_user()
    status = params.choice("status", QUEUE_STATUSES)
    country = params.text("country", 2)
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise params.invalid("country", _("country must be a country's two-letter code "
                                          "(ISO 3166-1), such as ES."))
    assignee = params.choice("assignee", ("me", "none"))
    filters = queue.Filters(status=status, country=country.upper(),
                            assignee=user.public_id if assignee == "me" else assignee)
    after = params.cursor(queue.decode_cursor)
    page = queue.page(db(), user, filters, after=after, size=params.limit())
    audit("triage.queue_viewed", filters={**filters.as_args(), "api": "1"},
          rows=len(page.rows))
    return params.page_response(
        {"items": [_row(r) for r in page.rows]}, page.next_cursor, "api.listQueue",
        status=status, country=country, assignee=assignee, limit=request.args.get("limit"))


@operation("GET", "/queue/<reference>/package", "getPackage",
           summary="A request's package",
           description="The package of the request's latest version (or of version and minor) "
                       "as a zip of its BagIt bag, as the package page's download. 404 when "
                       "there is none yet; 503 with Retry-After while a worker builds it.",
           query=("version", "minor"), tags=("triage",),
           answers={200: Answer("The zip of the bag.", "File", "application/zip"),
                    **BAD_PARAMETER,
                    404: Answer("No such request, or it has no package yet.", "Problem",
                                PROBLEM_JSON),
                    503: Answer("The package is being built: try again after Retry-After.",
                                "Problem", PROBLEM_JSON, headers=("Retry-After",))})
@roles(Role.TRIAGE)
def get_package(reference: str) -> Response:
    version = params.whole_number("version", 1, 999_999)
    minor = params.whole_number("minor", 0, 999_999)
    req = load(reference, audit=False)
    package = latest_package(db(), req, version,
                             minor if minor is not None or version is None else 0)
    if package is None or package.training:
        raise ApiProblem("not-found")
    bag = bag_on_disk(package)
    if bag is None:  # answered, not raised: the worker's job is committed
        return response_of(ApiProblem("being-prepared", headers={"Retry-After": "60"}))
    archive = zipped(bag)
    record_download("package.downloaded", req, package)
    return send_file(archive, mimetype="application/zip", as_attachment=True,
                     download_name=f"{package.bag_name}.zip", max_age=0)
