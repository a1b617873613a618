"""GEN-DATE-FUTURE: dates that can only lie in the past are not after today (one day of grace).
Date fields are always judged; a date in free text only where the sentence presents it as past
(not "scheduled for", "expires on": RULES.md, version 2)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

from portal.rules import text
from portal.rules.base import Finding, Subject, check
from portal.rules.reading import excerpt_of, find, read_dates
from portal.rules.reading.phrases import sentence_of
from portal.rules.reading.texts import Text

GRACE = timedelta(days=1)
#: Words around a date in which a sign of the future ("scheduled", "will") is looked for.
WORDS_BEFORE = 12
WORDS_AFTER = 6


def _past_date_fields(s: Subject) -> Iterator[tuple[str, str]]:
    for i, person in enumerate(s.request.persons):
        yield f"persons[{i}].date_of_birth", person.date_of_birth
    for i, item in s.items("stored_content"):
        yield f"assistance[{i}].most_recent_use", item.most_recent_use
    for i, item in s.items():
        for j, ident in enumerate(item.identifiers):
            if ident.kind == "ip" and ident.datetime.strip():
                yield f"assistance[{i}].identifiers[{j}].datetime", ident.datetime[:10]
    for i, record in enumerate(s.request.preservation):
        yield f"preservation[{i}].date", record.date
        yield f"preservation[{i}].extension_date", record.extension_date


def _past_event_texts(s: Subject) -> Iterator[tuple[str, str]]:
    """Texts that tell what happened: the facts, the evidence, each item's nexus."""
    facts = s.request.facts
    for name, narrative in (("facts.summary", facts.summary), ("facts.evidence", facts.evidence)):
        yield f"{name}.text", narrative.text
        yield f"{name}.english", narrative.english
    for i, item in s.items():
        yield f"assistance[{i}].nexus.text", item.nexus.text
        yield f"assistance[{i}].nexus.english", item.nexus.english


@check("GEN-DATE-FUTURE")
def date_future(s: Subject) -> Iterator[Finding]:
    latest = s.today + GRACE
    for path, value in _past_date_fields(s):
        when = text.parse_date(value)
        if when is not None and when > latest:
            yield s.finding("GEN-DATE-FUTURE", path, date=when.isoformat())
    for path, value in _past_event_texts(s):
        found = _future_event(s.read(value), latest) if value.strip() else None
        if found is not None:
            start, end, when = found
            yield s.finding("GEN-DATE-FUTURE", path.rsplit(".", 1)[0],
                            excerpt_of(path, value, start, end), date=when.isoformat())


def _future_event(text: Text, latest: date) -> tuple[int, int, date] | None:
    """The first date after ``latest`` that the text presents as a past event."""
    value = text.value
    for mention in read_dates(text):
        if mention.first <= latest:
            continue
        if not find("future", _around(value, mention.start, mention.end), keep_negated=True):
            return mention.start, mention.end, mention.first
    return None


_WORD = re.compile(r"\w+")


def _around(value: str, start: int, end: int) -> str:
    """The words of the date's sentence near it: a dozen before (a short run of characters in
    Chinese), a few after. A sentence may tell of a past message and of a trial to come."""
    lo, hi = sentence_of(value, start, end)
    before = [m.start() for m in _WORD.finditer(value, lo, start)]
    after = [m.end() for m in _WORD.finditer(value, end, hi)]
    first = before[-WORDS_BEFORE] if len(before) > WORDS_BEFORE else lo
    last = after[WORDS_AFTER - 1] if len(after) >= WORDS_AFTER else hi
    if text.has_cjk(value[max(lo, start - 2):start]):
        first = max(lo, start - 24)
    return value[first:last]
