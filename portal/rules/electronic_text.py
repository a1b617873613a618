"""Electronic-evidence rules that also read what the items ask for in words: probable cause
for content, interception, historical location, pen-register durations (RULES.md, version 2).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date

from portal.contract.model import AssistanceItem
from portal.rules import text
from portal.rules.base import Finding, Subject, check
from portal.rules.electronic import mentions_identifier, nexus_text
from portal.rules.reading import Excerpt, excerpt_of, find, read_dates
from portal.rules.reading.durations import read_durations
from portal.rules.reading.phrases import sentence_of
from portal.rules.reading.texts import Text

ItemText = tuple[str, Text]  # (path of the string field, its text)


def item_texts(s: Subject, i: int, item: AssistanceItem, *names: str) -> list[ItemText]:
    """The original and English texts of the item's narratives ``names`` (all when none)."""
    out: list[ItemText] = []
    for name, narrative in item.narratives(*names):
        for part in ("text", "english"):
            value = getattr(narrative, part)
            if value.strip():
                out.append((f"assistance[{i}].{name}.{part}", s.read(value)))
    return out


def _narrative_path(string_path: str) -> str:
    return string_path.rsplit(".", 1)[0]


def _first(category: str, texts: list[ItemText]) -> Excerpt | None:
    for path, value in texts:
        hits = find(category, value)
        if hits:
            return excerpt_of(path, value.value, hits[0].start, hits[0].end)
    return None


@check("ELEC-CONTENT-PC")
def content_pc(s: Subject) -> Iterator[Finding]:
    for i, item in s.items("stored_content"):
        path = f"assistance[{i}].nexus"
        words = text.word_count(item.nexus.for_reading())
        if not mentions_identifier(nexus_text(item), item):
            yield s.finding("ELEC-CONTENT-PC", path, problem="identifier")
        elif words < s.settings.content_nexus_min_words:
            yield s.finding("ELEC-CONTENT-PC", path, words=words)
        elif item.expected_evidence.is_empty():
            yield s.finding(
                "ELEC-CONTENT-PC", f"assistance[{i}].expected_evidence", problem="expected"
            )
        else:
            yield from _content_reasons(s, i, item)


def _content_reasons(s: Subject, i: int, item: AssistanceItem) -> Iterator[Finding]:
    """Probable cause read from the words: the 2703(d) standard, or belief without facts."""
    texts = item_texts(s, i, item, "nexus", "expected_evidence")
    standard = _first("relevance_standard", texts)
    if standard is not None and _first("probable_cause", texts) is None:
        yield s.finding("ELEC-CONTENT-PC", _narrative_path(standard.path), standard,
                        problem="standard")
        return
    belief = _first("belief", texts)
    if belief is None or _first("source", texts) is not None:
        return
    if not any(_dated_event(item_text, item) for _path, item_text in texts):
        yield s.finding("ELEC-CONTENT-PC", _narrative_path(belief.path), belief,
                        problem="belief")


def _dated_event(item_text: Text, item: AssistanceItem) -> bool:
    """A date in a sentence about the account or its messages (not a date of the procedure,
    such as the opening of the case)."""
    value = item_text.value
    for mention in read_dates(item_text):
        lo, hi = sentence_of(value, mention.start, mention.end)
        sentence = value[lo:hi]
        if mentions_identifier(sentence, item) or find("content", sentence):
            return True
    return False


def _interception_in(texts: list[ItemText]) -> Excerpt | None:
    """Interception asked in words, or real-time content (a real-time word and a content word
    in one sentence without any non-content word). A nexus tells the facts, where an
    interception may be the crime itself: there it counts only with a real-time word."""
    for path, item_text in texts:
        for hit in find("intercept", item_text):
            if ".nexus." in path:
                lo, hi = sentence_of(item_text.value, hit.start, hit.end)
                if not find("realtime", item_text.value[lo:hi]):
                    continue
            return excerpt_of(path, item_text.value, hit.start, hit.end)
    for path, item_text in texts:
        for hit in find("realtime", item_text):
            lo, hi = sentence_of(item_text.value, hit.start, hit.end)
            sentence = item_text.value[lo:hi]
            if find("content", sentence) and not find("noncontent", sentence):
                return excerpt_of(path, item_text.value, hit.start, hit.end)
    return None


@check("ELEC-INTERCEPT")
def intercept(s: Subject) -> Iterator[Finding]:
    for i, item in s.items():
        if item.type == "real_time" and item.real_time_mode == "interception":
            yield s.finding("ELEC-INTERCEPT", f"assistance[{i}].real_time_mode")
            continue
        found = _interception_in(item_texts(s, i, item))
        if found is not None:
            yield s.finding("ELEC-INTERCEPT", _narrative_path(found.path), found)


@check("ELEC-CSLI")
def csli(s: Subject) -> Iterator[Finding]:
    for i, item in s.items("subscriber_info", "non_content"):
        if item.csli:
            yield s.finding("ELEC-CSLI", f"assistance[{i}].csli")
            continue
        found = _first("location", item_texts(s, i, item, "description", "nexus"))
        if found is not None:
            yield s.finding("ELEC-CSLI", _narrative_path(found.path), found)


def _pen_register(item: AssistanceItem, texts: list[ItemText]) -> Excerpt | bool | None:
    """True for a pen-register item, the excerpt where another item asks for one in words."""
    if item.type == "real_time":
        return item.real_time_mode == "pen_register"
    return _first("pen_register", texts)


def _stated_days(texts: list[ItemText], today: date) -> tuple[float, Excerpt] | None:
    """The longest duration stated where the item speaks of its collection: "for 45 days",
    or an end date ("until 31 December") counted from today."""
    longest: tuple[float, Excerpt] | None = None
    for path, item_text in texts:
        value = item_text.value
        stated = [(d.start, d.end, d.days) for d in read_durations(item_text)]
        stated += [(m.start, m.end, float((m.last - today).days))
                   for m in read_dates(item_text) if m.last > today]
        for start, end, days in stated:
            lo, hi = sentence_of(value, start, end)
            if ".nexus." in path and not (find("pen_register", value[lo:hi])
                                          or find("realtime", value[lo:hi])):
                continue  # a nexus tells the facts; only its words on the collection count
            if longest is None or days > longest[0]:
                longest = (days, excerpt_of(path, value, start, end))
    return longest


@check("ELEC-PEN-DURATION")
def pen_duration(s: Subject) -> Iterator[Finding]:
    limit = s.settings.pen_register_max_days
    for i, item in s.items():
        texts = item_texts(s, i, item, "description", "nexus")
        asked = _pen_register(item, texts)
        if not asked:
            continue
        field = (f"assistance[{i}].duration_days" if item.type == "real_time"
                 else _narrative_path(asked.path) if isinstance(asked, Excerpt) else "")
        given = item.duration_days if item.type == "real_time" else None
        if given is not None and given > limit:
            yield s.finding("ELEC-PEN-DURATION", field, days=given)
            continue
        stated = _stated_days(texts, s.today)
        if stated is None and given is not None:
            continue
        if stated is None:
            yield s.finding("ELEC-PEN-DURATION", field,
                            asked if isinstance(asked, Excerpt) else None, problem="missing")
        elif stated[0] > limit:
            days = "∞" if math.isinf(stated[0]) else int(stated[0])
            yield s.finding("ELEC-PEN-DURATION", field, stated[1], days=days)
