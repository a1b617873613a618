"""Locale selection, text direction and the language switch of the web app (the choice is kept
in the session and, for a signed-in user, in their account, so e-mails reach them in it)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from babel.support import NullTranslations
from flask import Blueprint, Flask, redirect, request, session
from flask_babel import Babel, get_locale
from jinja2 import pass_context
from jinja2.runtime import Context
from werkzeug.wrappers import Response

from portal.i18n_core import TRANSLATIONS_DIR, default_locale, locale_codes, locale_info
from portal.translation import catalog
from portal.web.access import current_user, public, safe_redirect_target
from portal.web.api.paths import is_api_request

bp = Blueprint("i18n", __name__)
SESSION_KEY = "locale"


def select_locale() -> str:
    """The page's language: ``?lang=``, else the user's saved preference, the session, the
    browser's Accept-Language, English."""
    codes = locale_codes()
    if is_api_request():  # an API call: its Accept-Language only (no cookie, no account)
        return _accepted(codes)
    explicit = request.args.get("lang")
    if explicit in codes:
        return explicit
    user = current_user()
    if user is not None and user.locale in codes:
        return user.locale
    remembered = session.get(SESSION_KEY)
    if remembered in codes:
        return str(remembered)
    return _accepted(codes)


def _accepted(codes: tuple[str, ...]) -> str:
    best = request.accept_languages.best_match(
        [c.replace("_", "-") for c in codes] + [c.split("_")[0] for c in codes]
    )
    if best:
        for code in codes:
            if best in (code.replace("_", "-"), code.split("_")[0]):
                return code
    return default_locale()


def current_locale_code() -> str:
    locale = get_locale()
    if locale is None:
        return default_locale()
    code = str(locale)
    if code in locale_codes():
        return code
    return code.split("_")[0] if code.split("_")[0] in locale_codes() else default_locale()


@bp.route("/language", methods=["POST"])
@public
def set_language() -> Response:
    code = request.form.get("lang", "")
    if code in locale_codes():
        session[SESSION_KEY] = code
        user = current_user()
        if user is not None:
            user.locale = code
    target = _without_lang(safe_redirect_target(request.form.get("next"), "/"))
    return redirect(target, code=303)


def _without_lang(target: str) -> str:
    """Drop ``?lang=`` from the page to return to: it would override the choice just made."""
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(("", "", parts.path, urlencode(query), parts.fragment))


def init_app(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIR)
    app.config["BABEL_DEFAULT_LOCALE"] = default_locale()
    Babel(app, locale_selector=select_locale)
    # the templates' _(), ngettext and pgettext read the catalog the page's render was given
    # (a macro imported without the page's context looks it up), not through Flask-Babel's
    # look-up of domain, locale and cache on every string (Jinja's public API)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=pass_context(lambda c, s: _catalog_of(c).ugettext(s)),
        ngettext=pass_context(lambda c, s, p, n: _catalog_of(c).ungettext(s, p, n)),
        pgettext=pass_context(lambda c, x, s: _catalog_of(c).upgettext(x, s)),
        npgettext=pass_context(lambda c, x, s, p, n: _catalog_of(c).unpgettext(x, s, p, n)),
        newstyle=True)
    app.register_blueprint(bp)

    @app.context_processor
    def _locale_context() -> dict[str, object]:
        code = current_locale_code()
        info = locale_info(code)
        return {"locale_code": code, "locale_info": info, "text_dir": info.dir,
                "portal_catalog": catalog()}


def _catalog_of(context: Context) -> NullTranslations:
    found = context.get("portal_catalog")
    return found if found is not None else catalog()
