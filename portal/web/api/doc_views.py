"""The OpenAPI document (JSON) and a page that reads it for people (no script, no CDN)."""

from __future__ import annotations

from flask import Response, render_template

from portal.web.access import public
from portal.web.api.openapi import document, document_text
from portal.web.api.problems import KINDS
from portal.web.api.registry import Answer, operation

METHOD_ORDER = ("get", "post", "put", "delete")


@operation("GET", "/openapi.json", "getOpenApi", summary="This document",
           description="The OpenAPI 3.1 document of the API.", public=True,
           tags=("documentation",), answers={200: Answer("The document.")})
@public
def openapi_json() -> Response:
    return Response(document_text(), mimetype="application/json")


@public
def docs() -> str:
    doc = document()
    operations = [(path, method, item) for path, methods in doc["paths"].items()
                  for method, item in sorted(methods.items(),
                                             key=lambda m: METHOD_ORDER.index(m[0]))]
    return render_template("api/docs.html", doc=doc, operations=operations,
                           kinds=sorted(KINDS.values(), key=lambda k: (k.status, k.slug)))
