"""The JSON Schemas of the API's own answers (OpenAPI 3.1 components). The request body is the
contract's own schema (portal.contract.load.request_schema), lifted in by portal.web.api.openapi."""

from __future__ import annotations

from typing import Any

from portal.web.api.problems import KINDS, TYPE_BASE

_STRING: dict[str, Any] = {"type": "string"}

FINDING: dict[str, Any] = {
    "type": "object",
    "description": "A finding of the rules, in the language of Accept-Language.",
    "required": ["key", "code", "severity", "path", "section", "title", "explanation", "fix",
                 "citations"],
    "properties": {
        "key": {"type": "string", "description": "code@path: the finding across saves."},
        "code": _STRING,
        "severity": {"type": "string", "enum": ["blocker", "warning", "advice"]},
        "path": {"type": "string", "description": "The field, as persons[0].name."},
        "section": {"type": ["string", "null"], "description": "The wizard's section."},
        "title": _STRING, "explanation": _STRING, "fix": _STRING,
        "citations": {"type": "array", "items": _STRING},
    },
    "additionalProperties": False,
}

COUNTS: dict[str, Any] = {
    "type": "object",
    "required": ["blocker", "warning", "advice"],
    "properties": {name: {"type": "integer", "minimum": 0}
                   for name in ("blocker", "warning", "advice")},
    "additionalProperties": False,
}

CHECK_RESULT: dict[str, Any] = {
    "type": "object",
    "required": ["findings", "counts"],
    "properties": {"findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
                   "counts": {"$ref": "#/components/schemas/Counts"}},
    "additionalProperties": False,
}

DRAFT: dict[str, Any] = {
    "type": "object",
    "required": ["id", "revision", "status", "editable", "updated_at", "content", "findings",
                 "counts"],
    "properties": {
        "id": {"type": "string", "description": "The draft's id in the API's addresses."},
        "revision": {"type": "integer", "minimum": 1,
                     "description": "Send it back in If-Match to save a change."},
        "status": _STRING,
        "editable": {"type": "boolean"},
        "updated_at": {"type": "string", "format": "date-time"},
        "content": {"$ref": "#/components/schemas/Request"},
        "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
        "counts": {"$ref": "#/components/schemas/Counts"},
    },
    "additionalProperties": False,
}

FINDINGS: dict[str, Any] = {
    "type": "object",
    "required": ["id", "revision", "findings", "counts", "ready"],
    "properties": {
        "id": _STRING,
        "revision": {"type": "integer", "minimum": 1},
        "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
        "counts": {"$ref": "#/components/schemas/Counts"},
        "ready": {"type": "boolean", "description": "No blocker, and every warning answered "
                                                    "(documents aside)."},
    },
    "additionalProperties": False,
}

PROBLEM: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; title and detail in the language of "
                   "Accept-Language.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri",
                 "enum": sorted(TYPE_BASE + slug for slug in KINDS)},
        "title": _STRING,
        "status": {"type": "integer"},
        "detail": _STRING,
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["path", "pointer", "detail"],
            "properties": {"path": _STRING, "pointer": _STRING, "detail": _STRING},
            "additionalProperties": False}},
        "revision": {"type": "integer",
                     "description": "stale-revision: the draft's current revision."},
        "parameter": {"type": "string",
                      "description": "invalid-parameter: the query parameter at fault."},
    },
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Finding": FINDING, "Counts": COUNTS, "CheckResult": CHECK_RESULT, "Draft": DRAFT,
    "Findings": FINDINGS, "Problem": PROBLEM,
}
