"""RFC 9457 problem details: each kind of problem has a stable ``type`` URI, a translated
``title`` and a translated ``detail`` (the caller's Accept-Language); validation problems list
their ``errors`` with a field path and a JSON Pointer."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Response

from portal.i18n_core import N_
from portal.translation import gettext as _

TYPE_BASE = "https://mla-portal.example/problems/"
MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True)
class Kind:
    slug: str
    status: int
    title: str  # English (the msgid), translated when answered
    detail: str

    @property
    def type(self) -> str:
        return TYPE_BASE + self.slug


KINDS: dict[str, Kind] = {k.slug: k for k in (
    Kind("bad-request", 400, N_("The request could not be understood"),
         N_("Something in what was sent is not valid.")),
    Kind("malformed-json", 400, N_("The body is not valid JSON"),
         N_("The body could not be read as JSON.")),
    Kind("invalid-parameter", 400, N_("A query parameter is not valid"),
         N_("A parameter of the address is not valid: see parameter.")),
    Kind("unauthorized", 401, N_("Authentication required"),
         N_("Send a valid API token in the Authorization header: Bearer, a space, then the "
            "token. A token that is revoked or expired no longer works.")),
    Kind("forbidden", 403, N_("Not allowed"),
         N_("Your account's role does not allow this.")),
    Kind("not-found", 404, N_("Not found"),
         N_("There is nothing here, or you do not have access to it.")),
    Kind("method-not-allowed", 405, N_("Method not allowed"),
         N_("This address does not accept this method.")),
    Kind("not-editable", 409, N_("The request cannot be changed"),
         N_("Only a draft, or a request returned to you, can be changed.")),
    Kind("message-refused", 409, N_("The message cannot be sent"),
         N_("Messages can be sent once the request is submitted.")),
    Kind("stale-revision", 412, N_("The draft has changed"),
         N_("The draft was saved by someone else after the revision named in If-Match. "
            "Read it again, then send your changes with its new revision.")),
    Kind("too-large", 413, N_("The body is too large"),
         N_("What you sent is larger than the portal accepts.")),
    Kind("unsupported-media-type", 415, N_("Send JSON"),
         N_("Send the body as JSON, with the header Content-Type: application/json.")),
    Kind("invalid-request", 422, N_("The request is not valid"),
         N_("The body does not follow the request contract: see errors for each field.")),
    Kind("precondition-required", 428, N_("If-Match is required"),
         N_("Send the header If-Match with the revision of the draft you last read.")),
    Kind("rate-limited", 429, N_("Too many calls"),
         N_("This token has made more calls in a short time than the portal accepts. Wait "
            "for the time given in Retry-After, then try again.")),
    Kind("being-prepared", 503, N_("This package is being prepared"),
         N_("Its files are being built by the portal's background worker. Try again in a "
            "minute.")),
    Kind("not-multipart", 415, N_("Send the file as a form"),
         N_("Send the file as multipart/form-data: the PDF in the field file, with the fields "
            "document_kind and language.")),
    Kind("invalid-upload", 422, N_("The document was not attached"),
         N_("Something in the upload is not valid: see errors for each field.")),
    Kind("too-many-uploads", 429, N_("Too many uploads at once"),
         N_("This token is already sending as many files as the portal accepts at once. Wait "
            "for the time given in Retry-After, then send this one again.")),
    Kind("invalid-body", 422, N_("The body is not valid"),
         N_("Something in the body is not valid: see errors for each field.")),
    Kind("idempotency-key-missing", 428, N_("Idempotency-Key is required"),
         N_("Send the header Idempotency-Key with a value of your own (a new UUID, say), and "
            "the same value again if you repeat this call.")),
    Kind("idempotency-key-malformed", 400, N_("Idempotency-Key is not valid"),
         N_("Idempotency-Key must be 1 to 255 visible ASCII characters.")),
    Kind("idempotency-key-reused", 422, N_("Idempotency-Key already used"),
         N_("This Idempotency-Key was sent before with another body. Use a new key for a "
            "different call.")),
    Kind("idempotency-key-in-use", 409, N_("The first call with this key is still running"),
         N_("A call with this Idempotency-Key is still being processed. Wait for the time given "
            "in Retry-After, then send it again to get its answer.")),
    Kind("submission-blocked", 422, N_("The request cannot be submitted yet."),
         N_("The request cannot be submitted yet: fix the blocking problems and acknowledge "
            "every warning first.")),
    Kind("documents-not-settled", 422, N_("The request cannot be submitted yet."),
         N_("The request cannot be submitted yet: a document is still being checked or was "
            "refused.")),
    Kind("server-error", 500, N_("Something went wrong"),
         N_("The portal could not complete this call. Nothing was changed. Try again in a "
            "moment.")),
)}

#: The problem kind of an HTTP status the framework raised (404 of an unknown address...).
BY_STATUS: dict[int, Kind] = {}
for _kind in KINDS.values():
    BY_STATUS.setdefault(_kind.status, _kind)
BY_STATUS.pop(503)  # being-prepared is the package's own; any other 503 is a server error


@dataclass(frozen=True)
class FieldError:
    path: str
    message: str

    @property
    def pointer(self) -> str:
        """The JSON Pointer of ``path`` (``persons[0].name`` -> ``/persons/0/name``)."""
        if not self.path:
            return ""
        parts = self.path.replace("[", ".").replace("]", "").split(".")
        return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts if p)


class ApiProblem(Exception):
    """Raised by an API view or hook: answered as problem+json (portal.web.api.hooks)."""

    def __init__(self, slug: str, detail: str | None = None, *,
                 errors: Sequence[FieldError] = (), headers: Mapping[str, str] | None = None,
                 extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(slug)
        self.kind = KINDS[slug]
        self.detail = detail
        self.errors = tuple(errors)
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


def response_of(problem: ApiProblem) -> Response:
    kind = problem.kind
    body: dict[str, Any] = {"type": kind.type, "title": _(kind.title), "status": kind.status,
                            "detail": problem.detail or _(kind.detail)}
    if problem.errors:
        body["errors"] = [{"path": e.path, "pointer": e.pointer, "detail": e.message}
                          for e in problem.errors]
    body.update(problem.extra)
    headers = dict(problem.headers)
    if kind.status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    return Response(json.dumps(body, ensure_ascii=False), status=kind.status,
                    mimetype=MEDIA_TYPE, headers=headers)


def for_status(status: int) -> ApiProblem:
    kind = BY_STATUS.get(status) or (KINDS["bad-request"] if status < 500
                                     else KINDS["server-error"])
    return ApiProblem(kind.slug)
