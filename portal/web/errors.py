"""Translated error pages; never a stack trace. CSRF failures explain what happened."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, flash, g, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from portal.translation import lazy_gettext as _l
from portal.web import pending
from portal.web.api.paths import is_api_request
from portal.web.api.problems import ApiProblem, for_status, response_of
from portal.web.context import fail_transaction

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("The request could not be understood"),
          _l("Something in what was sent is not valid. Go back and try again.")),
    401: (_l("Please sign in"), _l("You need to sign in to see this page.")),
    403: (_l("You do not have access to this page"),
          _l("Your account's role does not allow this. If you think it should, contact your "
             "administrator.")),
    404: (_l("Page not found"),
          _l("The page does not exist, or you do not have access to it. Check the address.")),
    405: (_l("This action is not allowed here"),
          _l("The page does not accept this kind of request. Go back and use the buttons on "
             "the page.")),
    413: (_l("The file is too large"),
          _l("What you sent is larger than the portal accepts. Nothing was saved from this "
             "upload. Check the size limits shown on the page and try a smaller file.")),
    429: (_l("Too many attempts"),
          _l("There have been too many attempts from your connection. Wait a few minutes, then "
             "try again.")),
    500: (_l("Sorry, something went wrong"),
          _l("The portal could not complete this request. Your saved work is safe. Try again "
             "in a moment; if it keeps happening, contact the help desk.")),
}


def _render(code: int, title: object, message: object) -> tuple[str, int]:
    db = g.get("db")
    if db is not None:
        db.rollback()
    try:
        return render_template("error.html", code=code, title=title, message=message), code
    except Exception:
        # The rollback expired the signed-in user, and the layout's reading of it failed: the
        # database is down. The page is then drawn as for a visitor, never as gunicorn's own
        # untranslated page without the security headers.
        log.warning("error page drawn without the user: the database is unavailable")
        g.user = None
        return render_template("error.html", code=code, title=title, message=message), code


def error_response(code: int) -> tuple[str, int]:
    """The error page of ``code`` as a view's own answer: what the view recorded is kept
    (a refused sign-in counts against the account)."""
    title, message = MESSAGES[code]
    return _render(code, title, message)


def _api_problem(problem: ApiProblem) -> Response:
    fail_transaction()
    db = g.get("db")
    if db is not None:
        with contextlib.suppress(Exception):
            db.rollback()
    return response_of(problem)


def install_errors(app: Flask) -> None:
    @app.errorhandler(ApiProblem)
    def _problem(problem: ApiProblem) -> Response:
        return _api_problem(problem)

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str, int] | Response:
        user = g.get("user")
        if user is not None and pending.stash_current_request(user.id):
            flash(_l("Your form had expired, so nothing was saved yet. What you typed is "
                     "below: check it and save again."), "warning")
            return redirect(request.path, code=303)
        fail_transaction()
        return _render(
            400, _l("Your form has expired"),
            _l("For your security, forms expire after a while or when you sign in again. Go "
               "back, reload the page and send the form again."),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int] | HTTPException:
        code = error.code or 500
        if is_api_request() and code >= 400:
            headers = {k: v for k, v in error.get_headers() if k in ("Allow", "Retry-After")}
            problem = for_status(code)
            problem.headers.update(headers)
            return _api_problem(problem)  # type: ignore[return-value]
        if code >= 400:
            fail_transaction()
        if code not in MESSAGES:
            return error
        title, message = MESSAGES[code]
        return _render(code, title, message)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        if isinstance(error, HTTPException):
            return _http(error)  # type: ignore[return-value]
        log.exception("unhandled error on %s %s", request.method, request.path)
        if is_api_request():
            return _api_problem(for_status(500))  # type: ignore[return-value]
        fail_transaction()
        with contextlib.suppress(Exception):  # the error page must not fail on a broken session
            g.db.rollback()
        title, message = MESSAGES[InternalServerError.code]
        return _render(500, title, message)
