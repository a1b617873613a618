"""Small, total text helpers for the rules (they never raise)."""

from __future__ import annotations

import re
from datetime import date, datetime

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,:/-]\d+)*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_SPACE = re.compile(r"\s+")


def has_cjk(value: str) -> bool:
    return bool(_CJK.search(value))


def clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def fold(value: str) -> str:
    return _SPACE.sub(" ", value.casefold()).strip()


def word_count(value: str, limit: int = 100_000) -> int:
    """Words in ``value`` (scripts without spaces count one word per two characters)."""
    sample = value[:limit]
    words = _WORD.findall(sample)
    cjk = len(_CJK.findall(sample))
    if cjk:
        # a run of CJK characters is matched as one "word" above; count it by characters
        words = [w for w in words if not _CJK.search(w)]
        return len(words) + (cjk + 1) // 2
    return len(words)


def norm_identifier(value: str) -> str:
    """Normalise an identifier for comparison: case-folded, spaces and a leading @ removed;
    phone-like values reduced to their digits."""
    folded = fold(value).replace(" ", "")
    if folded.startswith("@"):
        folded = folded[1:]
    digits = re.sub(r"\D", "", folded)
    if len(digits) >= 6 and re.fullmatch(r"\+?[\d().\-/]+", folded):
        return digits
    return folded


def mentions(haystack: str, needle: str) -> bool:
    """Whether ``haystack`` mentions the identifier ``needle`` (case-insensitive; phone numbers
    compared by digits; a username with or without its @)."""
    norm = norm_identifier(needle)
    if len(norm) < 2:
        return False
    hay = fold(haystack)
    if norm in hay.replace(" ", "") or norm in hay:
        return True
    if norm.isdigit():
        return norm in re.sub(r"\D", "", hay)
    return False


def parse_date(value: object) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_datetime_with_offset(value: object) -> datetime | None:
    """An ISO 8601 date-time that carries a UTC offset (or Z), else None."""
    if not isinstance(value, str) or not 16 <= len(value.strip()) <= 40:
        return None
    candidate = value.strip()
    if candidate.endswith(("z", "Z")):
        candidate = candidate[:-1] + "+00:00"
    if "T" not in candidate and "t" not in candidate and " " not in candidate:
        return None
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None and parsed.utcoffset() is not None else None
