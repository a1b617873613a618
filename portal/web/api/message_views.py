"""A request's messages with OIA, read and written by machine: the same thread, service, length
limit and notifications as the request page's message form."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, jsonify

from portal.accounts.models import Role
from portal.requests import thread
from portal.requests.models import MlaRequest
from portal.translation import gettext as _
from portal.web.access import require_user, roles
from portal.web.api.bodies import body_bytes
from portal.web.api.problems import ApiProblem, FieldError
from portal.web.api.registry import Answer, operation
from portal.web.api.request_views import NOT_FOUND, PROBLEM_JSON, iso, load
from portal.web.context import client_ip, db, settings


def _message(from_oia: bool, author_name: str | None, at: Any, body: str) -> dict[str, Any]:
    # OIA's staff are not named to the requester (as on the page)
    return {"from": "oia" if from_oia else "requester",
            "author": None if from_oia else (author_name or ""), "at": iso(at), "body": body}


def _thread(req: MlaRequest) -> dict[str, Any]:
    return {"reference": req.reference,
            "items": [_message(m.from_oia, m.author_name, m.at, m.body)
                      for m in thread.list_messages(db(), req)]}


def _posted_text() -> str:
    """The body's ``body``: 400 when the body is not JSON, 422 when it is not a text of 1 to
    thread.MAX_MESSAGE characters."""
    try:
        data = json.loads(body_bytes())
    except (ValueError, RecursionError):
        raise ApiProblem("malformed-json") from None
    text = data.get("body") if isinstance(data, dict) else None
    if not isinstance(text, str) or not text.strip():
        message = _("Write your message.")
    elif len(text.strip()) > thread.MAX_MESSAGE:
        message = _("Use at most %(max)d characters.", max=thread.MAX_MESSAGE)
    else:
        return text
    raise ApiProblem("invalid-request", errors=[FieldError("body", message)])


@operation("GET", "/requests/<reference>/messages", "listMessages",
           summary="A request's messages",
           description="The messages between your authority and OIA about the request, oldest "
                       "first.",
           tags=("messages",),
           answers={200: Answer("The messages.", "MessageList"), **NOT_FOUND})
@roles(Role.SUBMITTER)
def list_messages(reference: str) -> Response:
    return jsonify(_thread(load(reference)))


@operation("POST", "/requests/<reference>/messages", "postMessage",
           summary="Write to OIA",
           description="Send OIA a message about a submitted request (as the request page's "
                       "form: OIA's staff are told as they chose). 409 before submission.",
           body="NewMessage", tags=("messages",),
           answers={201: Answer("The message as sent.", "Message"), **NOT_FOUND,
                    400: Answer("The body is not valid JSON.", "Problem", PROBLEM_JSON),
                    409: Answer("The request is not submitted yet.", "Problem", PROBLEM_JSON),
                    413: Answer("The body is larger than the portal accepts.", "Problem",
                                PROBLEM_JSON),
                    415: Answer("The body is not declared as JSON.", "Problem", PROBLEM_JSON),
                    422: Answer("No message, or one longer than 10,000 characters.",
                                "Problem", PROBLEM_JSON)})
@roles(Role.SUBMITTER)
def post_message(reference: str) -> tuple[Response, int]:
    req = load(reference, audit=False)
    text = _posted_text()
    user = require_user()
    try:
        sent = thread.post_message(db(), settings(), user, req, text, ip=client_ip())
    except thread.MessageRefused:
        raise ApiProblem("message-refused") from None
    return jsonify(_message(sent.from_oia, user.name, sent.at, sent.body)), 201
