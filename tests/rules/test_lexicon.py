"""Every entry of the reader's word lists is found in its own example sentence."""

from __future__ import annotations

import re
from functools import cache

import pytest

from portal.rules.reading import lexicon, read_dates
from portal.rules.reading.phrases import find

CATEGORIES = [c for c in lexicon.categories() if c != "numbers"]
ENTRIES = [e for c in CATEGORIES for e in lexicon.entries(c)]


@cache  # compiled once for all the entries of a category
def _category_pattern(category: str) -> re.Pattern[str]:
    return lexicon.pattern(category)


def test_every_language_has_its_word_lists() -> None:
    english = set(lexicon.categories())
    for language in lexicon.LANGUAGES:
        path = lexicon.DIRECTORY / f"{language}.toml"
        assert path.is_file(), language
        for category in english:
            assert any(e.language == language for e in lexicon.entries(category)), (
                language, category)
        assert len(lexicon.month_forms(language)) == 12, language


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.language}-{e.category}-{e.phrase}"
                                                 for e in ENTRIES])
def test_entry_is_found_in_its_example(entry: lexicon.Entry) -> None:
    alone = re.compile(lexicon.phrase_pattern(entry.phrase), re.IGNORECASE)
    own = alone.search(entry.example)
    assert own is not None, f"{entry.phrase!r} is not in {entry.example!r}"
    together = _category_pattern(entry.category)
    assert any(m.start() <= own.start() < max(m.end(), m.start() + 1)
               for m in together.finditer(entry.example))


@pytest.mark.parametrize("language", lexicon.LANGUAGES)
def test_number_words_have_values(language: str) -> None:
    numbers = [e for e in lexicon.entries("numbers") if e.language == language]
    assert numbers, language
    for entry in numbers:
        assert entry.example.isdigit() and int(entry.example) > 0, entry


@pytest.mark.parametrize("language", lexicon.LANGUAGES)
def test_every_month_form_is_read(language: str) -> None:
    for number, forms in enumerate(lexicon.month_forms(language), start=1):
        for form in forms:
            if any(ch.isdigit() for ch in form):
                written = f"2026年{number}月5日" if "月" in form else f"5 {form} 2026"
            else:
                written = f"5 {form} 2026"
            found = read_dates(f"Le {written}.")
            assert [(m.first.month, m.first.day) for m in found] == [(number, 5)], (
                language, form, found)


def test_negated_and_quoted_phrases_are_left_out() -> None:
    assert find("intercept", "We request the interception of the account.")
    assert not find("intercept", "We do not request the interception of the account.")
    assert not find("intercept", "Interception is not requested.")
    assert not find("intercept", 'The suspect wrote: "I will intercept your calls".')
