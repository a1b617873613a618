"""Dates in free text, in every interface language, with their positions (never raises)."""

# What is read: ISO dates, day/month/year in digits, "5 March 2026", "March 5, 2026", "5. März
# 2026", "5 de marzo de 2026", "5 марта 2026 г.", "٥ مارس ٢٠٢٦", "2026年3月5日", "March 2026" (a
# whole month) and ranges whose first date has no year ("between 3 February and 27 September
# 2026"): a date without its year takes the year of the next dated mention in the sentence (or
# of the one before it). Arabic-Indic and full-width digits are digits. A year alone is not a
# date; years outside 1900-2200 are ignored.

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from portal.rules.reading import lexicon
from portal.rules.reading.texts import Text, as_text, places_of

_DIGITS = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９", "0123456789" * 3
)
_SENTENCE_END = re.compile(r"[.!?;。！？；]\s|\n")


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date (or a whole month: ``first`` to ``last``) found at ``start:end`` of a text."""

    start: int
    end: int
    first: date
    last: date


@dataclass(frozen=True, slots=True)
class _Raw:
    start: int
    end: int
    year: int | None
    month: int | None
    day: int | None


def safe_date(year: int, month: int, day: int) -> date | None:
    if not 1900 <= year <= 2200:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date | None:
    nxt = safe_date(year + (month == 12), month % 12 + 1, 1)
    return None if nxt is None else date.fromordinal(nxt.toordinal() - 1)


_DAY = r"(\d{1,2})(?:st|nd|rd|th|er|ᵉʳ|º|°|ª|-?го|-?е)?\.?"
_YEAR = r"(\d{4})(?!\d)"


def trie_pattern(words: list[str]) -> str:
    """One regular expression for ``words`` that shares their common beginnings (longest match
    first)."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:  # type: ignore[type-arg]
        ends = "" in node
        branches = [re.escape(c) + build(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie)


@cache  # made once from the word lists shipped with the code
def _month_words() -> frozenset[str]:
    """The first word of every month form (to skip the month patterns when none is there)."""
    return frozenset(m.split()[0] for m in lexicon.months() if m.split())


@cache  # compiled once from the word lists shipped with the code
def _patterns() -> tuple[re.Pattern[str], ...]:
    names = [m for m in lexicon.months() if m and not any(c.isdigit() for c in m)]
    month = f"({trie_pattern(names)})\\.?" if names else "(?!x)x"
    glue_words = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in lexicon.date_words("glue"))
    glue = rf"(?:\s*,)?\s*(?:(?:{glue_words})\s*)?" if glue_words else r"(?:\s*,)?\s*"
    range_words = "|".join(re.escape(w) for w in lexicon.date_words("range"))
    joiners = rf"(?:[-–—/]|{range_words})" if range_words else "[-–—/]"
    flags = re.IGNORECASE
    return (
        re.compile(r"(?<![\d.])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d])"),  # ISO-like
        re.compile(r"(?<![\d.])(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?!\d)"),  # 5/3/2026
        re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(?:(\d{1,2})\s*[日号])?"),  # CJK
        re.compile(rf"(?<!\w){_DAY}{glue}{month}(?!\w)(?:{glue}{_YEAR})?", flags),
        re.compile(rf"(?<!\w){month}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?![\w])(?:,?\s*{_YEAR})?",
                   flags),
        re.compile(rf"(?<!\w){month}(?!\w){glue}{_YEAR}", flags),
        re.compile(rf"(?<!\w){_DAY}\s*{joiners}\s*(?=\d{{1,2}}\D{{0,6}}?{month})", flags),
    )


_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"(?<!\d)\d")
_WORD = re.compile(r"\w+")


def _matches(pattern: re.Pattern[str], sample: str, starts: list[int]) -> list[re.Match[str]]:
    """``pattern`` tried only where a mention of its kind can start (a number, a month name)."""
    out = []
    for start in starts:
        match = pattern.match(sample, start)
        if match is not None:
            out.append(match)
    return out


