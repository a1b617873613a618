"""Translation in the page's language for the web app's code and templates: ``gettext`` and
``lazy_gettext`` as Flask-Babel's, reading the request's catalog once per request (kept in
``flask.g``) instead of looking up domain, locale and cache again for every string; a block in
another language uses :func:`force_locale` from here, which gives it its own catalog."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import flask_babel
from babel import Locale
from babel.support import NullTranslations
from flask import g, has_app_context
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString

_KEPT = "portal_catalog"


def catalog() -> NullTranslations:
    """The catalog of the page's language; Flask-Babel's empty one outside an app."""
    if not has_app_context():
        return cast(NullTranslations, get_translations())
    kept: NullTranslations | None = g.get(_KEPT)
    if kept is None:
        kept = cast(NullTranslations, get_translations())
        if get_locale() is not None:
            setattr(g, _KEPT, kept)
    return kept


@contextmanager
def force_locale(locale: str | Locale) -> Iterator[None]:
    """Flask-Babel's ``force_locale``, with a catalog of its own inside the block (the page's
    is kept and given back after it)."""
    saved = g.pop(_KEPT, None) if has_app_context() else None
    try:
        with flask_babel.force_locale(locale):
            yield
    finally:
        if has_app_context():
            g.pop(_KEPT, None)
            if saved is not None:
                setattr(g, _KEPT, saved)


def gettext(string: str, **variables: Any) -> str:
    text = catalog().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return catalog().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """A text translated when it is shown, in the language of the page showing it."""
    return LazyString(gettext, string, **variables)
