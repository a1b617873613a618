"""A text read once: its words, and where the phrases of each category may stand.

Each phrase of the lexicon is indexed by a telling word of it (the leading characters of a
Chinese phrase); only the phrases whose key word is in the text are tried, around that word.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache

from portal import cache as caches
from portal.rules.reading import lexicon

MAX_SCAN = 50_000
_TOKEN = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")
#: Categories that are not phrases to find (number words and their values).
WINDOW_ONLY = frozenset({"numbers"})
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")

#: Phrases of one category indexed by the same key ("w:" a word, "s:" a stem, "c:" Chinese
#: characters): only these are tried where their key stands.
Group = tuple[str, str]


@dataclass(frozen=True, slots=True)
class _Index:
    exact: dict[str, frozenset[Group]]  # a key word -> its groups
    stems: dict[str, tuple[tuple[str, Group], ...]]  # a stem's first 3 letters -> (stem, group)
    cjk: tuple[tuple[str, Group], ...]  # Chinese characters -> group
    phrases: dict[Group, tuple[str, ...]]
    reach: dict[Group, tuple[int, int]]  # see group_reach


def _key(phrase: str) -> tuple[str, str] | None:
    """The kind ("w", "s", "c") and text of the most telling part of a phrase: its first word
    of five letters or more, else its longest word."""
    if _CJK.match(phrase):
        run = _CJK_RUN.match(phrase)
        return "c", (run.group(0) if run else phrase)[:2]
    best: tuple[str, str] | None = None
    for word in phrase.split():
        core = _TOKEN.search(word)
        if word == "~" or core is None:
            continue
        stem = word.endswith("*") and core.end() == len(word) - 1
        if core.start() != 0 or (not stem and core.end() != len(word)):
            continue  # "d'écoute", "l*": not a clean word
        kind = "s" if stem else "w"
        text = core.group(0).casefold()
        if len(text) >= 5:  # the first long word: telling, and near the phrase's start
            return kind, text
        if best is None or len(text) > len(best[1]):
            best = (kind, text)
    if best is None:  # only odd words: index by the first
        first = _TOKEN.search(phrase)
        return None if first is None else ("w", first.group(0).casefold())
    return best


@cache  # built once from the lexicon files shipped with the code
def _index() -> _Index:
    exact: dict[str, set[Group]] = {}
    stems: dict[str, set[tuple[str, Group]]] = {}
    cjk: set[tuple[str, Group]] = set()
    phrases: dict[Group, list[str]] = {}
    for category in lexicon.categories():
        if category in WINDOW_ONLY:
            continue
        for entry in lexicon.entries(category):
            phrase = entry.phrase.strip()
            key = _key(phrase) if phrase else None
            if key is None:
                continue
            kind, text = key
            group = (category, f"{kind}:{text}")
            if kind == "c":
                cjk.add((text, group))
            elif kind == "s":
                stems.setdefault(text[:3], set()).add((text, group))
            else:
                exact.setdefault(text, set()).add(group)
            phrases.setdefault(group, []).append(phrase)
    return _Index({k: frozenset(v) for k, v in exact.items()},
                  {k: tuple(sorted(v)) for k, v in stems.items()}, tuple(sorted(cjk)),
                  {k: tuple(v) for k, v in phrases.items()},
                  {group: _reach(group, tuple(v)) for group, v in phrases.items()})


def _reach(group: Group, phrases: tuple[str, ...]) -> tuple[int, int]:
    kind, key = group[1][0], group[1][2:]
    before = after = 0
    for phrase in phrases:
        at = phrase.casefold().find(key)
        head, tail = phrase[: max(at, 0)], phrase[max(at, 0):]
        before = max(before, len(head) + 8 + 60 * head.count("~") + 30 * head.count("*"))
        after = max(after, len(tail) + 8 + 60 * tail.count("~") + 30 * tail.count("*"))
    return before, after + (30 if kind == "s" else 0)


def group_reach(group: Group) -> tuple[int, int]:
    """How far before its key a phrase of ``group`` may start, and after it end (characters):
    the window searched around a key (a stem or a gap of "~" may add up to 60 characters)."""
    found = _index().reach.get(group)
    return found if found is not None else _reach(group, ())


@caches.memoize("rules.reading.group_patterns", max_bytes=2 * 1024 * 1024,
                why="compiled phrases of one lexicon group (key: the group)")
def group_pattern(group: Group) -> re.Pattern[str]:
    """The phrases of one group as one pattern (longest first)."""
    phrases = sorted(set(_index().phrases.get(group, ())), key=len, reverse=True)
    body = "|".join(f"(?:{lexicon.phrase_pattern(p)})" for p in phrases) or r"(?!x)x"
    return re.compile(body, re.IGNORECASE)


def _forms(word: str) -> list[str]:
    """The word, and for an Arabic word the word without each prefix it may carry."""
    if not ("\u0600" <= word[0] <= "\u06ff"):
        return [word]
    return [word] + [word[len(p):] for p in _ARABIC_PREFIXES
                     if word.startswith(p) and len(word) > len(p) + 1]


# Sized by its sets only: the groups in them belong to the index.
_WORD_GROUPS = caches.named("rules.reading.word_groups", max_bytes=4 * 1024 * 1024,
                            sizeof=sys.getsizeof,
                            why="the lexicon groups keyed by one word (key: the word)")


def _groups_keyed_by(word: str) -> frozenset[Group]:
    index = _index()
    found: set[Group] = set()
    for form in _forms(word):
        found.update(index.exact.get(form, ()))
        for size in (1, 2, 3):
            for stem, group in index.stems.get(form[:size], ()):
                if form.startswith(stem):
                    found.add(group)
    return frozenset(found)


_NO_GROUPS: frozenset[Group] = frozenset()


def groups_of(word: str) -> frozenset[Group]:
    """The groups of phrases keyed by ``word`` (case-folded)."""
    return keyed_words({word}).get(word, _NO_GROUPS)


def keyed_words(words: set[str]) -> dict[str, frozenset[Group]]:
    """The words (case-folded) that key groups of phrases, with their groups; those of a word
    that may carry a stem or an Arabic prefix are remembered per word."""
    index = _index()
    exact, stems = index.exact, index.stems
    out: dict[str, frozenset[Group]] = {}
    for word in words:
        if not word or len(word) > 40:
            continue
        if ("\u0600" <= word[0] <= "\u06ff" or word[:3] in stems or word[:2] in stems
                or word[:1] in stems):
            found: frozenset[Group] | None = _WORD_GROUPS.get(word)
            if found is None:
                found = _groups_keyed_by(word)
                _WORD_GROUPS.put(word, found)
        else:  # its only form, no stem: one look-up
            found = exact.get(word)
        if found:
            out[word] = found
    return out


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def clear_word_cache() -> None:
    """Forget the words looked up."""
    _WORD_GROUPS.clear()


def places_of(folded: str, word: str) -> list[int]:
    """Where ``word`` stands as a whole word in ``folded``."""
    out = []
    at = folded.find(word)
    while at != -1:
        end = at + len(word)
        if (at == 0 or not _is_word(folded[at - 1])) and (
                end == len(folded) or not _is_word(folded[end])):
            out.append(at)
        at = folded.find(word, end)
    return out


class Text:
    """A text with the places where each category's phrases may stand (computed on demand)."""

    __slots__ = ("_places", "_words", "memo", "value")

    def __init__(self, value: str) -> None:
        self.value = value[:MAX_SCAN]
        self._places: dict[str, list[tuple[int, Group]]] | None = None
        self._words: set[str] | None = None
        #: What the readers found in this text (dates...), kept with it.
        self.memo: dict[str, object] = {}

    @property
    def words(self) -> set[str]:
        """The case-folded words of the text."""
        if self._words is None:
            self._scan()
        assert self._words is not None
        return self._words

    def keys(self, category: str) -> list[tuple[int, Group]]:
        """Where the key words of ``category``'s phrases stand, with the group to try there."""
        if self._places is None:
            self._scan()
        assert self._places is not None
        return self._places.get(category, [])

    def _scan(self) -> None:
        value = self.value
        folded = value.casefold()
        words = set(_TOKEN.findall(folded))
        triggers = keyed_words(words)
        places: dict[str, set[tuple[int, Group]]] = {}
        for word, spots in self._positions(value, folded, set(triggers)).items():
            for at in spots:
                for group in triggers[word]:
                    places.setdefault(group[0], set()).add((at, group))
        if _CJK.search(value):
            for lead, group in _index().cjk:
                at = value.find(lead)
                while at != -1:
                    places.setdefault(group[0], set()).add((at, group))
                    at = value.find(lead, at + 1)
        self._words = words
        self._places = {category: sorted(found) for category, found in places.items()}


    @staticmethod
    def _positions(value: str, folded: str, wanted: set[str]) -> dict[str, list[int]]:
        """Where each of the ``wanted`` (case-folded) words stands in ``value``, in one pass
        over its words."""
        out: dict[str, list[int]] = {}
        if not wanted:
            return out
        same = len(folded) == len(value)  # then positions in the folded text are the same
        for match in _TOKEN.finditer(folded if same else value):
            word = match.group(0) if same else match.group(0).casefold()
            if word in wanted:
                out.setdefault(word, []).append(match.start())
        return out


_TEXTS = caches.named(
    "rules.reading.texts", max_bytes=16 * 1024 * 1024,
    why="a text's reading (its words, phrase places, dates) while the text is unchanged: a "
        "save changes one field, and the draft's other texts are not read again")


def text_of(value: str) -> Text:
    """``value`` read as a :class:`Text`, shared while the same text comes again."""
    found: Text | None = _TEXTS.get(value)
    if found is None:
        found = Text(value)
        # the string, and what its reading keeps about as much again, several times over
        _TEXTS.put(value, found, size=8 * len(found.value) + 1024)
    return found


def as_text(value: object) -> Text | None:
    """``value`` as a :class:`Text` (None for what is not a string)."""
    if isinstance(value, Text):
        return value
    return text_of(value) if isinstance(value, str) else None
