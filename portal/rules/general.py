"""General rules: every request."""

from __future__ import annotations

import re
from collections.abc import Iterator

from portal import cache
from portal.contract.model import ELECTRONIC_TYPES, Narrative
from portal.rules import text
from portal.rules.base import Finding, Subject, check
from portal.rules.refdata import LegalBasisLike

AUTHORIZED_ROLES = frozenset(
    {"prosecutor", "investigating_judge", "police_under_prosecutor", "central_authority"}
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")

# Always-on speech terms (in addition to the reference data's category keywords).
SPEECH_TERMS: tuple[str, ...] = (
    "defamation", "libel", "slander", "insult", "blasphemy", "hate speech", "false news",
    "fake news", "lèse-majesté", "lese majeste", "disrespect",
    "difamación", "calumnia", "injuria", "blasfemia", "ultraje", "noticias falsas",
    "diffamation", "blasphème", "fausses nouvelles",
    "difamação", "injúria", "calúnia",
    "تشهير", "قذف", "إهانة", "ازدراء الأديان", "أخبار كاذبة",
)  # fmt: skip


@check("GEN-AUTHORITY")
def authority(s: Subject) -> Iterator[Finding]:
    role = s.request.requesting_authority.role
    if role not in AUTHORIZED_ROLES:
        yield s.finding("GEN-AUTHORITY", "requesting_authority.role", role=role)


@check("GEN-CONTACT")
def contact(s: Subject) -> Iterator[Finding]:
    c = s.request.requesting_authority.contact
    base = "requesting_authority.contact"
    if not c.name.strip():
        yield s.finding("GEN-CONTACT", f"{base}.name", missing="name")
    elif not _EMAIL.match(c.email.strip()):
        yield s.finding("GEN-CONTACT", f"{base}.email", missing="email")
    elif not c.time_zone.strip():
        yield s.finding("GEN-CONTACT", f"{base}.time_zone", missing="time_zone")


@check("GEN-BASIS")
def basis(s: Subject) -> Iterator[Finding]:
    lb = s.request.legal_basis
    if not lb.kind:
        yield s.finding("GEN-BASIS", "legal_basis.kind")
    elif lb.kind != "letters_rogatory" and not lb.instrument.strip():
        yield s.finding("GEN-BASIS", "legal_basis.instrument", kind=lb.kind)


@check("GEN-BASIS-COUNTRY")
def basis_country(s: Subject) -> Iterator[Finding]:
    lb = s.request.legal_basis
    if lb.kind != "bilateral_treaty":
        return
    country = s.request.requesting_authority.country
    in_force = [
        b
        for b in _safe_bases(s, country)
        if b.kind == "bilateral_treaty" and _in_force(b.in_force, s)
    ]
    chosen = lb.instrument.strip()
    if not in_force or (chosen and chosen not in {b.id for b in in_force}):
        yield s.finding(
            "GEN-BASIS-COUNTRY", "legal_basis.instrument", country=country, instrument=chosen
        )


def _safe_bases(s: Subject, country: str) -> list[LegalBasisLike]:
    if not country:
        return []
    try:
        return list(s.reference.bases_for(country))
    except Exception:  # reference data is external; a lookup failure means "unknown"
        return []


def _in_force(value: str | None, s: Subject) -> bool:
    started = text.parse_date(value)
    return started is not None and started <= s.today


@check("GEN-CLOUD-ACT")
def cloud_act(s: Subject) -> Iterator[Finding]:
    country = s.request.requesting_authority.country
    if not country or not any(item.type in ELECTRONIC_TYPES for item in s.request.assistance):
        return
    try:
        agreement = s.reference.cloud_act_agreement(country, s.today)
    except Exception:
        agreement = None
    if agreement is not None:
        yield s.finding("GEN-CLOUD-ACT", "legal_basis", agreement=agreement.name)


@check("GEN-OFFENCE")
def offence_present(s: Subject) -> Iterator[Finding]:
    if not s.request.offences:
        yield s.finding("GEN-OFFENCE", "offences")


@check("GEN-OFFENCE-LAW")
def offence_law(s: Subject) -> Iterator[Finding]:
    for i, offence in enumerate(s.request.offences):
        if not offence.provision.strip():
            yield s.finding("GEN-OFFENCE-LAW", f"offences[{i}].provision")
        elif offence.law_text.is_empty():
            yield s.finding("GEN-OFFENCE-LAW", f"offences[{i}].law_text")


@check("GEN-OFFENCE-PENALTY")
def offence_penalty(s: Subject) -> Iterator[Finding]:
    for i, offence in enumerate(s.request.offences):
        if offence.max_penalty_months is None and not offence.max_penalty_text.strip():
            yield s.finding("GEN-OFFENCE-PENALTY", f"offences[{i}].max_penalty_months")


@check("GEN-FACTS")
def facts(s: Subject) -> Iterator[Finding]:
    words = text.word_count(s.request.facts.summary.for_reading())
    if words < s.settings.facts_min_words:
        yield s.finding("GEN-FACTS", "facts.summary", words=words)


@check("GEN-FACTS-DATES")
def facts_dates(s: Subject) -> Iterator[Finding]:
    if not s.request.facts.summary.is_empty() and s.fact_dates is None:
        yield s.finding("GEN-FACTS-DATES", "facts.summary")


@check("GEN-NEXUS")
def nexus(s: Subject) -> Iterator[Finding]:
    for i, item in s.items():
        if item.nexus.is_empty():
            yield s.finding("GEN-NEXUS", f"assistance[{i}].nexus", type=item.type)


@check("GEN-PERSONS")
def persons(s: Subject) -> Iterator[Finding]:
    people = s.request.persons
    if not people:
        yield s.finding("GEN-PERSONS", "persons")
        return
    for i, person in enumerate(people):
        if not person.name.strip():
            yield s.finding("GEN-PERSONS", f"persons[{i}].name")
        elif not person.role:
            yield s.finding("GEN-PERSONS", f"persons[{i}].role")


@check("GEN-URGENCY")
def urgency(s: Subject) -> Iterator[Finding]:
    u = s.request.urgency
    if not u.urgent:
        return
    if not u.reason or (u.reason == "other" and u.reason_text.is_empty()):
        yield s.finding("GEN-URGENCY", "urgency.reason")
        return
    when = text.parse_date(u.date)
    if when is None:
        yield s.finding("GEN-URGENCY", "urgency.date", problem="missing")
    elif when < s.today:
        yield s.finding("GEN-URGENCY", "urgency.date", problem="past", date=u.date)


@check("GEN-EMERGENCY")
def emergency(s: Subject) -> Iterator[Finding]:
    if s.request.urgency.reason == "threat_to_life":
        yield s.finding("GEN-EMERGENCY", "urgency.reason")


def _category_flags(s: Subject, category: str) -> frozenset[str]:
    try:
        found = s.reference.offence_categories.get(category) if category else None
    except Exception:
        return frozenset()
    return frozenset(found.flags) if found is not None else frozenset()


def _terms(s: Subject, flags: frozenset[str]) -> list[str]:
    out: list[str] = []
    try:
        for category in s.reference.offence_categories.values():
            if category.flags & flags:
                for terms in category.keywords.values():
                    out.extend(t for t in terms if _usable_term(t))
    except Exception:
        return out
    return out


def _usable_term(term: object) -> bool:
    """Latin or Cyrillic terms under 3 letters match too much; a CJK word of 2 is a word."""
    if not isinstance(term, str) or not term.strip():
        return False
    stripped = term.strip()
    return len(stripped) >= 3 or (len(stripped) == 2 and text.has_cjk(stripped[0]))


def _compile_terms(terms: list[str]) -> re.Pattern[str] | None:
    """One regular expression matching any term at a word start (anywhere for CJK terms)."""
    parts: list[str] = []
    for term in sorted({text.fold(t) for t in terms if text.fold(t)}, key=len, reverse=True):
        escaped = re.escape(term)
        parts.append(escaped if text.has_cjk(term[0]) else rf"(?<!\w){escaped}")
    return re.compile("|".join(parts)) if parts else None


_SPEECH_PATTERNS = cache.named("rules.speech_terms", max_bytes=1024 * 1024,
                               why="the pattern of the speech terms (key: reference-data version)")


def _speech_pattern(s: Subject) -> re.Pattern[str] | None:
    def make() -> re.Pattern[str] | None:
        return _compile_terms([*_terms(s, frozenset({"speech"})), *SPEECH_TERMS])

    version = getattr(s.reference, "version", None)
    if not isinstance(version, str):
        return make()
    return _SPEECH_PATTERNS.get_or_make(version, make)  # type: ignore[no-any-return]


def _matches(name: Narrative, pattern: re.Pattern[str] | None) -> str | None:
    if pattern is None:
        return None
    haystack = f" {text.fold(name.text[:2000])} | {text.fold(name.english[:2000])} "
    found = pattern.search(haystack)
    return found.group(0) if found else None


@check("GEN-SPEECH")
def speech(s: Subject) -> Iterator[Finding]:
    for i, offence in enumerate(s.request.offences):
        if "speech" in _category_flags(s, offence.category):
            yield s.finding("GEN-SPEECH", f"offences[{i}].category", category=offence.category)
            continue
        term = _matches(offence.name, _speech_pattern(s))
        if term:
            yield s.finding("GEN-SPEECH", f"offences[{i}].name", term=term)


@check("GEN-POLITICAL")
def political(s: Subject) -> Iterator[Finding]:
    for i, offence in enumerate(s.request.offences):
        flags = _category_flags(s, offence.category) & {"political", "military"}
        if flags:
            yield s.finding("GEN-POLITICAL", f"offences[{i}].category", category=offence.category)


@check("GEN-CONFIDENTIAL")
def confidential(s: Subject) -> Iterator[Finding]:
    c = s.request.confidentiality
    if not c.requested:
        return
    if c.reason.is_empty():
        yield s.finding("GEN-CONFIDENTIAL", "confidentiality.reason")
    elif not c.from_whom.strip():
        yield s.finding("GEN-CONFIDENTIAL", "confidentiality.from_whom")


@check("GEN-ASSISTANCE")
def assistance_present(s: Subject) -> Iterator[Finding]:
    if not s.request.assistance:
        yield s.finding("GEN-ASSISTANCE", "assistance")
