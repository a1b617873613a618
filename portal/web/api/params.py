"""Query parameters of the API's lists: read strictly (a value that is not one is a 400
problem naming the parameter, never ignored), and the next page's address."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from flask import Response, jsonify, request, url_for

from portal.translation import gettext as _
from portal.web.api.problems import ApiProblem
from portal.web.api.request_schemas import MAX_LIMIT
from portal.web.query_args import MAX_DATE, MIN_DATE

DEFAULT_LIMIT = 50


def invalid(name: str, detail: str) -> ApiProblem:
    return ApiProblem("invalid-parameter", detail, extra={"parameter": name})


def text(name: str, max_length: int = 200) -> str:
    value = request.args.get(name, "")
    if len(value) > max_length:
        raise invalid(name, _("%(name)s is too long.", name=name))
    return value


def choice(name: str, allowed: Iterable[str]) -> str:
    """The parameter, one of ``allowed`` (or empty when not given)."""
    value = text(name)
    options = sorted(allowed)
    if value and value not in options:
        raise invalid(name, _("%(name)s must be one of: %(options)s.", name=name,
                              options=", ".join(options)))
    return value


def limit() -> int:
    value = text("limit", 10)
    if not value:
        return DEFAULT_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise invalid("limit", _("limit must be a whole number from 1 to %(max)d.",
                                 max=MAX_LIMIT))
    return int(value)


def whole_number(name: str, lowest: int, highest: int) -> int | None:
    value = text(name, 10)
    if not value:
        return None
    if not value.isdigit() or not lowest <= int(value) <= highest:
        raise invalid(name, _("%(name)s must be a whole number from %(low)d to %(high)d.",
                              name=name, low=lowest, high=highest))
    return int(value)


def timestamp(name: str) -> datetime | None:
    """An RFC 3339 date and time with its offset (``2026-03-01T09:00:00Z``)."""
    value = text(name, 40)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or "T" not in value.upper() \
            or not MIN_DATE <= parsed.date() <= MAX_DATE:
        raise invalid(name, _("%(name)s must be a date and time in RFC 3339 form, with its "
                              "offset: 2026-03-01T09:00:00Z.", name=name))
    return parsed


def cursor(decode: Callable[[str], Any]) -> str | None:
    """The cursor of a next link, checked with the list's own ``decode``."""
    value = text("cursor")
    if not value:
        return None
    if decode(value) is None:
        raise invalid("cursor", _("cursor is not one this list gave: start again from the "
                                  "first page."))
    return value


def page_response(body: dict[str, Any], next_cursor: str | None, endpoint: str,
                  **args: Any) -> Response:
    """The page, with ``next`` (and a Link header) naming the same filters and the cursor."""
    following = None
    if next_cursor is not None:
        kept = {k: v for k, v in args.items() if v not in (None, "")}
        following = url_for(endpoint, **kept, cursor=next_cursor)
    response = jsonify({**body, "next": following})
    if following is not None:
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response
