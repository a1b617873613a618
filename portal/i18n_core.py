"""Framework-free translation helpers shared by the web app, the CLI and the rule engine.

The supported locales live in one file, ``portal/locales.json``; the compiled catalogs in
``translations/<locale>/LC_MESSAGES/messages.mo`` (built by ``make catalogs``, never committed).
Code that must not import Flask (the rule engine, the CLI) marks strings with :func:`N_` and
translates them later with :func:`get_translations`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.dates import format_date
from babel.support import Translations

from portal.cache import memoize

PACKAGE_DIR = Path(__file__).resolve().parent
TRANSLATIONS_DIR = PACKAGE_DIR.parent / "translations"


@dataclass(frozen=True)
class LocaleInfo:
    code: str
    name: str
    dir: str
    bcp47: str


@cache
def supported_locales() -> tuple[LocaleInfo, ...]:
    data = json.loads((PACKAGE_DIR / "locales.json").read_text(encoding="utf-8"))
    return tuple(LocaleInfo(**entry) for entry in data["locales"])


def locale_codes() -> tuple[str, ...]:
    return tuple(info.code for info in supported_locales())


def default_locale() -> str:
    return "en"


def locale_info(code: str) -> LocaleInfo:
    for info in supported_locales():
        if info.code == code:
            return info
    return supported_locales()[0]


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


@cache
def get_translations(locale: str) -> NullTranslations:
    """The compiled catalog for ``locale`` (English, the source language, when unknown)."""
    if locale not in locale_codes() or locale == default_locale():
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [locale], domain="messages")


@memoize("day_names", max_bytes=512 * 1024,
         why="a date reads the same in one language on every page; the queue shows a hundred")
def day_name(day: date, locale: str) -> str:
    """A date as the language writes it ("medium" format)."""
    return format_date(day, "medium", locale=locale)
