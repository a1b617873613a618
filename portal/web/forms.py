"""The base of every form: Flask-WTF's CSRF token, and WTForms' own messages ("This field is
required.") in the page's language from the catalogs WTForms ships."""

# WTForms translates its messages through Meta.get_translations; with WTF_I18N_ENABLED off
# (portal/app.py), Flask-WTF leaves that to WTForms' DefaultMeta, which loads the catalogs
# named by Meta.locales from wtforms/locale and keeps them per list of names
# (Meta.cache_translations: at most one entry per language of portal/locales.json).

from __future__ import annotations

from flask import has_request_context
from flask_wtf import FlaskForm

from portal.i18n_core import default_locale
from portal.web.i18n import current_locale_code

#: WTForms' source language, last in every list: a message its catalog lacks stays English.
ENGLISH = "en"
#: Our locales whose WTForms catalog has another name: WTForms' "zh" is Simplified Chinese
#: ("zh_TW" is Traditional). Every other locale of portal/locales.json has a catalog of its
#: own code ("pt" has no region); a locale without one would get English, the deliberate
#: fallback (tests/web/test_form_messages.py checks that each one finds a catalog).
CATALOG_NAMES = {"zh_Hans": "zh"}


def wtforms_locales(code: str) -> tuple[str, ...]:
    """The WTForms catalogs for one of our locale codes, best first, English last."""
    name = CATALOG_NAMES.get(code, code)
    return (ENGLISH,) if name == ENGLISH else (name, ENGLISH)


class PortalForm(FlaskForm):  # type: ignore[misc]
    """A form with a CSRF token whose built-in messages follow the request's language."""

    class Meta:
        cache_translations = True

        @property
        def locales(self) -> tuple[str, ...]:
            code = current_locale_code() if has_request_context() else default_locale()
            return wtforms_locales(code)


class PortalSubform(PortalForm):
    """A form nested in another by ``FormField``: the outer form carries the CSRF token."""

    class Meta:
        csrf = False
