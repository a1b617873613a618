"""Rate limits of form posts, per signed-in account and per address (``PORTAL_RATE_LIMIT_*``),
counted in the database (portal.limits) so that every process and machine shares them; and the
answer to a refused post or sign-in: 429 with Retry-After and a page that says how long to wait.

A refused form is written back into its page, hidden, with a button that sends it again once
the wait is over: nothing typed is lost (passwords, codes and files aside, which the page asks
for again). Signing out is never refused.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, g, render_template, request
from flask_babel import format_timedelta
from werkzeug.wrappers import Response

from portal.audit.log import has_pending, record
from portal.limits import counters
from portal.translation import lazy_gettext as _l
from portal.web.api.paths import is_api_request
from portal.web.context import client_ip, settings
from portal.web.errors import MESSAGES

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: Never limited: static files, and signing out (a person refused can always leave).
EXEMPT = frozenset({"static", "accounts.logout"})
#: Fields never written back into a page (a new CSRF token is issued).
SECRET_FIELDS = frozenset({"csrf_token", "password", "confirm", "current", "code"})

TOO_MANY_POSTS = (_l("Too many forms sent"),
                  _l("You have sent more forms in a short time than the portal accepts, so this "
                     "one was not saved."))
#: An address's failed sign-ins (the page of abort(429)).
TOO_MANY_ATTEMPTS = MESSAGES[429]
ACCOUNT_ATTEMPTS = (_l("Too many attempts"),
                    _l("There have been too many failed attempts to sign in to this account. In "
                       "a browser where you have signed in to it before, you can sign in now."))


def refusal(retry_after: int, texts: tuple[object, object], *,
            keep_form: bool = False) -> Response:
    """The 429 page: what happened, how long to wait, and (``keep_form``) the posted form to
    send again."""
    kept = [(k, v) for k, v in request.form.items(multi=True) if k not in SECRET_FIELDS] \
        if keep_form else []
    title, message = texts
    body = render_template(
        "too_many.html", title=title, message=message, kept=kept, keep_form=keep_form,
        wait=format_timedelta(timedelta(seconds=retry_after), threshold=1.5),
        action=request.full_path.rstrip("?"),
        secrets_dropped=keep_form and any(k in SECRET_FIELDS - {"csrf_token"}
                                          for k in request.form),
        files_dropped=keep_form and bool(request.files))
    return Response(body, status=429, headers={"Retry-After": str(retry_after)},
                    mimetype="text/html")


def install_rate_limits(app: Flask) -> None:
    """Count every form post (after the gate and the CSRF check: a refused or forged post
    costs nothing and is not counted) for its address and its signed-in account."""

    @app.before_request
    def _limit_posts() -> Response | None:
        if request.method in SAFE_METHODS or request.endpoint in (None, *EXEMPT) \
                or is_api_request():  # an API call counts against its token's limit
            return None
        limits = settings().limits
        window = limits.window_seconds
        address = counters.hit(g.db, f"post.address:{counters.address_group(client_ip())}",
                               window)
        refused = [address] if address.over(limits.address_posts) else []
        first = address.count == limits.address_posts + 1
        user = g.get("user")
        if user is not None:
            account = counters.hit(g.db, f"post.account:{user.id}", window)
            if account.over(limits.account_posts):
                refused.append(account)
                first = first or account.count == limits.account_posts + 1
        if refused and first:  # once per window, not at every refused post
            record(g.db, "post.rate_limited", actor_id=user.id if user else None,
                   actor=user.email if user else "", ip=client_ip(),
                   details={"path": request.path[:200]})
        # the counts stand whatever the request does next, and the counters' rows are not
        # held locked while the view works (audit records are committed as usual)
        if has_pending(g.db):
            g.db.commit()
        else:
            counters.commit_without_waiting_for_disk(g.db)
        if not refused:
            return None
        return refusal(max(c.retry_after for c in refused), TOO_MANY_POSTS, keep_form=True)
