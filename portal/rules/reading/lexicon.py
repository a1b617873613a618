"""The word lists of the reader: one TOML file per language in ``lexicon/`` (``[phrase,
example]`` entries per category, in the syntax described at the head of ``lexicon/en.toml``),
read once; :func:`phrase_pattern` turns a phrase into a regular expression."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DIRECTORY = Path(__file__).resolve().parent / "lexicon"
#: The languages whose word lists the reader has (the interface languages).
LANGUAGES = ("en", "es", "fr", "pt", "de", "ar", "ru", "zh")

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
#: Arabic letters that a phrase may carry in front of it (and, then, with, for, as; the article).
ARABIC_PREFIX = r"(?:[وف]?(?:[بلك]|ال|بال|لل|كال)?)"


@dataclass(frozen=True, slots=True)
class Entry:
    language: str
    category: str
    phrase: str
    example: str


def phrase_pattern(phrase: str) -> str:
    """The regular expression of one phrase (without the flags)."""
    words = phrase.strip().split()
    parts: list[str] = []
    for word in words:
        if word == "~":
            parts.append(r"(?:\W+\w+){0,4}?")
            continue
        stem = word.endswith("*") and len(word) > 1
        core = re.escape(word[:-1] if stem else word)
        parts.append(core + (r"\w*(?:['’]s)?" if stem else ""))  # a stem takes "'s" too
    body = ""
    for index, part in enumerate(parts):
        if index == 0:
            body = part
        elif part.startswith(r"(?:\W+\w+)"):
            body += part
        else:
            body += r"[\s\-‐-―]+" + part
    first = phrase.strip()[:1]
    if _CJK.match(first):
        start = ""
    elif _ARABIC.match(first):
        start = r"(?<![\w])" + ARABIC_PREFIX
    else:
        start = r"(?<!\w)"
    last = phrase.strip()[-1:]
    end = "" if (last == "*" or _CJK.match(last)) else r"(?!\w)"
    return start + body + end


@cache  # the word lists shipped with the code, read once
def _files() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for language in LANGUAGES:
        path = DIRECTORY / f"{language}.toml"
        if path.is_file():
            with path.open("rb") as handle:
                out[language] = tomllib.load(handle)
    return out


def _file(language: str) -> dict[str, Any]:
    return _files().get(language, {})


def entries(category: str) -> list[Entry]:
    """Every entry of a category, in every language."""
    out: list[Entry] = []
    for language in LANGUAGES:
        for raw in _file(language).get("phrases", {}).get(category, []):
            if isinstance(raw, list) and len(raw) == 2:
                out.append(Entry(language, category, str(raw[0]), str(raw[1])))
    return out


def categories() -> tuple[str, ...]:
    names: dict[str, None] = {}
    for language in LANGUAGES:
        names.update(dict.fromkeys(_file(language).get("phrases", {})))
    return tuple(names)


def pattern(category: str) -> re.Pattern[str]:
    """One pattern for every phrase of ``category`` (longest first), in every language."""
    phrases = sorted({e.phrase for e in entries(category) if e.phrase.strip()},
                     key=len, reverse=True)
    if not phrases:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(f"(?:{phrase_pattern(p)})" for p in phrases), re.IGNORECASE)


@cache  # made once from the word lists shipped with the code
def numbers() -> dict[str, int]:
    """Number words (lower case) of every language, with their values."""
    out: dict[str, int] = {}
    for entry in entries("numbers"):
        if entry.example.isdigit():
            out[entry.phrase.casefold()] = int(entry.example)
    return out


@cache  # made once from the word lists shipped with the code
def months() -> dict[str, int]:
    """Every month name and form (case-folded) of every language, with its number."""
    out: dict[str, int] = {}
    for language in LANGUAGES:
        for number, forms in enumerate(month_forms(language), start=1):
            for form in forms:
                out.setdefault(form.casefold().rstrip("."), number)
    return out


def month_forms(language: str) -> list[list[str]]:
    raw = _file(language).get("dates", {}).get("months", [])
    if not isinstance(raw, list) or len(raw) != 12:
        return []
    return [[str(form) for form in forms] for forms in raw]


def date_words(kind: str) -> tuple[str, ...]:
    """The ``glue`` or ``range`` words of dates, in every language (longest first)."""
    words: set[str] = set()
    for language in LANGUAGES:
        raw = _file(language).get("dates", {}).get(kind, [])
        words.update(str(w).casefold() for w in raw if isinstance(w, str) and w.strip())
    return tuple(sorted(words, key=len, reverse=True))


def date_format(language: str) -> str:
    return str(_file(language).get("dates", {}).get("format", "{day} {month} {year}"))
