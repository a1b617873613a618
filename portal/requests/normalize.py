"""Normalized forms of identifiers, accounts and person names, for search and duplicate
detection: "GARCÍA LÓPEZ, María" and "Maria Garcia Lopez" are one person, "+34 600-11-22-33"
and "0034600112233" one phone."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from datetime import UTC, datetime

MAX_VALUE = 200


def fold(text: str) -> str:
    """Lower-case words without accents, joined by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", stripped.casefold()))


def email(value: str) -> str:
    """Trimmed, lower-case."""
    return value.strip().lower()[:MAX_VALUE]


def phone(value: str) -> str:
    """Digits only, without an international ``00`` (empty when too short for a number)."""
    digits = re.sub(r"\D", "", value)
    if value.strip().startswith("00"):
        digits = digits[2:]
    return digits[:MAX_VALUE] if len(digits) >= 6 else ""


def ip(value: str) -> str:
    """The address's canonical text (IPv6 compressed); empty when not an address."""
    try:
        return ipaddress.ip_address(value.strip()).compressed
    except ValueError:
        return ""


def account(value: str) -> str:
    """Upper-case letters and digits only (IBAN spaces dropped)."""
    return re.sub(r"[^A-Z0-9]", "", value.upper())[:MAX_VALUE]


def person(value: str) -> str:
    """Without accents, case or punctuation, words sorted (the order of names varies)."""
    words = sorted(fold(value).replace("_", " ").split())
    return " ".join(words)[:MAX_VALUE]


def name_parts(value: str) -> list[str]:
    """The words of a name long enough to search by (``garcia`` finds Maria Garcia)."""
    return sorted({w for w in fold(value).replace("_", " ").split() if len(w) >= 3})


def other(value: str) -> str:
    """Trimmed, lower-case; URLs without scheme, ``www.`` or final slash."""
    text = value.strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = text.removeprefix("www.").rstrip("/")
    return text[:MAX_VALUE]


def identifier(kind: str, value: str) -> str:
    """An identifier of ``kind`` (email, phone, ip or another) normalized."""
    if kind == "email":
        return email(value)
    if kind == "phone":
        return phone(value)
    if kind == "ip":
        return ip(value)
    return other(value)


def moment(value: str) -> datetime | None:
    """An ISO 8601 date and time with its offset, in UTC; None without an offset or a time."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC)
