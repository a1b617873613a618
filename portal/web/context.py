"""Per-request state: the database session and the signed-in user."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import cast

from flask import Flask, current_app, g, has_app_context, request, session
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal.accounts.auth import SESSION_ROWS, check_session, session_of, token_hash
from portal.accounts.models import User
from portal.audit.log import pending as audit_pending
from portal.config import Settings
from portal.crypto import KeyRing
from portal.db import Database
from portal.notify import inbox
from portal.reference import ambient as reference_ambient
from portal.reference import store as reference_store
from portal.web import pending
from portal.web.api.paths import is_api_request

SESSION_TOKEN_KEY = "sid"  # noqa: S105 - the session key name, not a secret
#: Set when a session ended (idle, too old, account disabled) so that the login page, reached
#: by the redirect that follows, can say why.
SESSION_EXPIRED_KEY = "session_expired"

_log = logging.getLogger(__name__)

#: The request's session, its user, whether the user has kept input (web.pending), the
#: reference data's version in force and the user's unread notifications (read here rather
#: than by queries of their own).
_SESSION_ROWS = SESSION_ROWS.add_columns(pending.any_kept(User.id).label("kept"),
                                         reference_store.IN_FORCE_NUMBER.label("ref_number"),
                                         reference_store.IN_FORCE_SHA.label("ref_sha"),
                                         inbox.unread_of(User.id).label("unread"))
#: Endpoints that never load the signed-in user nor touch the session (no cookie is set):
#: static files, and /metrics (a scraper's, portal.web.metrics).
WITHOUT_USER = frozenset({"static", "metrics.metrics"})
#: On ``g``: set when the view failed, so that its changes are rolled back, not committed.
FAILED = "portal_view_failed"


def database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["portal.db"]  # type: ignore[no-any-return]


def settings(app: Flask | None = None) -> Settings:
    return (app or current_app).extensions["portal.settings"]  # type: ignore[no-any-return]


def db() -> Session:
    """The request's database session (opened before the view, closed at teardown)."""
    return cast(Session, g.db)


def keyring() -> KeyRing:
    """The key ring of the settings (attachments at rest, TOTP secrets)."""
    return KeyRing.from_settings(settings())


def client_ip() -> str:
    return (request.remote_addr or "")[:64]


#: On ``g``: what to do once the request's transaction has committed.
AFTER_COMMIT = "portal_after_commit"


def after_commit(action: Callable[[], None]) -> None:
    """Run ``action`` once this request's changes are committed (never when rolled back)."""
    actions = g.get(AFTER_COMMIT)
    if actions is None:
        actions = []
        setattr(g, AFTER_COMMIT, actions)
    actions.append(action)


def fail_transaction() -> None:
    """Roll the request's changes back at its end (an error page is being shown)."""
    setattr(g, FAILED, True)


def install_commit(app: Flask) -> None:
    """One transaction per request: what the view did is committed once it has answered, and
    rolled back when it failed (the error handlers set FAILED). Registered last, so that it
    runs before the other after-request functions and a failed commit's error page gets them
    too."""

    @app.after_request
    def _commit(response: Response) -> Response:
        db = g.get("db")
        if db is None:
            return response
        if g.get(FAILED):
            db.rollback()
            return response
        try:
            db.commit()
        except SQLAlchemyError as exc:
            return app.make_response(app.handle_user_exception(exc))
        for action in g.pop(AFTER_COMMIT, []):
            try:
                action()
            except Exception:  # committed already: the answer stands; the error is logged
                _log.exception("an action after the commit of %s %s failed",
                               request.method, request.path)
        return response


def _request_session() -> Session | None:
    """The request's session, for the reference data in force (portal.reference.ambient)."""
    return cast("Session | None", g.get("db")) if has_app_context() else None


def install_context(app: Flask) -> None:
    reference_ambient.install(_request_session)

    @app.before_request
    def _open() -> None:
        g.user = None
        g.user_session = None
        g.session_expired = False
        g.expired_user_id = None
        if request.endpoint in WITHOUT_USER:
            g.db = database().sessionmaker()
            return
        # One pooled connection for the whole request: the session's commits (the audit record
        # of a view is committed before the page is rendered) do not hand it back to the pool,
        # so it is checked out, and pinged, once.
        try:
            connection = database().engine.connect()
        except SQLAlchemyError:
            # the database is unreachable: a plain session fails at its first query, where the
            # views and /healthz already answer for it
            db = database().sessionmaker()
        else:
            g.db_connection = connection
            db = Session(bind=connection, expire_on_commit=False)
        g.db = db
        # the API reads no cookie: a call acts as its bearer token (portal.web.api.hooks)
        token = None if is_api_request() else session.get(SESSION_TOKEN_KEY)
        if token:
            found = db.execute(_SESSION_ROWS, {"token_hash": token_hash(str(token))}).first()
            setattr(g, pending.ANY_KEPT, bool(found and found.kept))
            if found is not None:
                reference_store.prime(db, found.ref_number, found.ref_sha)
                g.unread_notifications = int(found.unread or 0)
            row, ended_for = check_session(db, session_of(db, found), settings())
            if row is None:
                session.pop(SESSION_TOKEN_KEY, None)
                session[SESSION_EXPIRED_KEY] = True
                g.session_expired = True
                g.expired_user_id = ended_for
            else:
                g.user = row.user
                g.user_session = row

    @app.teardown_request
    def _close(_exc: BaseException | None) -> None:
        # The answer is made: closing must not fail it. A connection that died during the
        # request (a database restart) fails the rollback of close(); it is invalidated (the
        # pool opens a new one) and the error logged instead of escaping as a bare 500.
        db = g.pop("db", None)
        connection = g.pop("db_connection", None)
        try:
            if db is not None:
                if audit_pending(db):  # a view or change recorded but never committed
                    _log.warning("%d audit event(s) of %s %s dropped without commit",
                                 audit_pending(db), request.method, request.path)
                db.close()
        except SQLAlchemyError:
            _log.warning("closing the request's session failed", exc_info=True)
            if connection is not None:
                connection.invalidate()
        finally:
            if connection is not None:
                try:
                    connection.close()
                except SQLAlchemyError:
                    _log.warning("closing the request's connection failed", exc_info=True)
