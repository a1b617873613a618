"""What every API call goes through: the token (``Authorization: Bearer``; cookies are never
read under /api, so a browser's session does not work there and CSRF cannot apply), the
token's rate limit, problem+json for every error, and the call's audit record."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, g, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from portal.accounts import tokens
from portal.audit.log import has_pending, record
from portal.limits import counters
from portal.web.api.paths import is_api_request
from portal.web.api.problems import ApiProblem, response_of
from portal.web.context import FAILED, client_ip, settings

_log = logging.getLogger(__name__)
#: On ``g``: the token of the call, and why a token sent was refused.
TOKEN = "api_token"  # noqa: S105 - a key of flask.g, not a secret
REFUSAL = "api_token_refusal"


def bearer_token() -> str | None:
    """The token of ``Authorization: Bearer <token>``; None when there is no such header."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()[:200]


def install_authentication(app: Flask) -> None:
    """Before the gate: an API call acts as its token's account (or as no one)."""

    @app.before_request
    def _authenticate() -> None:
        if not is_api_request() or request.endpoint is None:
            return
        raw = bearer_token()
        if raw is None:
            return
        verified = tokens.verify(g.db, raw)
        if verified.token is None:
            setattr(g, REFUSAL, (verified.refusal, verified.prefix))
            return
        g.user = verified.token.user
        setattr(g, TOKEN, verified.token)
        _limit(verified.token.id)


def _limit(token_id: int) -> None:
    limits = settings().limits
    count = counters.hit(g.db, f"api.token:{token_id}", limits.window_seconds)
    # the count stands whatever the call does next (and last_used_at with it)
    if has_pending(g.db):
        g.db.commit()
    else:
        counters.commit_without_waiting_for_disk(g.db)
    if count.over(limits.api_token_calls):
        raise ApiProblem("rate-limited", headers={"Retry-After": str(count.retry_after)})


def install_audit(bp: Blueprint) -> None:
    """Every call of the blueprint is recorded, refused ones included (their changes are
    rolled back, the record of the call is kept)."""

    @bp.after_request
    def _audit(response: Response) -> Response:
        db = g.get("db")
        if db is None:
            return response
        failed = bool(g.get(FAILED))
        if failed:
            db.rollback()
        user = g.get("user")
        token = g.get(TOKEN)
        refusal = g.get(REFUSAL)
        details = {"method": request.method, "path": request.path[:200],
                   "status": response.status_code,
                   "token": token.prefix if token is not None else (refusal[1] if refusal
                                                                    else "")}
        if refusal is not None:
            details["refused"] = str(refusal[0])
        record(db, "api.call", actor_id=user.id if user else None,
               actor=user.email if user else "", ip=client_ip(), object_type="api",
               object_id=request.endpoint or "", details=details)
        if failed:
            try:
                db.commit()
            except SQLAlchemyError:
                _log.warning("the audit record of a refused API call was not written",
                             exc_info=True)
                db.rollback()
        return response


def problem_response(problem: ApiProblem) -> Response:
    return response_of(problem)
