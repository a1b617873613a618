"""Electronic evidence: subscriber information, non-content records, stored content, real time."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from datetime import date, timedelta
from urllib.parse import urlsplit

from portal.contract.model import AssistanceItem, Identifier, Period
from portal.rules import text
from portal.rules.base import Finding, Subject, check

ELECTRONIC = ("subscriber_info", "non_content", "stored_content", "real_time")
WITH_PERIOD = ("subscriber_info", "non_content", "stored_content")
STORED = ("non_content", "stored_content")

_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\].]{2,}$")
_PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
_PHONE_SEPARATORS = re.compile(r"[\s().\-/]")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_USERNAME = re.compile(r"^@?[^\s]{1,200}$")


def is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip())
    except ValueError:
        return False
    return True


def is_ipv4(value: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(value.strip()), ipaddress.IPv4Address)
    except ValueError:
        return False


def is_domain(value: str) -> bool:
    candidate = value.strip().rstrip(".").casefold()
    if not candidate or len(candidate) > 253 or "." not in candidate:
        return False
    try:
        ascii_form = candidate.encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        return False
    labels = ascii_form.split(".")
    return all(_LABEL.match(label) for label in labels) and not labels[-1].isdigit()


def is_url(value: str) -> bool:
    candidate = value.strip()
    if not candidate or any(c.isspace() for c in candidate):
        return False
    try:
        parts = urlsplit(candidate)
        host = parts.hostname or ""
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and (is_domain(host) or is_ip(host))


def is_imei(value: str) -> bool:
    digits = re.sub(r"[\s\-/]", "", value)
    if not digits.isascii() or not digits.isdigit():
        return False
    if len(digits) == 16:  # IMEISV: no check digit
        return True
    if len(digits) != 15:
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        d = int(char)
        if index % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def identifier_problem(ident: Identifier) -> str | None:
    """Why an identifier is malformed for its kind (None when it is acceptable)."""
    value = ident.value.strip()
    if not value:
        return "empty"
    kind = ident.kind
    if kind == "email":
        ok = bool(_EMAIL.match(value))
    elif kind == "phone":
        ok = bool(_PHONE.match(_PHONE_SEPARATORS.sub("", value)))
    elif kind == "ip":
        ok = is_ip(value)
    elif kind == "username":
        if not ident.platform.strip():
            return "platform"
        ok = bool(_USERNAME.match(value))
    elif kind == "url":
        ok = is_url(value)
    elif kind == "domain":
        ok = is_domain(value)
    elif kind == "imei":
        ok = is_imei(value)
    elif kind == "":
        return "kind"
    else:  # account_id, other, and kinds this version does not know: any non-empty value
        ok = True
    return None if ok else "format"


@check("ELEC-IDENTIFIER")
def identifiers(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(*ELECTRONIC):
        if not any(ident.value.strip() for ident in item.identifiers):
            yield s.finding("ELEC-IDENTIFIER", f"assistance[{i}].identifiers", kind="", value="")
            continue
        for j, ident in enumerate(item.identifiers):
            problem = identifier_problem(ident)
            if problem:
                field = "platform" if problem == "platform" else "value"
                if problem == "kind":
                    field = "kind"
                yield s.finding(
                    "ELEC-IDENTIFIER",
                    f"assistance[{i}].identifiers[{j}].{field}",
                    kind=ident.kind,
                    value=ident.value,
                    problem=problem,
                )


@check("ELEC-IP-TIME")
def ip_time(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(*ELECTRONIC):
        for j, ident in enumerate(item.identifiers):
            if ident.kind == "ip" and text.parse_datetime_with_offset(ident.datetime) is None:
                yield s.finding(
                    "ELEC-IP-TIME", f"assistance[{i}].identifiers[{j}].datetime", value=ident.value
                )


@check("ELEC-IP-PORT")
def ip_port(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(*ELECTRONIC):
        for j, ident in enumerate(item.identifiers):
            if ident.kind == "ip" and ident.port is None and is_ipv4(ident.value):
                yield s.finding(
                    "ELEC-IP-PORT", f"assistance[{i}].identifiers[{j}].port", value=ident.value
                )


@check("ELEC-PROVIDER")
def provider(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(*ELECTRONIC):
        if not item.provider.strip():
            yield s.finding("ELEC-PROVIDER", f"assistance[{i}].provider")


@check("ELEC-PROVIDER-US")
def provider_us(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(*ELECTRONIC):
        name = item.provider.strip()
        if not name:
            continue
        try:
            known = s.reference.find_provider(name)
        except Exception:  # external data: treat a failed lookup as unknown
            known = None
        if known is None or not known.data_in_us:
            yield s.finding(
                "ELEC-PROVIDER-US",
                f"assistance[{i}].provider",
                provider=name,
                known="yes" if known is not None else "no",
            )


def period_problem(period: Period) -> tuple[str, str] | None:
    start, end = text.parse_date(period.start), text.parse_date(period.end)
    if start is None:
        return "start", "missing"
    if end is None:
        return "end", "missing"
    if end < start:
        return "end", "before_start"
    return None


@check("ELEC-PERIOD")
def period(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(*WITH_PERIOD):
        problem = period_problem(item.period)
        if problem:
            yield s.finding(
                "ELEC-PERIOD", f"assistance[{i}].period.{problem[0]}", problem=problem[1]
            )


def beyond_facts(s: Subject, item: AssistanceItem, allowance: int) -> int | None:
    """Days by which the item's period extends beyond the facts' dates plus ``allowance``."""
    start, end = text.parse_date(item.period.start), text.parse_date(item.period.end)
    span = s.fact_dates
    if start is None or end is None or end < start or span is None:
        return None
    lo = span[0] - timedelta(days=allowance)
    hi = span[1] + timedelta(days=allowance)
    excess = max((lo - start).days, (end - hi).days, 0)
    return excess or None


@check("ELEC-PERIOD-BROAD")
def period_broad(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(*WITH_PERIOD):
        start, end = text.parse_date(item.period.start), text.parse_date(item.period.end)
        if start is None or end is None or end < start:
            continue
        days = (end - start).days
        if days > s.settings.period_max_days:
            yield s.finding("ELEC-PERIOD-BROAD", f"assistance[{i}].period", days=days)
            continue
        excess = beyond_facts(s, item, s.settings.period_beyond_facts_days)
        if excess:
            yield s.finding("ELEC-PERIOD-BROAD", f"assistance[{i}].period", beyond=excess)


@check("ELEC-SUBSCRIBER")
def subscriber(s: Subject) -> Iterator[Finding]:
    for i, _item in s.items("subscriber_info"):
        yield s.finding("ELEC-SUBSCRIBER", f"assistance[{i}].type")


def mentions_identifier(nexus: str, item: AssistanceItem) -> bool:
    """Whether ``nexus`` names one of the item's identifiers."""
    return any(
        text.mentions(nexus, ident.value) for ident in item.identifiers if ident.value.strip()
    )


