"""Which requests are API calls: everything under /api/. The rest of the web layer asks this
to leave cookies, forms and HTML error pages out of them."""

from __future__ import annotations

from flask import has_request_context, request

PREFIX = "/api/v1"


def is_api_request() -> bool:
    return has_request_context() and (request.path == "/api"
                                      or request.path.startswith("/api/"))
