"""``create_app``: the only place that wires Flask, extensions and blueprints."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any, cast

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup, escape

from portal import cache
from portal.accounts.passwords import make_hasher
from portal.audit import keys as audit_keys
from portal.config import Settings
from portal.db import Database
from portal.i18n_core import PACKAGE_DIR, day_name
from portal.web.chrome import chrome

log = logging.getLogger(__name__)


def bdi_ltr(value: Any) -> Markup:
    """``value`` isolated as left-to-right text (codes, references in an Arabic page)."""
    return Markup('<bdi dir="ltr">' + str(escape(value)) + "</bdi>")  # noqa: S704 - escaped


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    settings.validate()
    app = Flask(
        "portal",
        template_folder=str(PACKAGE_DIR.parent / "templates"),
        static_folder=str(PACKAGE_DIR / "static"),
        static_url_path="/static",
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="__Host-portal" if settings.secure_cookies else "portal",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        MAX_CONTENT_LENGTH=settings.max_request_mb * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        WTF_CSRF_SSL_STRICT=settings.is_production,
        WTF_I18N_ENABLED=False,  # PortalForm's Meta picks WTForms' catalogs (portal/web/forms.py)
        TEMPLATES_AUTO_RELOAD=settings.env == "development",
        JSON_SORT_KEYS=False,
    )
    app.extensions["portal.settings"] = settings
    app.extensions["portal.db"] = Database(settings.database_url)
    # the audit log's key stays out of the database: its engine is given it here
    audit_keys.attach(app.extensions["portal.db"].engine,
                      audit_keys.AuditKeys.from_settings(settings))
    app.extensions["portal.hasher"] = make_hasher(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)

    from portal import wiring
    from portal.web import i18n

    wiring.connect()
    from portal.web.access import install_gate
    from portal.web.api.blueprint import bp as api_bp
    from portal.web.api.hooks import install_authentication
    from portal.web.context import install_commit, install_context
    from portal.web.errors import install_errors
    from portal.web.metrics import install_metrics
    from portal.web.rate_limits import install_rate_limits
    from portal.web.security import install_headers

    install_metrics(app)  # times every request from its start to its answer
    install_context(app)  # opens the db session and loads the user first
    install_authentication(app)  # (API calls: the user of the bearer token instead)
    install_gate(app)     # then denies by default
    # then checks the form token (knowing the user, to keep their input); not on the API,
    # which reads no cookie (a browser's session does not work there)
    CSRFProtect(app).exempt(api_bp)
    install_rate_limits(app)  # then counts the form posts that passed
    install_headers(app, settings)
    install_errors(app)
    i18n.init_app(app)
    _register_blueprints(app)
    from portal.web.accounts import sso_client

    sso_client.install(app, settings)  # single sign-on, when PORTAL_OIDC_ISSUER is set
    _template_globals(app)
    install_commit(app)   # last: its after-request function runs first
    if settings.trusted_proxies:
        from portal.web.proxies import TrustedProxies

        # the client's address (rate limits, audit) from X-Forwarded-For of trusted proxies only
        app.wsgi_app = TrustedProxies(app.wsgi_app, settings.trusted_proxies)  # type: ignore[method-assign]
    return app


def format_file_size(size: int) -> str:
    """A file size for people, in the locale's number format (1.5 MB, 1,5 MB, ١٫٥ MB).
    Binary multiples, like the limits in the settings (25 MB = 25 x 1024 x 1024 bytes)."""
    from flask_babel import format_decimal

    value: float = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            pattern = "#,##0" if unit == "B" else "#,##0.#"
            return f"{format_decimal(value, format=pattern)}\u00a0{unit}"
        value /= 1024
    raise AssertionError("unreachable")


#: Instants as the templates show them, by (instant, format, language, time zone).
_DATETIMES = cache.named(
    "datetimes", max_bytes=1024 * 1024,
    why="an instant in one language and time zone reads the same on every page; the package "
        "view shows one per version, message and event")


def _template_globals(app: Flask) -> None:
    from flask_babel import (
        format_date,
        format_datetime,
        format_number,
        get_locale,
        get_timezone,
    )

    from portal.i18n_core import supported_locales
    from portal.translation import lazy_gettext
    from portal.web.access import current_user

    role_labels = {
        "submitter": lazy_gettext("Submitter"),
        "triage": lazy_gettext("OIA triage"),
        "trainer": lazy_gettext("Trainer"),
        "admin": lazy_gettext("Administrator"),
    }

    def _format_date(value: Any = None, format: str | None = None, rebase: bool = True
                     ) -> str:
        if type(value) is date and format is None:
            return day_name(value, str(get_locale()))
        return str(format_date(value, format, rebase))

    def _format_datetime(value: Any = None, format: str | None = None, rebase: bool = True
                         ) -> str:
        if type(value) is datetime and value.tzinfo is not None and rebase:
            key = (value, format, str(get_locale()), str(get_timezone()))
            return str(_DATETIMES.get_or_make(key, lambda: str(format_datetime(value, format))))
        return str(format_datetime(value, format, rebase))

    app.add_template_filter(bdi_ltr, "ltr")
    app.add_template_global(bdi_ltr, "bdi_ltr")
    app.add_template_global(chrome, "chrome")

    def select_options(pairs: Any, selected: str | None = None) -> Markup:
        """The ``options`` macro of macros/fields.html, for templates that call it directly."""
        macros: Any = app.jinja_env.get_template("macros/fields.html").module
        return cast(Markup, macros.options(pairs, selected))

    app.add_template_global(select_options, "select_options")

    @app.context_processor
    def _globals() -> dict[str, object]:
        return {
            "current_user": current_user(),
            "supported_locales": supported_locales(),
            "role_label": lambda role: role_labels.get(role, role),
            "format_datetime": _format_datetime,
            "format_date": _format_date,
            "format_number": format_number,
            "format_file_size": format_file_size,
        }


def _register_blueprints(app: Flask) -> None:
    from portal.web import main, metrics
    from portal.web.accounts import (  # noqa: F401 - jobs_views: admin pages
        admin,
        jobs_views,
        keys_views,
        sso_views,
        token_views,
        views,
    )
    from portal.web.api.blueprint import bp as api_bp
    from portal.web.notices import views as notice_views
    from portal.web.packages import views as package_views
    from portal.web.reference import (  # noqa: F401 - transfer_views: export and import
        transfer_views,
    )
    from portal.web.reference import views as reference_views
    from portal.web.requests.blueprint import bp as requests_bp
    from portal.web.training import views as training_views
    from portal.web.triage.blueprint import bp as triage_bp
    from portal.web.webhooks import views as webhook_views  # noqa: F401 - admin pages

    app.register_blueprint(main.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(requests_bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(sso_views.bp)
    app.register_blueprint(keys_views.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(reference_views.bp)
    app.register_blueprint(token_views.bp)
    app.register_blueprint(triage_bp)
    app.register_blueprint(package_views.bp)
    app.register_blueprint(training_views.bp)
    app.register_blueprint(notice_views.bp)
    app.register_blueprint(api_bp)
