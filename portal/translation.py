"""Translation in the page's language for the web app's code and templates: ``gettext`` and
``lazy_gettext`` as Flask-Babel's, reading the request's catalog once per request and language
instead of looking up domain, locale and cache again for every string."""

from __future__ import annotations

from typing import Any, cast

from babel.support import NullTranslations
from flask import g
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString


def catalog() -> NullTranslations:
    """The catalog of the page's language (a block under ``force_locale`` has a locale of its
    own, so gets its own catalog); Flask-Babel's empty one outside a request or app."""
    locale = get_locale()
    if locale is None:
        return cast(NullTranslations, get_translations())
    kept: tuple[Any, NullTranslations] | None = g.get("portal_catalog")
    if kept is None or kept[0] is not locale:
        kept = (locale, get_translations())
        g.portal_catalog = kept
    return kept[1]


def gettext(string: str, **variables: Any) -> str:
    text = catalog().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return catalog().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """A text translated when it is shown, in the language of the page showing it."""
    return LazyString(gettext, string, **variables)
