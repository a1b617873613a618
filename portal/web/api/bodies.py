"""Reading what an API call sent: a request document as JSON (the same size limit as the
import page's file, the contract's own validation), and the revision of If-Match."""

from __future__ import annotations

from flask import request

from portal.contract.load import M_NOT_JSON, ContractError, load_request_json
from portal.contract.model import Request
from portal.translation import gettext as _
from portal.web.api.problems import ApiProblem, FieldError
from portal.web.context import settings
from portal.web.i18n import current_locale_code
from portal.web.requests.access import MAX_REVISION


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/")
                                              and mimetype.endswith("+json"))


def body_bytes() -> bytes:
    """The body, at most the import page's limit (PORTAL_MAX_FILE_MB), else 413; 415 when it
    is not declared as JSON."""
    if not _is_json(request.mimetype):
        raise ApiProblem("unsupported-media-type")
    limit = settings().max_file_mb * 1024 * 1024
    if request.content_length is not None and request.content_length > limit:
        raise ApiProblem("too-large", _("The body is larger than %(mb)d MB.",
                                        mb=settings().max_file_mb))
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise ApiProblem("too-large", _("The body is larger than %(mb)d MB.",
                                        mb=settings().max_file_mb))
    return data


def contract_problem(errors: list[ContractError] | tuple[ContractError, ...]) -> ApiProblem:
    """Unreadable JSON (400), or the contract's errors with their fields (422)."""
    for error in errors:
        if error.template == M_NOT_JSON:
            return ApiProblem("malformed-json", error.message)
    return ApiProblem("invalid-request",
                      errors=[FieldError(e.path, e.message) for e in errors])


def request_document() -> Request:
    """The body as a request of the contract; 400, 413, 415 or 422 when it is not one."""
    result = load_request_json(body_bytes(), current_locale_code())
    if result.request is None or not result.ok:
        raise contract_problem(result.errors)
    return result.request


def if_match_revision() -> int:
    """The revision If-Match names (``3``, ``"3"`` or ``W/"3"``): 428 when the header is
    missing; a value that is no revision matches none (412)."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise ApiProblem("precondition-required")
    value = header.strip().removeprefix("W/").strip('"').strip()
    try:
        revision = int(value) if value.isdigit() else -1
    except ValueError:
        revision = -1
    return revision if 0 <= revision < MAX_REVISION else -1
