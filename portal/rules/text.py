"""Small, total text helpers for the rules (they never raise)."""

from __future__ import annotations

import hashlib
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


# --- dates mentioned in free text ----------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "january enero janvier janeiro januar gennaio januari ocak styczeń stycznia",
        "february febrero février fevereiro februar febbraio februari şubat luty lutego",
        "march marzo mars março märz marzo maart mart marzec marca",
        "april abril avril abril april aprile april nisan kwiecień kwietnia",
        "may mayo mai maio mai maggio mei mayıs maj maja",
        "june junio juin junho juni giugno juni haziran czerwiec czerwca",
        "july julio juillet julho juli luglio juli temmuz lipiec lipca",
        "august agosto août agosto august agosto augustus ağustos sierpień sierpnia",
        "september septiembre setiembre septembre setembro september settembre eylül wrzesień "
        "września",
        "october octubre octobre outubro oktober ottobre ekim październik października",
        "november noviembre novembre novembro november novembre kasım listopad listopada",
        "december diciembre décembre dezembro dezember dicembre aralık grudzień grudnia",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number
for _abbr, _number in {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}.items():  # fmt: skip
    _MONTHS.setdefault(_abbr, _number)

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?!\d)")
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\w)(\d{{1,2}})(?:st|nd|rd|th|er|º|°)?\.?\s+(?:de\s+)?({_MONTH_ALT})\.?,?\s+(?:de\s+)?(\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"(?<!\w)({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.IGNORECASE
)
_MONTH_YEAR = re.compile(
    rf"(?<!\w)({_MONTH_ALT})\.?,?\s+(?:de\s+|of\s+)?(\d{{4}})(?!\d)", re.IGNORECASE
)

MAX_SCAN = 50_000


def _safe_date(year: int, month: int, day: int) -> date | None:
    if not 1900 <= year <= 2200:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date | None:
    if month == 12:
        return _safe_date(year, 12, 31)
    start = _safe_date(year, month + 1, 1)
    return None if start is None else date.fromordinal(start.toordinal() - 1)


def find_dates(value: str) -> list[date]:
    """Dates mentioned in a text: ISO dates, d/m/yyyy (or m/d/yyyy when d/m is impossible),
    "5 March 2024", "March 5, 2024", and "March 2024" (counted as the first and last day of the
    month) in several languages. A year alone is not a date."""
    if not isinstance(value, str) or not value:
        return []
    sample = value[:MAX_SCAN]
    key = hashlib.sha256(sample.encode("utf-8", "surrogatepass")).digest()
    found = _DATES.get(key)
    if found is None:
        found = _dates_in(sample)
        if len(_DATES) >= _DATES_KEPT:
            _DATES.clear()
        _DATES[key] = found
    return list(found)


#: Dates found per text, remembered by the text's SHA-256 (not the text: the narratives stay
#: out of memory): the same facts are checked on every page of the wizard, and the scan is the
#: slowest part of a check.
_DATES: dict[bytes, tuple[date, ...]] = {}
_DATES_KEPT = 2048


def _dates_in(sample: str) -> tuple[date, ...]:
    out: list[date] = []
    for match in _ISO.finditer(sample):
        found = _safe_date(int(match[1]), int(match[2]), int(match[3]))
        if found:
            out.append(found)
    for match in _NUMERIC.finditer(sample):
        a, b, year = int(match[1]), int(match[2]), int(match[3])
        found = _safe_date(year, b, a) or _safe_date(year, a, b)
        if found:
            out.append(found)
    lowered = sample.casefold()
    spans: list[tuple[int, int]] = []
    for match in _DAY_MONTH_YEAR.finditer(lowered):
        found = _safe_date(int(match[3]), _MONTHS.get(match[2].casefold(), 0), int(match[1]))
        if found:
            out.append(found)
            spans.append(match.span())
    for match in _MONTH_DAY_YEAR.finditer(lowered):
        found = _safe_date(int(match[3]), _MONTHS.get(match[1].casefold(), 0), int(match[2]))
        if found:
            out.append(found)
            spans.append(match.span())
    for match in _MONTH_YEAR.finditer(lowered):
        if any(start <= match.start() < end for start, end in spans):
            continue
        month = _MONTHS.get(match[1].casefold(), 0)
        first = _safe_date(int(match[2]), month, 1) if month else None
        last = _month_end(int(match[2]), month) if month else None
        if first and last:
            out.extend((first, last))
    return tuple(out)
