"""The requests of the token's authority, followed by machine: the list of "My requests" in
keyset pages, one request with its timeline, versions and open ask for documents, and the
receipt of its latest version. Another authority's request is 404, as on the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, jsonify, request, url_for
from sqlalchemy import select

from portal.accounts.models import Role
from portal.asks import service as asks
from portal.packages.models import Package
from portal.packages.receipt import NotSubmitted, receipt_pdf
from portal.requests import drafts, listing, versions
from portal.requests.models import MlaRequest, RequestMessage, Status
from portal.requests.summary import event_label
from portal.web.access import require_user, roles
from portal.web.api import params
from portal.web.api.problems import ApiProblem
from portal.web.api.registry import Answer, operation
from portal.web.context import client_ip, db
from portal.web.i18n import current_locale_code

PROBLEM_JSON = "application/problem+json"
NOT_FOUND = {404: Answer("No such request, or it belongs to another authority.", "Problem",
                         PROBLEM_JSON)}
BAD_PARAMETER = {400: Answer("A parameter is not valid (parameter names it).", "Problem",
                             PROBLEM_JSON)}
#: From a request (a list's first row, or the one read) to what can be read of it.
_SAME = "$request.path.reference"
FOLLOW = {
    "ListMessages": {"operationId": "listMessages", "parameters": {"reference": _SAME},
                     "description": "Its messages."},
    "PostMessage": {"operationId": "postMessage", "parameters": {"reference": _SAME},
                    "description": "Write to OIA about it."},
    "GetReceipt": {"operationId": "getReceipt", "parameters": {"reference": _SAME},
                   "description": "Its receipt (once submitted)."},
}
LIST_LINKS = {"GetRequest": {"operationId": "getRequest",
                             "parameters": {"reference": "$response.body#/items/0/id"},
                             "description": "The first request of the page."}}


def iso(moment: date | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def key_of(req: MlaRequest) -> str:
    """What the API's addresses name a request by: its reference, else (a draft) its id."""
    return req.reference or req.public_id


def load(reference: str, *, audit: bool = True) -> MlaRequest:
    """The request of the token's authority (its view audited), else a 404 problem."""
    try:
        return drafts.get_by_reference(db(), require_user(), reference[:64], ip=client_ip(),
                                       audit_view=audit)
    except drafts.NotFound:
        raise ApiProblem("not-found") from None


def _links(req: MlaRequest) -> dict[str, str | None]:
    key = key_of(req)
    return {"self": url_for("api.getRequest", reference=key),
            "messages": url_for("api.listMessages", reference=key),
            "receipt": url_for("api.getReceipt", reference=key) if req.reference else None}


def summary(req: MlaRequest) -> dict[str, Any]:
    content = drafts.content_of(req)
    return {"id": req.public_id, "reference": req.reference, "status": req.status,
            "case_references": list(content.requesting_authority.case_references),
            "created_at": iso(req.created_at), "submitted_at": iso(req.submitted_at),
            "updated_at": iso(req.updated_at), "links": _links(req)}


def _digests(req: MlaRequest) -> dict[int, str]:
    """The tag manifest's SHA-256 of each version's package that has one, by version id."""
    rows = db().execute(select(Package.version_id, Package.tagmanifest_sha256)
                        .where(Package.request_id == req.id, Package.training.is_(False)))
    return {version_id: f"sha256:{digest}" for version_id, digest in rows if digest}


def _open_asks(req: MlaRequest) -> list[dict[str, Any]]:
    """OIA's open ask for documents, as the request page shows it to the requester."""
    ask = asks.open_ask(db(), req) if req.status in asks.ASKABLE and not req.training \
        else None
    if ask is None:
        return []
    message = db().get(RequestMessage, ask.message_id)
    return [{"asked_at": iso(ask.asked_at), "kinds": ask.kinds,
             "message": message.body if message is not None else ""}]


def detail(req: MlaRequest) -> dict[str, Any]:
    digests = _digests(req)
    return {
        **summary(req),
        "timeline": [{"kind": e.kind, "label": str(event_label(e.kind)), "at": iso(e.at),
                      "from_status": e.from_status, "to_status": e.to_status, "note": e.note}
                     for e in drafts.events_of(db(), req)],
        "versions": [{"number": v.number, "minor": v.minor, "label": v.label,
                      "submitted_at": iso(v.submitted_at),
                      "package_digest": digests.get(v.id)} for v in req.versions],
        "open_asks": _open_asks(req),
    }


@operation("GET", "/requests", "listRequests", summary="Your authority's requests",
           description="The requests of your authority (drafts included), the latest changed "
                       "first, in pages: follow next until it is null. Poll with "
                       "updated_since to get only what changed.",
           query=("status", "updated_since", "cursor", "limit"), tags=("requests",),
           answers={200: Answer("A page of requests.", "RequestPage", headers=("Link",),
                                links=LIST_LINKS),
                    **BAD_PARAMETER})
@roles(Role.SUBMITTER)
def list_requests() -> Response:
    status = params.choice("status", (s.value for s in Status))
    since = params.timestamp("updated_since")
    after = params.cursor(listing.decode_cursor)
    size = params.limit()
    page = listing.list_page(db(), require_user(), status=status, after=after, size=size,
                             updated_since=since)
    return params.page_response(
        {"items": [summary(r) for r in page.rows]}, page.next_cursor, "api.listRequests",
        status=status, updated_since=request.args.get("updated_since"),
        limit=request.args.get("limit"))


@operation("GET", "/requests/<reference>", "getRequest", summary="A request",
           description="The request (named by its reference, or by its id before it has one): "
                       "its status, history, submitted versions, OIA's open ask for "
                       "documents, and where to read its messages and receipt.",
           tags=("requests",),
           answers={200: Answer("The request.", "RequestDetail", links=FOLLOW), **NOT_FOUND})
@roles(Role.SUBMITTER)
def get_request(reference: str) -> Response:
    return jsonify(detail(load(reference)))


@operation("GET", "/requests/<reference>/receipt.pdf", "getReceipt",
           summary="A request's receipt",
           description="The receipt of the latest submitted version (PDF, in the language of "
                       "Accept-Language), as the request's page gives it; 404 before "
                       "submission.",
           tags=("requests",),
           answers={200: Answer("The receipt.", "File", "application/pdf"), **NOT_FOUND})
@roles(Role.SUBMITTER)
def get_receipt(reference: str) -> Response:
    req = load(reference, audit=False)
    try:
        body = receipt_pdf(db(), req, current_locale_code())
    except NotSubmitted:
        raise ApiProblem("not-found") from None
    drafts.record_export(db(), require_user(), req, ip=client_ip(), what="receipt")
    name = f"{req.reference}-receipt-v{versions.latest_number(db(), req)}.pdf"
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
