"""Per-request state: the database session and the signed-in user."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, cast

from flask import Flask, current_app, g, request, session
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal.accounts.auth import SESSION_ROWS, check_session, session_of, token_hash
from portal.accounts.models import User
from portal.audit.log import pending as audit_pending
from portal.config import Settings
from portal.db import Database
from portal.db_reads import Read, keep_ahead, one, read_together, rows_of
from portal.lru import LRU
from portal.mail.outbox import deliver_pending
from portal.requests import drafts
from portal.web import pending

SESSION_TOKEN_KEY = "sid"  # noqa: S105 - the session key name, not a secret
#: Set when a session ended (idle, too old, account disabled) so that the login page, reached
#: by the redirect that follows, can say why.
SESSION_EXPIRED_KEY = "session_expired"

_log = logging.getLogger(__name__)

#: The request's session, its user, and whether the user has kept input (web.pending).
_SESSION_ROWS = SESSION_ROWS.add_columns(pending.any_kept(User.id).label("kept"))
#: By a session token's hash, what the requests its user may see depend on (their role...:
#: drafts.visibility), as last found: the guess with which the request an address names is
#: read with the session, checked against the user then read. An LRU of 4,096.
_VISIBILITY: LRU[str, drafts.Visibility] = LRU(4096)
#: By endpoint, what its GET view will read (given the view's arguments; None when it cannot
#: say yet): read ahead with the session and the request (:func:`reads_ahead`).
ReadsAhead = Callable[[Mapping[str, Any]], list[Read[Any]] | None]
_READS_AHEAD: dict[str, ReadsAhead] = {}


def reads_ahead(endpoint: str) -> Callable[[ReadsAhead], ReadsAhead]:
    """Register what the GET view of ``endpoint``, which reads its request (the address's
    ``public_id``) through drafts.get_request, then reads together (portal.db_reads): those
    reads go in the session's round trip too. Their rows are kept for the view's
    read_together only when the request was read with the session for its user (so the view
    will have passed the request's access check before it reads them), and used only if the
    view asks exactly the same statements with the same parameters."""
    def register(reads: ReadsAhead) -> ReadsAhead:
        _READS_AHEAD[endpoint] = reads
        return reads

    return register


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
        g.user = None
        g.user_session = None
        g.session_expired = False
        g.expired_user_id = None
        if request.endpoint == "static":
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
        token = session.get(SESSION_TOKEN_KEY)
        if token:
            hashed = token_hash(str(token))
            # The session with its user and whether the user has kept input (web.pending),
            # and the request the address names, read as this session's user read requests
            # last time (the guess is checked below, once the user is known): one round trip,
            # where the view's own look-up would cost another (drafts.get_request).
            guess = _VISIBILITY.get(hashed)
            public_id = (request.view_args or {}).get("public_id")
            reads: list[Read[Any]] = [one(_SESSION_ROWS, {"token_hash": hashed},
                                          lambda rows: rows[0] if rows else None,
                                          generic=False)]
            ahead: list[Read[Any]] | None = None
            if guess is not None and isinstance(public_id, str):
                reads.append(drafts.request_read(guess, public_id))
                wanted = _READS_AHEAD.get(request.endpoint or "")
                if wanted is not None and request.method == "GET":
                    ahead = wanted(request.view_args or {})
                    reads.extend(rows_of(read) for read in ahead or ())
            found, *requested = read_together(db, *reads)
            setattr(g, pending.ANY_KEPT, bool(found and found.kept))
            row, ended_for = check_session(db, session_of(db, found), settings())
            if row is None:
                session.pop(SESSION_TOKEN_KEY, None)
                session[SESSION_EXPIRED_KEY] = True
                g.session_expired = True
                g.expired_user_id = ended_for
            else:
                g.user = row.user
                g.user_session = row
                seen = drafts.visibility(row.user)
                _VISIBILITY.put(hashed, seen)
                if requested and seen == guess:
                    drafts.preload(db, seen, str(public_id), requested[0])
                    if ahead and requested[0] is not None:
                        keep_ahead(db, ahead, requested[1:])
            if db.dirty or db.deleted:
                db.commit()

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
