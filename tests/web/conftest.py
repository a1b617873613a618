"""Helpers for the web tests: apps with other settings, TOTP codes, database edits, cookies."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.accounts import totp
from portal.accounts.models import TotpUsedStep, User, UserSession
from portal.app import create_app
from portal.config import Settings
from portal.db import Database, utcnow
from tests.conftest import csrf_token

AppFactory = Callable[..., Flask]


@pytest.fixture()
def make_app(settings: Settings) -> Iterator[AppFactory]:
    """Build another app on the same database with some settings changed."""
    made: list[Flask] = []

    def _make(**overrides: Any) -> Flask:
        application = create_app(settings.with_overrides(**overrides))
        application.config["TESTING"] = True
        made.append(application)
        return application

    yield _make
    for application in made:
        application.extensions["portal.db"].dispose()


def database(app: Flask) -> Database:
    return app.extensions["portal.db"]  # type: ignore[no-any-return]


def in_db(app: Flask, work: Callable[[Session], Any]) -> Any:
    """Run ``work`` in its own committed transaction (the way an attacker or the clock would)."""
    with database(app).session() as s:
        return work(s)


def user_row(app: Flask, user_id: int) -> User:
    with database(app).session() as s:
        user = s.get(User, user_id)
        assert user is not None
        return user


def sessions_of(app: Flask, user_id: int) -> list[UserSession]:
    with database(app).session() as s:
        return list(s.scalars(select(UserSession).where(UserSession.user_id == user_id)))


def age_sessions(app: Flask, user_id: int, **fields: timedelta) -> None:
    """Move the user's session timestamps into the past (``last_seen_at=timedelta(...)``)."""
    now = utcnow()
    values = {name: now - delta for name, delta in fields.items()}
    in_db(app, lambda s: s.execute(update(UserSession).where(UserSession.user_id == user_id)
                                   .values(**values)))


def forget_totp_use(app: Flask, user_id: int) -> None:
    """Allow the next code again (tests that need several second-factor checks in 30 s)."""
    in_db(app, lambda s: s.execute(delete(TotpUsedStep).where(TotpUsedStep.user_id == user_id)))


def totp_secret_of(app: Flask, user: User) -> str | None:
    """The user's TOTP secret in clear, as the portal reads it (None: none set)."""
    from portal.accounts.auth import totp_secret

    return totp_secret(app.extensions["portal.settings"], user)


def fresh_code(secret: str) -> str:
    """The code of the next time step: accepted (clock drift window) and never used yet."""
    return totp.current_code(secret, time.time() + 30)


def wrong_code(secret: str) -> str:
    """A 6-digit code that matches no step the server would accept now."""
    generator = pyotp.TOTP(secret)
    now = time.time()
    accepted = {generator.at(now + delta) for delta in (-60, -30, 0, 30, 60)}
    for candidate in ("000000", "111111", "123456", "654321", "999999", "424242"):
        if candidate not in accepted:
            return candidate
    raise AssertionError("unreachable")


def session_cookie(app: Flask, client: FlaskClient) -> str | None:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie is not None else None


def session_data(app: Flask, client: FlaskClient) -> dict[str, Any]:
    """The decoded (signed, not encrypted) Flask session of a test client."""
    value = session_cookie(app, client)
    if value is None:
        return {}
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer is not None
    return dict(serializer.loads(value))


def error_messages(page: str) -> list[str]:
    """The texts of the field error messages on a page."""
    found = re.findall(r'<span class="usa-error-message"[^>]*>(.*?)</span>', page, re.S)
    return [html.unescape(text).strip() for text in found]


def post(client: FlaskClient, path: str, data: dict[str, str], *, token_from: str | None = None,
         **kwargs: Any) -> Any:
    """POST a form with a valid CSRF token taken from ``token_from`` (default: the same page)."""
    token = csrf_token(client, token_from or path)
    return client.post(path, data={**data, "csrf_token": token}, **kwargs)


def location_path(response: Any) -> str:
    """The path (and query) of a redirect, whether Werkzeug made it absolute or not."""
    from urllib.parse import urlsplit

    parts = urlsplit(response.headers["Location"])
    assert parts.netloc in ("", "localhost"), response.headers["Location"]
    return parts.path + (f"?{parts.query}" if parts.query else "")
