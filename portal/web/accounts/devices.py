"""The device cookie of a browser where an account signed in (OWASP's "device cookies" against
account lockout): the sign-ins of that account from that browser are counted apart, as their
own client, so that failures from elsewhere, however many, never lock out or slow its owner
there (portal.accounts.auth).

The cookie is signed with the secret key; it holds a hash of the account's e-mail address and
a random id, renewed at each sign-in (which so starts its count of failures afresh). One per
browser: the last account that signed in there.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app, request
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from portal.limits.counters import account_key
from portal.web.context import settings

SALT = "portal.device"
MAX_AGE_DAYS = 365


def cookie_name() -> str:
    return "__Host-portal-device" if settings().secure_cookies else "portal-device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt=SALT)


def device_of(email: str) -> str | None:
    """The id of this browser's device cookie when it was issued to ``email``'s account."""
    raw = request.cookies.get(cookie_name())
    if not raw:
        return None
    try:
        data: Any = _serializer().loads(raw, max_age=MAX_AGE_DAYS * 86400)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("a") != account_key(email):
        return None
    device = data.get("d")
    return device if isinstance(device, str) and device else None


def remember(response: Response, email: str) -> Response:
    """Give the browser a new device cookie of ``email``'s account (at a successful sign-in)."""
    value = _serializer().dumps({"a": account_key(email), "d": secrets.token_urlsafe(16)})
    response.set_cookie(cookie_name(), value, max_age=MAX_AGE_DAYS * 86400, path="/",
                        secure=settings().secure_cookies, httponly=True, samesite="Lax")
    return response
