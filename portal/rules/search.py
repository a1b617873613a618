"""Search and seizure."""

from __future__ import annotations

import re
from collections.abc import Iterator

from portal.contract.model import AssistanceItem
from portal.rules import text
from portal.rules.base import Finding, Subject, check

SRCH = "search_seizure"


@check("SRCH-THRESHOLD")
def threshold(s: Subject) -> Iterator[Finding]:
    if not any(True for _ in s.items(SRCH)):
        return
    limit = s.settings.search_threshold_months
    low: list[int] = []
    for i, offence in enumerate(s.request.offences):
        months = offence.max_penalty_months
        if months is None:
            continue
        if months > limit or not offence.us_equivalent_explanation.is_empty():
            return  # one offence supports the search
        low.append(i)
    if low:
        first = low[0]
        months = s.request.offences[first].max_penalty_months
        yield s.finding("SRCH-THRESHOLD", f"offences[{first}].max_penalty_months", months=months)


@check("SRCH-PLACE")
def place(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(SRCH):
        if item.place.is_empty():
            yield s.finding("SRCH-PLACE", f"assistance[{i}].place", missing="place")
        elif item.items.is_empty():
            yield s.finding("SRCH-PLACE", f"assistance[{i}].items", missing="items")
        elif not item.city.strip():
            yield s.finding("SRCH-PLACE", f"assistance[{i}].city", missing="city")
        elif not item.state.strip():
            yield s.finding("SRCH-PLACE", f"assistance[{i}].state", missing="state")


_NUMBER_STREET = re.compile(r"\d+[a-z]?\s+[^\W\d_]{3,}", re.IGNORECASE)


def ties_place(nexus: str, item: AssistanceItem) -> bool:
    """Whether the nexus names the place: its street address (or house number and street),
    or its city."""
    hay = text.fold(nexus)
    if not hay:
        return False
    candidates = [item.address, item.city]
    match = _NUMBER_STREET.search(item.address)
    if match:
        candidates.append(match.group(0))
    return any(len(text.fold(c)) >= 3 and text.fold(c) in hay for c in candidates)


@check("SRCH-PC")
def probable_cause(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(SRCH):
        nexus = f"{item.nexus.text}\n{item.nexus.english}"
        if not ties_place(nexus, item):
            yield s.finding("SRCH-PC", f"assistance[{i}].nexus", problem="place")
            continue
        words = text.word_count(item.nexus.for_reading())
        if words < s.settings.search_nexus_min_words:
            yield s.finding("SRCH-PC", f"assistance[{i}].nexus", words=words)
