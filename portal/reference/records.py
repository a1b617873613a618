"""The records of the reference data (countries, legal bases, providers, districts, offence
categories) and :class:`ReferenceData`, which holds them all with their version."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

#: Kinds of legal basis, in the order :meth:`ReferenceData.bases_for` sorts them.
BASIS_KINDS: tuple[str, ...] = (
    "bilateral_treaty",
    "eu_us_agreement",
    "multilateral_convention",
    "cloud_act_agreement",
    "letters_rogatory",
)

#: Identifier kinds a provider may accept (same vocabulary as the request contract).
IDENTIFIER_KINDS: frozenset[str] = frozenset(
    {"email", "phone", "ip", "username", "account_id", "url", "domain", "imei"}
)

#: Flags an offence category may carry.
OFFENCE_FLAGS: frozenset[str] = frozenset({"speech", "political", "military"})

#: In a legal basis's ``countries``: open to any requesting country (not checked per country).
ANY_COUNTRY = "*"

# Words dropped when comparing provider names ("Google LLC" == "google", "Amazon.com" == "amazon").
_LEGAL_SUFFIXES = frozenset(
    {
        "inc",
        "llc",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "company",
        "plc",
        "ag",
        "sa",
        "sarl",
        "gmbh",
        "na",
        "lp",
        "com",
    }
)


@dataclass(frozen=True)
class Country:
    """A country or territory (ISO 3166-1 alpha-2)."""

    code: str
    name: str
    source: str


@dataclass(frozen=True)
class LegalBasis:
    """A treaty, convention, agreement or letters rogatory, and who may use it."""

    id: str
    kind: str
    name: str
    countries: frozenset[str]  # ISO alpha-2 codes of the parties; '*' = any country
    in_force: str | None  # ISO date of entry into force; None when not applicable
    source: str
    verified: bool

    def open_to(self, country: str) -> bool:
        """Whether a requesting authority of ``country`` may rely on this basis."""
        return ANY_COUNTRY in self.countries or country.strip().upper() in self.countries

    def in_force_on(self, on: date) -> bool:
        """Whether this basis is in force on ``on`` (bases without a date are always usable)."""
        if self.in_force is None:
            return True
        return date.fromisoformat(self.in_force) <= on


@dataclass(frozen=True)
class Provider:
    """A company holding electronic data or financial records, often named in requests."""

    id: str
    name: str
    aliases: tuple[str, ...]
    identifier_kinds: tuple[str, ...]
    data_in_us: bool
    hq_district: str | None
    source: str
    verified: bool


@dataclass(frozen=True)
class District:
    """A U.S. Attorney district (federal judicial district)."""

    code: str
    name: str
    state: str
    source: str


@dataclass(frozen=True)
class OffenceCategory:
    """An offence category; ``flags`` drive GEN-SPEECH and GEN-POLITICAL."""

    id: str
    name: str
    flags: frozenset[str]
    keywords: dict[str, tuple[str, ...]]  # locale -> lower-case terms for name matching
    source: str

    def matches(self, text: str) -> bool:
        """Whether ``text`` (an offence name, any language) contains one of the keywords.

        Case- and accent-insensitive substring match on the normalized forms.
        """
        haystack = _fold(text)
        if not haystack:
            return False
        for terms in self.keywords.values():
            for term in terms:
                needle = _fold(term)
                if needle and needle in haystack:
                    return True
        return False


def _fold(text: str) -> str:
    """Case- and accent-insensitive form that keeps word boundaries as single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    lowered = stripped.casefold()
    words = re.findall(r"\w+", lowered)
    return " ".join(words)


def normalize_name(text: str) -> str:
    """A provider name for comparison: case-, accent- and punctuation-insensitive, without
    legal-form words (Inc., LLC, Corp., .com) unless nothing else would be left."""
    words = _fold(text).replace("_", " ").split()
    kept = [w for w in words if w not in _LEGAL_SUFFIXES]
    return "".join(kept or words)


@dataclass(frozen=True)
class ReferenceData:
    """All reference data, validated and immutable."""

    version: str
    countries: Mapping[str, Country]
    legal_bases: Mapping[str, LegalBasis]
    providers: Mapping[str, Provider]
    districts: Mapping[str, District]
    offence_categories: Mapping[str, OffenceCategory]
    _provider_index: Mapping[str, str] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        index: dict[str, str] = {}
        for provider in self.providers.values():
            for label in (provider.id, provider.name, *provider.aliases):
                key = normalize_name(label)
                if key:
                    index.setdefault(key, provider.id)
        object.__setattr__(self, "_provider_index", MappingProxyType(index))

    def bases_for(self, country: str) -> list[LegalBasis]:
        """Every basis open to ``country`` (incl. '*' ones and letters rogatory).

        Sorted by kind (in :data:`BASIS_KINDS` order) then by name.
        """
        order = {kind: i for i, kind in enumerate(BASIS_KINDS)}
        found = [b for b in self.legal_bases.values() if b.open_to(country)]
        return sorted(found, key=lambda b: (order.get(b.kind, len(order)), b.name.casefold()))

    def find_provider(self, name_or_id: str) -> Provider | None:
        """The provider whose id, name or alias matches.

        Case-, accent- and punctuation-insensitive; legal-form words (Inc., LLC) are ignored.
        """
        if not isinstance(name_or_id, str):
            return None
        key = normalize_name(name_or_id)
        provider_id = self._provider_index.get(key) if key else None
        return self.providers.get(provider_id) if provider_id else None

    def cloud_act_agreement(self, country: str, on: date) -> LegalBasis | None:
        """The CLOUD Act executive agreement with ``country`` in force on ``on``, if any."""
        code = country.strip().upper() if isinstance(country, str) else ""
        for basis in self.legal_bases.values():
            if (
                basis.kind == "cloud_act_agreement"
                and code in basis.countries
                and basis.in_force is not None
                and basis.in_force_on(on)
            ):
                return basis
        return None

    def bilateral_treaties_in_force(self, country: str, on: date) -> list[LegalBasis]:
        """Bilateral treaties with ``country`` in force on ``on``."""
        return [
            b
            for b in self.bases_for(country)
            if b.kind == "bilateral_treaty" and b.in_force is not None and b.in_force_on(on)
        ]

    def categories_matching(self, offence_name: str) -> list[OffenceCategory]:
        """Flagged categories (speech, political, military) whose keywords match the name."""
        return [c for c in self.offence_categories.values() if c.flags and c.matches(offence_name)]
