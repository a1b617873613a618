"""The JSON Schemas of the API's own answers (OpenAPI 3.1 components). The request body is the
contract's own schema (portal.contract.load.request_schema), lifted in by portal.web.api.openapi."""

from __future__ import annotations

from typing import Any

from portal.attachments.models import CheckState
from portal.contract.model import ATTACHMENT_KINDS
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
        "reason": {"type": "string", "description": "invalid-upload, too-many-uploads: why "
                                                    "the file was refused (a stable code)."},
        "blockers": {"type": "array", "items": {"$ref": "#/components/schemas/Blocker"},
                     "description": "submission-blocked: the blocking findings."},
        "unacknowledged": {"type": "array", "items": {"$ref": "#/components/schemas/Blocker"},
                           "description": "submission-blocked: the warnings not answered."},
        "attachments": {"type": "array", "items": {"$ref": "#/components/schemas/Attachment"},
                        "description": "documents-not-settled: the files being checked or "
                                       "refused."},
    },
}

BLOCKER: dict[str, Any] = {
    "type": "object",
    "required": ["key", "code", "path", "title"],
    "properties": {"key": _STRING, "code": _STRING, "path": _STRING, "title": _STRING},
    "additionalProperties": False,
}

ATTACHMENT_UPLOAD: dict[str, Any] = {
    "type": "object",
    "required": ["file", "document_kind", "language"],
    "properties": {
        "file": {"type": "string", "format": "binary", "contentMediaType": "application/pdf",
                 "description": "The PDF (at most PORTAL_MAX_FILE_MB)."},
        "document_kind": {"type": "string", "enum": list(ATTACHMENT_KINDS)},
        "language": {"type": "string", "maxLength": 35,
                     "description": "The document's language, a code of the draft's language "
                                    "list (as the page's), e.g. en, es, zh-Hans."},
    },
}

ATTACHMENT: dict[str, Any] = {
    "type": "object",
    "required": ["id", "filename", "document_kind", "language", "size", "sha256", "status",
                 "pages", "reason_code", "reason", "uploaded_at"],
    "properties": {
        "id": _STRING, "filename": _STRING, "document_kind": _STRING, "language": _STRING,
        "size": {"type": "integer", "minimum": 0},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "status": {"type": "string", "enum": [state.value for state in CheckState],
                   "description": "checking until a worker's verdict: accepted or refused. "
                                  "Only accepted files are part of the request."},
        "pages": {"type": ["integer", "null"], "description": "When accepted."},
        "reason_code": {"type": ["string", "null"],
                        "description": "When refused: a stable code (javascript, encrypted...)."},
        "reason": {"type": ["string", "null"],
                   "description": "When refused: why, in the language of Accept-Language."},
        "uploaded_at": {"type": "string", "format": "date-time"},
    },
    "additionalProperties": False,
}

ATTACHMENTS: dict[str, Any] = {
    "type": "object",
    "required": ["attachments"],
    "properties": {"attachments": {"type": "array",
                                   "items": {"$ref": "#/components/schemas/Attachment"}}},
    "additionalProperties": False,
}

SUBMISSION: dict[str, Any] = {
    "type": "object",
    "description": "What the submit page asks: an explanation for each warning of the draft "
                   "(see its findings), and optionally the revision you checked.",
    "properties": {
        "revision": {"type": "integer", "minimum": 1, "maximum": 2**31 - 2,
                     "description": "The revision you checked: 412 when it was saved since."},
        "acknowledgements": {
            "type": "array", "maxItems": 500,
            "items": {
                "type": "object", "required": ["finding", "justification"],
                "properties": {
                    "finding": {"type": "string", "minLength": 1, "maxLength": 300,
                                "description": "The warning's key (code@path)."},
                    "justification": {"type": "string", "minLength": 1, "maxLength": 2000,
                                      "pattern": "\\S",
                                      "description": "Why you submit despite it."},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}

SUBMITTED: dict[str, Any] = {
    "type": "object",
    "required": ["reference", "version", "status", "request", "receipt"],
    "properties": {
        "reference": {"type": "string", "description": "e.g. MLA-2026-000042"},
        "version": {"type": "integer", "minimum": 1},
        "status": _STRING,
        "request": {"type": "string", "description": "The request's address in the API "
                                                     "(operation getRequest)."},
        "receipt": {"type": "string", "description": "Its receipt (PDF)."},
    },
    "additionalProperties": False,
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Finding": FINDING, "Counts": COUNTS, "CheckResult": CHECK_RESULT, "Draft": DRAFT,
    "Findings": FINDINGS, "Problem": PROBLEM, "Blocker": BLOCKER,
    "AttachmentUpload": ATTACHMENT_UPLOAD, "Attachment": ATTACHMENT, "Attachments": ATTACHMENTS,
    "Submission": SUBMISSION, "Submitted": SUBMITTED,
}
