"""Phrases of a category found in a text, leaving out those inside quotation marks and those
negated in the same sentence ("We do not ask for interception")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.rules.reading.texts import Text, as_text, group_pattern, group_reach

_QUOTE = re.compile(r"“[^”]{0,400}”|«[^»]{0,400}»|„[^“”]{0,400}[“”]|\"[^\"]{0,400}\"|"
                    r"「[^」]{0,400}」|『[^』]{0,400}』")
_SENTENCE_END = re.compile(r"[.!?;。！？；]\s|[。！？；]|\n")
_WORDS_BEFORE = 6
_CHARS_AFTER = 120
_CJK_BEFORE = 12
_CLAUSE_END = re.compile(r"[,;:，；：]")
_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class Hit:
    """A phrase found at ``start:end`` of a text."""

    start: int
    end: int
    text: str


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    lo = 0
    for match in _SENTENCE_END.finditer(text, max(0, start - 400), start):
        lo = match.end()
    after = _SENTENCE_END.search(text, end, end + 400)
    return lo, after.start() if after else min(len(text), end + 400)


def _window_before(text: str, lo: int, start: int) -> str:
    before = text[lo:start]
    if _CJK.search(before[-2:] or ""):
        return before[-_CJK_BEFORE:]
    words = list(_WORD.finditer(before))
    if len(words) > _WORDS_BEFORE:
        return before[words[-_WORDS_BEFORE].start():]
    return before


def negated(text: str, start: int, end: int) -> bool:
    """Whether the phrase at ``start:end`` is negated in its sentence."""
    lo, hi = _sentence_bounds(text, start, end)
    if _phrases("negation_before", Text(_window_before(text, lo, start))):
        return True
    after = text[end:min(hi, end + _CHARS_AFTER)]
    clause = _CLAUSE_END.search(after)
    after = after[: clause.start()] if clause else after
    return bool(_phrases("negation_after", Text(after)))


def _quoted(spans: list[tuple[int, int]], start: int) -> bool:
    return any(a < start < b for a, b in spans)


def find(category: str, value: str | Text | None, *, keep_negated: bool = False) -> list[Hit]:
    """The phrases of ``category`` in ``value`` that are asserted (not negated, not quoted)."""
    text = as_text(value)
    if text is None:
        return []
    found = _phrases(category, text)
    if not found:
        return []
    quotes = [m.span() for m in _QUOTE.finditer(text.value)]
    return [hit for hit in found
            if not _quoted(quotes, hit.start)
            and (keep_negated or not negated(text.value, hit.start, hit.end))]


def _phrases(category: str, text: Text) -> list[Hit]:
    """Every phrase of ``category`` in ``text`` (the longest where several overlap): each
    group is searched in a window around its key word, and its match must cover that word."""
    source = text.value
    spans: set[tuple[int, int]] = set()
    for at, group in text.keys(category):
        pattern = group_pattern(group)
        before, after = group_reach(group)
        start = max(0, at - before)
        stop = min(len(source), at + after)
        match = pattern.search(source, start, stop)
        while match is not None and match.end() <= at:
            match = pattern.search(source, max(match.end(), match.start() + 1), stop)
        if match is not None and match.start() <= at < match.end():
            spans.add(match.span())
    out: list[Hit] = []
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if out and start < out[-1].end:
            continue
        out.append(Hit(start, end, source[start:end]))
    return out


def sentence_of(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence around ``start:end``."""
    return _sentence_bounds(text, start, end)