def _raw_mentions(sample: str, words: set[str]) -> list[_Raw]:
    iso, numeric, cjk, dmy, mdy, my, bare = _patterns()
    named = not _month_words().isdisjoint(words)
    months = lexicon.months()
    found: list[_Raw] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], year: str | None, month: int | None, day: str | None) -> None:
        start, end = match.span()
        if any(start < b and a < end for a, b in taken):
            return
        taken.append((start, end))
        found.append(_Raw(start, end, int(year) if year else None, month,
                          int(day) if day else None))

    def month_of(name: str) -> int | None:
        return months.get(name.casefold().rstrip("."))

    digits = [m.start() for m in _NUMBER.finditer(sample)]
    for m in _matches(iso, sample, digits):
        add(m, m[1], int(m[2]), m[3])
    for m in _matches(numeric, sample, digits):
        a, b = int(m[1]), int(m[3])
        day, month = (a, b) if b <= 12 else (b, a)
        add(m, m[4], month, str(day))
    for m in cjk.finditer(sample) if "月" in sample else ():
        if m[1] or m[3]:
            add(m, m[1], int(m[2]), m[3])
    if named:
        folded = sample.casefold()
        if len(folded) == len(sample):
            names = sorted(at for word in _month_words() & words
                           for at in places_of(folded, word))
        else:
            names = [m.start() for m in _WORD.finditer(sample)
                     if m.group(0).casefold() in _month_words()]
        for m in _matches(dmy, sample, digits):
            add(m, m[3], month_of(m[2]), m[1])
        for m in _matches(mdy, sample, names):
            if m[3] or m[1].casefold() != "may":  # "may 5" without a year is a verb
                add(m, m[3], month_of(m[1]), m[2])
        for m in _matches(my, sample, names):
            add(m, m[2], month_of(m[1]), None)
        for m in _matches(bare, sample, digits):
            add(m, None, None, m[1])
    found.sort(key=lambda r: r.start)
    return found


def _same_sentence(sample: str, a: _Raw, b: _Raw) -> bool:
    lo, hi = (a, b) if a.start < b.start else (b, a)
    gap = sample[lo.end:hi.start]
    return len(gap) <= 80 and not _SENTENCE_END.search(gap)


def _complete(sample: str, raws: list[_Raw]) -> list[_Raw]:
    """Give year-less mentions the year (and a bare day the month) of a neighbour."""
    out: list[_Raw] = []
    for index, raw in enumerate(raws):
        if raw.year is not None and raw.month is not None:
            out.append(raw)
            continue
        after = [r for r in raws[index + 1:] if r.year is not None and r.month is not None]
        before = [r for r in reversed(raws[:index]) if r.year is not None and r.month is not None]
        anchor, following = None, True
        if after and _same_sentence(sample, raw, after[0]):
            anchor = after[0]
        elif before and _same_sentence(sample, raw, before[0]):
            anchor, following = before[0], False
        if anchor is None or anchor.year is None:
            continue
        month = raw.month if raw.month is not None else anchor.month
        year = anchor.year
        if following and month is not None and anchor.month is not None:
            later = (month, raw.day or 1) > (anchor.month, anchor.day or 31)
            year -= 1 if later else 0  # "20 December to 5 January 2027"
        out.append(replace(raw, year=year, month=month))
    return out


def read_dates(value: object) -> list[DateMention]:
    """Every date mentioned in ``value`` (a string or a :class:`Text`), in order of position."""
    text = as_text(value)
    if text is None:
        return []
    found = text.memo.get("dates")
    if not isinstance(found, tuple):
        found = text.memo["dates"] = tuple(_read(text))
    return list(found)


def _read(text: Text) -> list[DateMention]:
    sample = text.value.translate(_DIGITS)
    if not _DIGIT.search(sample):
        return []
    out: list[DateMention] = []
    for raw in _complete(sample, _raw_mentions(sample, text.words)):
        if raw.year is None or raw.month is None:
            continue
        if raw.day is not None:
            day = safe_date(raw.year, raw.month, raw.day)
            if day is not None:
                out.append(DateMention(raw.start, raw.end, day, day))
            continue
        first, last = safe_date(raw.year, raw.month, 1), _month_end(raw.year, raw.month)
        if first is not None and last is not None:
            out.append(DateMention(raw.start, raw.end, first, last))
    return out


def find_dates(value: object) -> list[date]:
    """The dates of :func:`read_dates` (a whole month counts as its first and last day)."""
    out: list[date] = []
    for mention in read_dates(value):
        out.append(mention.first)
        if mention.last != mention.first:
            out.append(mention.last)
    return out


STYLES = ("long", "numeric", "iso")


def write_date(day: date, language: str, style: str = "long") -> str:
    """``day`` written as a person of ``language`` would write it (read back by
    :func:`read_dates`); Arabic uses Arabic-Indic digits in the long style."""
    if style == "iso":
        return day.isoformat()
    if style == "numeric":
        return f"{day.day:02d}.{day.month:02d}.{day.year}" if language in ("de", "ru") else (
            f"{day.day:02d}/{day.month:02d}/{day.year}")
    forms = lexicon.month_forms(language) or lexicon.month_forms("en")
    text = lexicon.date_format(language).format(
        day=day.day, month=forms[day.month - 1][0], month_number=day.month, year=day.year)
    if language == "ar":
        text = text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    return text