def nexus_text(item: AssistanceItem) -> str:
    # Both the original and the translation count: an identifier is the same in both.
    return f"{item.nexus.text}\n{item.nexus.english}"


@check("ELEC-NONCONTENT-FACTS")
def noncontent_facts(s: Subject) -> Iterator[Finding]:
    for i, item in s.items("non_content"):
        words = text.word_count(item.nexus.for_reading())
        if not mentions_identifier(nexus_text(item), item):
            yield s.finding("ELEC-NONCONTENT-FACTS", f"assistance[{i}].nexus", problem="identifier")
        elif words < s.settings.noncontent_nexus_min_words:
            yield s.finding("ELEC-NONCONTENT-FACTS", f"assistance[{i}].nexus", words=words)


@check("ELEC-CONTENT-RECENT")
def content_recent(s: Subject) -> Iterator[Finding]:
    for i, item in s.items("stored_content"):
        if text.parse_date(item.most_recent_use) is None:
            yield s.finding("ELEC-CONTENT-RECENT", f"assistance[{i}].most_recent_use")


@check("ELEC-CONTENT-STALE")
def content_stale(s: Subject) -> Iterator[Finding]:
    for i, item in s.items("stored_content"):
        used = text.parse_date(item.most_recent_use)
        if used is None or (s.today - used).days <= s.settings.content_stale_days:
            continue
        if not s.preservations_for(item):
            yield s.finding(
                "ELEC-CONTENT-STALE",
                f"assistance[{i}].most_recent_use",
                days=(s.today - used).days,
            )


@check("ELEC-PRESERVE")
def preserve(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(*STORED):
        if not s.preservations_for(item):
            yield s.finding("ELEC-PRESERVE", f"assistance[{i}]", provider=item.provider)


def _latest(s: Subject, item: AssistanceItem) -> tuple[int, date] | None:
    latest: tuple[int, date] | None = None
    records = list(enumerate(s.request.preservation))
    covering = {id(r) for r in s.preservations_for(item)}
    for index, record in records:
        if id(record) not in covering:
            continue
        for value in (record.date, record.extension_date):
            when = text.parse_date(value)
            if when is not None and (latest is None or when > latest[1]):
                latest = (index, when)
    return latest


@check("ELEC-PRESERVE-EXPIRY")
def preserve_expiry(s: Subject) -> Iterator[Finding]:
    for _i, item in s.items(*STORED):
        latest = _latest(s, item)
        if latest is None:
            continue
        index, when = latest
        if (s.today - when).days > s.settings.preservation_expiry_days:
            record = s.request.preservation[index]
            field = "extension_date" if record.extension_date == when.isoformat() else "date"
            yield s.finding(
                "ELEC-PRESERVE-EXPIRY",
                f"preservation[{index}].{field}",
                date=when.isoformat(),
                identifier=record.identifier or record.provider,
            )
