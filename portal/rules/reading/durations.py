"""Durations written in a text ("for 45 days", "durante dos meses", "60 дней", "٤٥ يوما")."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from portal.rules.reading import lexicon, phrases
from portal.rules.reading.texts import as_text

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９", "0123456789" * 3)
_UNIT_DAYS = {"days": 1, "weeks": 7, "months": 30}


@dataclass(frozen=True, slots=True)
class Duration:
    """``days`` (``math.inf`` for "until further notice") written at ``start:end``."""

    start: int
    end: int
    days: float


@cache  # compiled once from the word lists shipped with the code
def _pattern() -> re.Pattern[str]:
    words = sorted(lexicon.numbers(), key=len, reverse=True)
    number = r"\d{1,4}" + "".join(f"|{re.escape(w)}" for w in words)
    units = "|".join(f"(?P<{unit}>{lexicon.pattern(unit).pattern})" for unit in _UNIT_DAYS)
    aside = r"(?:\s*\((?P<n2>[^()\d]{1,30}|\d{1,4})\))?"  # "15 (fifteen) days"
    start = r"(?:(?<!\w)|(?<=[\u3400-\u9fff]))"  # a number may follow Chinese characters
    return re.compile(rf"{start}(?P<n>{number}){aside}\s*-?\s*(?:{units})", re.IGNORECASE)


def _value(raw: str) -> int:
    return int(raw) if raw.isdigit() else lexicon.numbers().get(raw.casefold(), 0)


def read_durations(value: object) -> list[Duration]:
    """Every duration stated in ``value`` (open-ended phrases count as infinite)."""
    read = as_text(value)
    if read is None:
        return []
    out: list[Duration] = []
    units = any(read.keys(unit) for unit in _UNIT_DAYS)
    text = read.value.translate(_DIGITS) if units else ""
    for match in _pattern().finditer(text):
        values = [_value(raw) for raw in (match["n"], match["n2"]) if raw]
        count = max(values) if values else 0
        unit = next(u for u in _UNIT_DAYS if match[u])
        if count:
            out.append(Duration(match.start(), match.end(), count * _UNIT_DAYS[unit]))
    for hit in phrases.find("open_ended", read):
        out.append(Duration(hit.start, hit.end, math.inf))
    return sorted(out, key=lambda d: d.start)
