"""Per-request state: the database session and the signed-in user."""

from __future__ import annotations

from typing import cast

from flask import Flask, current_app, g, request, session
from sqlalchemy.orm import Session

from portal.accounts.auth import load_session
from portal.config import Settings
from portal.db import Database
from portal.mail.outbox import deliver_pending

SESSION_TOKEN_KEY = "sid"  # noqa: S105 - the session key name, not a secret
#: Set when a session ended (idle, too old, account disabled) so that the login page, reached
#: by the redirect that follows, can say why.
SESSION_EXPIRED_KEY = "session_expired"


def database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["portal.db"]  # type: ignore[no-any-return]


def settings(app: Flask | None = None) -> Settings:
    return (app or current_app).extensions["portal.settings"]  # type: ignore[no-any-return]


def db() -> Session:
    """The request's database session (opened before the view, closed at teardown)."""
    return cast(Session, g.db)


def client_ip() -> str:
    return (request.remote_addr or "")[:64]


def send_queued_mail() -> None:
    """Deliver at once what the action just committed to the outbox (failures stay queued)."""
    deliver_pending(database().session, settings())


def install_context(app: Flask) -> None:
    @app.before_request
    def _open() -> None:
        db: Session = database().sessionmaker()
        g.db = db
        g.user = None
        g.user_session = None
        g.session_expired = False
        g.expired_user_id = None
        if request.endpoint == "static":
            return
        token = session.get(SESSION_TOKEN_KEY)
        if token:
            row, ended_for = load_session(db, str(token), settings())
            if row is None:
                session.pop(SESSION_TOKEN_KEY, None)
                session[SESSION_EXPIRED_KEY] = True
                g.session_expired = True
                g.expired_user_id = ended_for
            else:
                g.user = row.user
                g.user_session = row
            db.commit()

    @app.teardown_request
    def _close(_exc: BaseException | None) -> None:
        db = g.pop("db", None)
        if db is not None:
            db.close()
