"""Which way a text runs and what its language is called: by language code (Babel), or for
a value of no stated language by its letters and the page's direction."""

from __future__ import annotations

import unicodedata

from babel import Locale, UnknownLocaleError

#: Languages written right to left (primary subtags), used when Babel does not know the code.
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku", "ps", "sd", "syr", "ug", "ur", "yi"}
)


def primary_subtag(language: str) -> str:
    """``"zh"`` for ``zh-Hans``, ``"pt"`` for ``pt_BR``."""
    return language.strip().replace("_", "-").split("-")[0].lower()


def _babel_locale(language: str) -> Locale | None:
    code = language.strip().replace("-", "_")
    if not code:
        return None
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError, TypeError):
        try:
            return Locale.parse(primary_subtag(language))
        except (UnknownLocaleError, ValueError, TypeError):
            return None


def text_direction(language: str) -> str:
    """``"rtl"`` for a language written right to left, ``"ltr"`` for another known language,
    ``"auto"`` (let the text decide) for an empty or unknown code."""
    if not language.strip():
        return "auto"
    if primary_subtag(language) in RTL_LANGUAGES:
        return "rtl"
    locale = _babel_locale(language)
    if locale is None:
        return "auto"
    return "rtl" if locale.text_direction == "rtl" else "ltr"


def language_name(language: str, in_locale: str = "en") -> str:
    """``"Chinese (Simplified)"`` for ``zh-Hans``, in ``in_locale``; the code when unknown."""
    locale = _babel_locale(language)
    if locale is None:
        return language.strip()
    try:
        name = locale.get_display_name(in_locale)
    except (UnknownLocaleError, ValueError):
        name = None
    return name or language.strip()


def is_english(language: str) -> bool:
    """Whether ``language`` is English (any region)."""
    return primary_subtag(language) == "en"


_STRONG = {"ltr": frozenset({"L"}), "rtl": frozenset({"R", "AL"})}


def direction_of(text: str, base: str) -> str:
    """How a value runs on a ``base`` (``ltr``/``rtl``) page: the page's way when the value has a
    letter written that way or no letter at all, else the other way (Arabic-only text on an
    English page). WeasyPrint does not resolve ``dir="auto"``, so templates write this out."""
    base = "rtl" if base == "rtl" else "ltr"
    kinds = {unicodedata.bidirectional(char) for char in text}
    if kinds & _STRONG[base] or not kinds & (_STRONG["ltr"] | _STRONG["rtl"]):
        return base
    return "rtl" if base == "ltr" else "ltr"
