"""The JSON Schemas and query parameters of the API's submitted requests, messages and triage
queue (OpenAPI 3.1 components, beside portal.web.api.schemas)."""

from __future__ import annotations

from typing import Any

from portal.requests.models import Status

_STRING: dict[str, Any] = {"type": "string"}
_TEXT_OR_NULL: dict[str, Any] = {"type": ["string", "null"]}
_TIME: dict[str, Any] = {"type": "string", "format": "date-time"}
_TIME_OR_NULL: dict[str, Any] = {"type": ["string", "null"], "format": "date-time"}
_DAY_OR_NULL: dict[str, Any] = {"type": ["string", "null"], "format": "date"}
_STATUS: dict[str, Any] = {"type": "string", "enum": [s.value for s in Status]}
_COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
_NEXT: dict[str, Any] = {"type": ["string", "null"],
                         "description": "The address of the next page (the same filters), "
                                        "or null on the last page. Also in the Link header."}


def _object(required: list[str], properties: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties,
            "additionalProperties": False, **more}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


REQUEST_LINKS = _object(["self", "messages", "receipt"], {
    "self": _STRING, "messages": _STRING,
    "receipt": {"type": ["string", "null"], "description": "Null before submission."}})

REQUEST_SUMMARY = _object(
    ["id", "reference", "status", "case_references", "created_at", "submitted_at",
     "updated_at", "links"],
    {"id": {"type": "string", "description": "The request's id (a draft's id in /drafts)."},
     "reference": {"type": ["string", "null"],
                   "description": "OIA's reference (MLA-2026-000042); null before submission."},
     "status": _STATUS,
     "case_references": {"type": "array", "items": _STRING,
                         "description": "Your authority's own case references."},
     "created_at": _TIME, "submitted_at": _TIME_OR_NULL, "updated_at": _TIME,
     "links": _ref("RequestLinks")},
    description="A request of your authority, as \"My requests\" lists it.")

REQUEST_PAGE = _object(["items", "next"], {
    "items": {"type": "array", "items": _ref("RequestSummary")}, "next": _NEXT})

EVENT = _object(["kind", "label", "at", "from_status", "to_status", "note"], {
    "kind": {"type": "string", "description": "submitted, returned, accepted..."},
    "label": {"type": "string", "description": "The kind, in the language of "
                                               "Accept-Language."},
    "at": _TIME, "from_status": _STRING, "to_status": _STRING,
    "note": {"type": "string", "description": "What OIA wrote to you with it (a return's "
                                              "reason), or empty."}})

VERSION = _object(["number", "minor", "label", "submitted_at", "package_digest"], {
    "number": {"type": "integer", "minimum": 1},
    "minor": {"type": "integer", "minimum": 0,
              "description": "Documents added after submission: 1.1, 1.2..."},
    "label": {"type": "string", "description": "1, or 1.1"},
    "submitted_at": _TIME,
    "package_digest": {"type": ["string", "null"],
                       "description": "sha256:<hex> of the package's tag manifest once OIA's "
                                      "package of this version is built; else null."}})

ASK = _object(["asked_at", "kinds", "message"], {
    "asked_at": _TIME,
    "kinds": {"type": "array", "items": _STRING,
              "description": "The kinds of document asked for (the contract's "
                             "document_kind)."},
    "message": {"type": "string", "description": "OIA's message with the ask."}})

REQUEST_DETAIL = _object(
    [*REQUEST_SUMMARY["required"], "timeline", "versions", "open_asks"],
    {**REQUEST_SUMMARY["properties"],
     "timeline": {"type": "array", "items": _ref("RequestEvent"),
                  "description": "The request's history, oldest first (as its page shows)."},
     "versions": {"type": "array", "items": _ref("RequestVersion"),
                  "description": "The submitted versions, oldest first."},
     "open_asks": {"type": "array", "items": _ref("DocumentAsk"),
                   "description": "OIA's open ask for documents (none or one)."}},
    description="A request of your authority with its history and versions.")

MESSAGE = _object(["from", "author", "at", "body"], {
    "from": {"type": "string", "enum": ["requester", "oia"]},
    "author": {**_TEXT_OR_NULL, "description": "Your colleague's name; null for OIA."},
    "at": _TIME, "body": _STRING})

