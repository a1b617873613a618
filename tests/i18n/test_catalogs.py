"""The translation catalogs are complete, current and right.

- the template of messages is up to date with the code (a fresh extraction adds or drops nothing);
- every supported locale has a catalog, and every catalog on disk is a supported locale;
- every message is translated, none is fuzzy;
- placeholders are the same in every translation;
- no HTML in a translation unless the source has the same tags;
- each catalog's longer strings are detected as its language by a real language detector.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from portal.i18n_core import locale_codes

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{(\w*)\}")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")


def _key(message: Message) -> tuple[object, object]:
    return (message.id, message.context)


@cache
def template() -> Catalog:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        return read_po(handle)


@cache
def catalog(locale: str) -> Catalog:
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale.replace("_Hans", ""))


def _strings(value: object) -> list[str]:
    if isinstance(value, tuple | list):
        return [str(v) for v in value]
    return [str(value)] if value else []


def test_template_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "--no-location",
         "--sort-output", "-F", "babel.cfg", "-k", "N_", "-k", "_l", "-k", "lazy_gettext",
         "--ignore-dirs=.* _* .venv build node_modules instance", "-o", str(fresh), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with fresh.open("rb") as handle:
        extracted = {_key(m) for m in read_po(handle) if m.id}
    committed = {_key(m) for m in template() if m.id}
    hint = "messages.pot is out of date: run make update-catalogs"
    assert extracted - committed == set(), hint
    assert committed - extracted == set(), hint


def test_supported_locales_match_catalogs_on_disk() -> None:
    on_disk = {p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert on_disk == set(locale_codes())


@pytest.mark.parametrize("locale", locale_codes())
def test_catalog_is_complete_and_not_fuzzy(locale: str) -> None:
    translated = {_key(m): m for m in catalog(locale) if m.id}
    missing = [m.id for m in template() if m.id and _key(m) not in translated]
    assert missing == [], f"{locale}: messages missing from the catalog"
    empty = [m.id for m in translated.values() if not all(_strings(m.string))
             or not _strings(m.string)]
    assert empty == [], f"{locale}: untranslated messages"
    fuzzy = [m.id for m in translated.values() if m.fuzzy]
    assert fuzzy == [], f"{locale}: fuzzy messages"


@pytest.mark.parametrize("locale", locale_codes())
def test_placeholders_and_tags_match(locale: str) -> None:
    problems = []
    for message in catalog(locale):
        if not message.id:
            continue
        sources = _strings(message.id)
        wanted_placeholders = Counter(PLACEHOLDER.findall(sources[0]))
        wanted_tags = Counter(TAG.findall(sources[0]))
        for text in _strings(message.string):
            if set(PLACEHOLDER.findall(text)) != set(wanted_placeholders):
                problems.append(f"placeholders differ: {sources[0]!r} -> {text!r}")
            if Counter(TAG.findall(text)) != wanted_tags:
                problems.append(f"HTML tags differ: {sources[0]!r} -> {text!r}")
    assert problems == []


#: The language each catalog must be written in, as lingua names it.
DETECTED_AS = {
    "en": "ENGLISH", "es": "SPANISH", "fr": "FRENCH", "pt": "PORTUGUESE", "de": "GERMAN",
    "ar": "ARABIC", "zh_Hans": "CHINESE", "ru": "RUSSIAN",
}


@pytest.mark.parametrize("locale", locale_codes())
def test_catalog_is_written_in_its_language(locale: str) -> None:
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in DETECTED_AS.values()]
    detector = LanguageDetectorBuilder.from_languages(*languages).build()
    texts = [s for m in catalog(locale) if m.id for s in _strings(m.string)
             if len(PLACEHOLDER.sub("", s)) >= 40]
    assert len(texts) >= 20, f"{locale}: too few long strings to judge"
    detected = Counter(
        detector.detect_language_of(PLACEHOLDER.sub("", text)) for text in texts)
    expected = getattr(Language, DETECTED_AS[locale])
    share = detected[expected] / len(texts)
    assert share >= 0.95, f"{locale}: only {share:.0%} of long strings detected as {expected}"
