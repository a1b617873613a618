"""The OpenAPI 3.1 document of /api/v1 (served, and read for people by a page without script),
made from the routes' declarations
(portal.web.api.registry), the API's own schemas and the request contract's JSON Schema,
whose ``$defs`` are lifted into the components (``#/$defs/X`` becomes
``#/components/schemas/Request.X``) so that every OpenAPI tool resolves them."""

from __future__ import annotations

import copy
import json
from typing import Any

from flask import Response, render_template

from portal.contract.load import request_schema
from portal.web.access import public
from portal.web.api import (  # noqa: F401 - they declare their operations
    attachment_views,
    draft_views,
    message_views,
    request_views,
    submit_views,
    triage_views,
)
from portal.web.api.paths import PREFIX
from portal.web.api.problems import KINDS
from portal.web.api.registry import COMMON_PROBLEMS, OPERATIONS, Answer, Operation, operation
from portal.web.api.request_schemas import HEADERS as QUERY_HEADERS
from portal.web.api.request_schemas import PARAMETERS as QUERY_PARAMETERS
from portal.web.api.request_schemas import SCHEMAS as REQUEST_SCHEMAS
from portal.web.api.schemas import SCHEMAS

CONTRACT = "Request"
METHOD_ORDER = ("get", "post", "put", "delete")
PROBLEM_JSON = "application/problem+json"
COMMON_ANSWERS = {
    401: "No token, or a token that is unknown, revoked or expired.",
    403: "The token's account may not do this.",
    429: "Too many calls with this token: wait for Retry-After.",
}


def _lift(value: Any) -> Any:
    """``value`` with the contract's local references pointed at the components."""
    if isinstance(value, dict):
        return {k: (f"#/components/schemas/{CONTRACT}." + v.removeprefix("#/$defs/")
                    if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/")
                    else _lift(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_lift(v) for v in value]
    return value


def contract_components() -> dict[str, Any]:
    schema = copy.deepcopy(request_schema())
    definitions = schema.pop("$defs", {})
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    found = {CONTRACT: _lift(schema)}
    found.update({f"{CONTRACT}.{name}": _lift(d) for name, d in definitions.items()})
    return found


def _content(schema: str | None, media_type: str) -> dict[str, Any]:
    return {media_type: {"schema": {"$ref": f"#/components/schemas/{schema}"}}} if schema \
        else {}


def _operation(op: Operation) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "string", "minLength": 1, "maxLength": 64}}
        for name in op.path_parameters]
    parameters += [{"$ref": f"#/components/parameters/{h}"} for h in op.headers + op.query]
    parameters.append({"$ref": "#/components/parameters/Accept-Language"})
    responses: dict[str, Any] = {}
    for status, answer in sorted(op.answers.items()):
        item: dict[str, Any] = {"description": answer.description}
        if answer.schema:
            item["content"] = _content(answer.schema, answer.media_type)
        if answer.headers:
            item["headers"] = {h: {"$ref": f"#/components/headers/{h}"} for h in answer.headers}
        if answer.links:
            item["links"] = answer.links
        responses[str(status)] = item
    if not op.public:
        for status in (*COMMON_PROBLEMS, 403):
            item = {"description": COMMON_ANSWERS[status],
                    "content": _content("Problem", PROBLEM_JSON)}
            if status == 429:
                item["headers"] = {"Retry-After": {"$ref": "#/components/headers/Retry-After"}}
            responses.setdefault(str(status), item)
    found: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary,
                             "description": op.description, "tags": list(op.tags),
                             "parameters": parameters, "responses": responses}
    if op.body:
        content = _content(op.body, op.body_media_type)
        if op.body_encoding:
            content[op.body_media_type]["encoding"] = op.body_encoding
        found["requestBody"] = {"required": True, "content": content}
    if op.public:
        found["security"] = []
    return found


def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    paths = {path: dict(sorted(methods.items(), key=lambda m: METHOD_ORDER.index(m[0])))
             for path, methods in sorted(paths.items())}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "MLA request intake portal API",
            "version": "1.0.0",
            "description": "File and check mutual legal assistance requests by machine. Every "
                           "call sends `Authorization: Bearer <token>` (a personal token made "
                           "on the account page or with `portal api-token create`); it acts "
                           "as the token's account. Errors are RFC 9457 problem details.",
        },
        "servers": [{"url": PREFIX}],
        "security": [{"bearer": []}],
        "tags": [{"name": "requests", "description": "Request documents"},
                 {"name": "drafts", "description": "Drafts of your authority"},
                 {"name": "messages", "description": "Messages with OIA about a request"},
                 {"name": "triage", "description": "OIA's queue and packages"},
                 {"name": "attachments", "description": "The documents of a draft"},
                 {"name": "documentation", "description": "This document"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "mlap_<prefix>_<secret>"}},
            "parameters": {
                "If-Match": {"name": "If-Match", "in": "header", "required": True,
                             "description": "The revision you last read (as in ETag).",
                             "schema": {"type": "string", "pattern": r'^(W/)?"?[0-9]{1,10}"?$'}},
                "Idempotency-Key": {
                    "name": "Idempotency-Key", "in": "header", "required": True,
                    "description": "A value of your own, new for each call and the same when "
                                   "you repeat one: a repeat gets the first answer.",
                    "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"}},
                "Accept-Language": {"name": "Accept-Language", "in": "header",
                                    "required": False,
                                    "description": "The language of findings and problems.",
                                    "schema": {"type": "string", "maxLength": 200}},
                **QUERY_PARAMETERS,
            },
            "headers": {
                "Location": {"description": "The address of what was made.",
                             "schema": {"type": "string"}},
                "Idempotent-Replayed": {"description": "true: the first answer to this "
                                                       "Idempotency-Key, sent again.",
                                        "schema": {"type": "string", "enum": ["true"]}},
                "ETag": {"description": "The draft's revision, quoted.",
                         "schema": {"type": "string"}},
                "Retry-After": {"description": "Seconds to wait.",
                                "schema": {"type": "integer"}},
                **QUERY_HEADERS,
            },
            "schemas": {**contract_components(), **SCHEMAS, **REQUEST_SCHEMAS},
        },
        "x-problem-types": {KINDS[slug].type: {"status": KINDS[slug].status,
                                               "title": KINDS[slug].title}
                            for slug in sorted(KINDS)},
    }


def document_text() -> str:
    """The document as committed in docs/openapi.json."""
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


@operation("GET", "/openapi.json", "getOpenApi", summary="This document",
           description="The OpenAPI 3.1 document of the API.", public=True,
           tags=("documentation",), answers={200: Answer("The document.")})
@public
def openapi_json() -> Response:
    return Response(document_text(), mimetype="application/json")


@public
def docs() -> str:
    """The document as a page (rendered here: no script, nothing from another site)."""
    doc = document()
    operations = [(path, method, item) for path, methods in doc["paths"].items()
                  for method, item in sorted(methods.items(),
                                             key=lambda m: METHOD_ORDER.index(m[0]))]
    return render_template("api/docs.html", doc=doc, operations=operations,
                           kinds=sorted(KINDS.values(), key=lambda k: (k.status, k.slug)))
