"""Deny-by-default access control.

Every view must declare who may use it: :func:`public` for the short explicit list of views
open to anonymous visitors, or :func:`roles` with the roles allowed. The gate installed by
:func:`install_gate` runs before every request and refuses any endpoint that declares neither,
so a forgotten decorator fails closed. Object-level checks (which authority's request) are the
services' job, on every query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role, User
from portal.config import Settings
from portal.web import pending
from portal.web.api.paths import is_api_request

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC_ATTR = "_portal_public"
ROLES_ATTR = "_portal_roles"
#: Endpoints of Flask itself that are public (static files).
BUILTIN_PUBLIC_ENDPOINTS = frozenset({"static"})
#: What a user who must have a second factor may use before setting one up: the authenticator
#: app's page, the security keys' page and their registration, signing out.
ENROLMENT_ENDPOINTS = frozenset({"accounts.enrol_totp", "accounts.logout", "accounts.reauth",
                                 "keys.manage", "keys.register_options", "keys.register"})


def public(view: F) -> F:
    setattr(view, PUBLIC_ATTR, True)
    return view


def roles(*allowed: Role) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        setattr(view, ROLES_ATTR, frozenset(allowed))
        return view

    return decorate


ANY_ROLE = tuple(Role)


def current_user() -> User | None:
    return cast(User | None, g.get("user"))


def require_user() -> User:
    user = current_user()
    if user is None:
        abort(401)
    return user


def view_rule(app: Flask, endpoint: str) -> tuple[bool, frozenset[Role] | None]:
    """(is_public, allowed_roles) of an endpoint; allowed_roles None means undeclared."""
    if endpoint in BUILTIN_PUBLIC_ENDPOINTS:
        return True, None
    view = app.view_functions.get(endpoint)
    if view is None:
        return False, None
    if getattr(view, PUBLIC_ATTR, False):
        return True, None
    return False, getattr(view, ROLES_ATTR, None)


def install_gate(app: Flask) -> None:
    @app.before_request
    def _gate() -> Response | None:
        endpoint = request.endpoint
        if endpoint is None:
            return None  # 404/405 handled by Flask
        is_public, allowed = view_rule(current_app, endpoint)
        if is_public:
            return None
        user = current_user()
        api = is_api_request()
        if user is None:
            if api:
                abort(401)  # answered as problem+json, with WWW-Authenticate
            if request.method == "GET":
                return redirect(url_for("accounts.login", next=_safe_next()))
            expired_for = g.get("expired_user_id")
            if expired_for is not None and pending.stash_current_request(expired_for):
                # the session ended while the user was typing: keep it, sign in, come back
                return redirect(url_for("accounts.login", next=request.path), code=303)
            abort(401)
        if not api and not user.has_second_factor and endpoint not in ENROLMENT_ENDPOINTS \
                and user.second_factor_required(_settings().submitter_2fa_required) \
                and not _via_sso():
            # a submitter just signed in, or one promoted to a staff role: no access until a
            # factor is set up (a session opened through the Department's provider has the
            # provider's own)
            if request.method == "GET":
                return redirect(url_for("accounts.enrol_totp"))
            abort(403)
        if allowed is None or user.role_enum not in allowed:
            abort(403)
        return None


def _settings() -> Settings:
    return cast(Settings, current_app.extensions["portal.settings"])


def _via_sso() -> bool:
    row = g.get("user_session")
    return bool(row is not None and row.via_sso)


def _safe_next() -> str:
    path = request.full_path if request.query_string else request.path
    return path if path.startswith("/") and not path.startswith("//") else "/"


def safe_redirect_target(target: str | None, fallback: str = "/") -> str:
    """Only same-site absolute paths are followed after login (no open redirect).

    Whitespace and control characters are refused too: browsers drop tabs and newlines from
    URLs, so a slash, a tab and ``/evil.example`` would become the protocol-relative
    ``//evil.example``.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target