MESSAGE_LIST = _object(["reference", "items"], {
    "reference": _TEXT_OR_NULL, "items": {"type": "array", "items": _ref("Message")}})

NEW_MESSAGE = _object(["body"], {"body": {"type": "string", "minLength": 1,
                                          "maxLength": 10_000}})

SERVICE_TARGET = _object(["kind", "due", "overdue"], {
    "kind": {"type": "string", "enum": ["first_action", "decision"]},
    "due": _DAY_OR_NULL, "overdue": {"type": "boolean"}})

QUEUE_ROW = _object(
    ["id", "reference", "country", "status", "types", "urgency_date", "submitted_at",
     "age_days", "assignee", "blockers", "warnings", "acknowledged_warnings", "duplicate",
     "resubmitted_unchanged", "referral_district", "referral_due", "referral_overdue",
     "handoff", "held", "service_target", "links"],
    {"id": _STRING, "reference": _STRING, "country": _STRING, "status": _STATUS,
     "types": {"type": "array", "items": _STRING}, "urgency_date": _DAY_OR_NULL,
     "submitted_at": _TIME, "age_days": _COUNT,
     "assignee": {"type": "string", "description": "The attorney's name, or empty."},
     "blockers": _COUNT, "warnings": _COUNT, "acknowledged_warnings": _COUNT,
     "duplicate": {"type": "boolean"}, "resubmitted_unchanged": {"type": "boolean"},
     "referral_district": _STRING, "referral_due": _DAY_OR_NULL,
     "referral_overdue": {"type": "boolean"}, "handoff": _STRING,
     "held": {"type": "boolean", "description": "Under a legal hold."},
     "service_target": {"oneOf": [{"type": "null"}, _ref("ServiceTarget")]},
     "links": _object(["package"], {"package": _STRING})},
    description="A row of OIA's triage queue, as the queue page shows it.")

QUEUE_PAGE = _object(["items", "next"], {
    "items": {"type": "array", "items": _ref("QueueRow")}, "next": _NEXT})

BINARY: dict[str, Any] = {"type": "string", "contentEncoding": "binary"}

SCHEMAS: dict[str, dict[str, Any]] = {
    "RequestLinks": REQUEST_LINKS, "RequestSummary": REQUEST_SUMMARY,
    "RequestPage": REQUEST_PAGE, "RequestEvent": EVENT, "RequestVersion": VERSION,
    "DocumentAsk": ASK, "RequestDetail": REQUEST_DETAIL, "Message": MESSAGE,
    "MessageList": MESSAGE_LIST, "NewMessage": NEW_MESSAGE, "ServiceTarget": SERVICE_TARGET,
    "QueueRow": QUEUE_ROW, "QueuePage": QUEUE_PAGE, "File": BINARY,
}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}


MAX_LIMIT = 100
PARAMETERS: dict[str, dict[str, Any]] = {
    "status": _query("status", "Only requests in this status.", _STATUS),
    "updated_since": _query("updated_since", "Only requests changed at or after this time "
                                             "(RFC 3339, with its offset).",
                            {"type": "string", "format": "date-time"}),
    "cursor": _query("cursor", "The page after this one: the cursor of a next link.",
                     {"type": "string", "maxLength": 200}),
    "limit": _query("limit", f"Rows per page (1 to {MAX_LIMIT}; 50 when not given).",
                    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
    "queue_status": _query("status", "Only requests in this status (every open one when not "
                                     "given).",
                           {"type": "string",
                            "enum": [s.value for s in Status if s is not Status.DRAFT]}),
    "country": _query("country", "Only requests of this country (ISO 3166-1 alpha-2).",
                      {"type": "string", "pattern": "^[A-Za-z]{2}$"}),
    "assignee": _query("assignee", "me: assigned to you; none: to no one.",
                       {"type": "string", "enum": ["me", "none"]}),
    "version": _query("version", "The package of this version (the latest when not given).",
                      {"type": "integer", "minimum": 1, "maximum": 999_999}),
    "minor": _query("minor", "With version: its documents added later (1.1 is minor 1).",
                    {"type": "integer", "minimum": 0, "maximum": 999_999}),
}

HEADERS: dict[str, dict[str, Any]] = {
    "Link": {"description": 'rel="next": the address of the next page, when there is one.',
             "schema": {"type": "string"}},
}
