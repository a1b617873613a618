"""Security headers set by the app itself on every response, errors included."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Response

from portal.config import Settings
from portal.sso_settings import origin


def content_security_policy(form_targets: tuple[str, ...] = ()) -> str:
    """The CSP; ``form_targets``: other origins a form may go to, redirects included (the
    sign-out form ends at the Department's provider when single sign-on is on)."""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        " ".join(("form-action 'self'", *form_targets)),
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ])


CSP = content_security_policy()


def install_headers(app: Flask, settings: Settings) -> None:
    csp = content_security_policy((origin(settings.oidc.issuer),)) if settings.oidc.enabled \
        else CSP

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = csp
        headers["X-Content-Type-Options"] = "nosniff"
        # same-origin, not no-referrer: in production Flask-WTF's strict CSRF check refuses an
        # HTTPS form post without a same-origin Referer, and no-referrer would strip it.
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if settings.is_production:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
        headers.setdefault("Vary", "Cookie")
        return response
