"""Reference data: countries, legal bases, providers, U.S. Attorney districts, offence categories.

The facts live in versioned JSON files next to this module (one file per kind, each with a
top-level ``version`` and ``entries``; every entry carries a ``source`` note, and ``verified:
false`` where the fact has not been checked). :func:`load_reference` reads and validates them and
returns an immutable :class:`ReferenceData`.

Pure Python: no Flask, no database. Administrators edit the reference data by editing (or
overriding, through ``load_reference(directory)``) these files.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = [
    "ANY_COUNTRY",
    "BASIS_KINDS",
    "FILES",
    "IDENTIFIER_KINDS",
    "OFFENCE_FLAGS",
    "Country",
    "District",
    "LegalBasis",
    "OffenceCategory",
    "Provider",
    "ReferenceData",
    "load_reference",
    "normalize_name",
]

#: The directory holding the package's own reference files.
DATA_DIR = Path(__file__).resolve().parent

#: Kind -> file name. ``version`` of :class:`ReferenceData` combines the versions in this order.
FILES: Mapping[str, str] = MappingProxyType(
    {
        "countries": "countries.json",
        "districts": "districts.json",
        "legal_bases": "legal_bases.json",
        "offence_categories": "offence_categories.json",
        "providers": "providers.json",
    }
)

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

_VERSION_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\.\d+$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_DISTRICT_RE = re.compile(r"^[A-Z]{2,3}$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LOCALE_RE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")

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
    """Normalize a provider name for comparison.

    Case-, accent- and punctuation-insensitive; drops legal-form words (Inc., LLC, Corp., .com)
    unless nothing else would be left.
    """
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


# --------------------------------------------------------------------------------------------
# Loading and validation


class _Reader:
    """Reads one file's entries and reports problems with the file name and entry position."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ValueError(f"reference data: missing file {path}") from None
        except OSError as exc:
            raise ValueError(f"reference data: cannot read {path}: {exc}") from None
        try:
            doc = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path.name}: not valid JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise ValueError(f"{path.name}: the top level must be an object")
        version = doc.get("version")
        if not isinstance(version, str) or not _VERSION_RE.match(version):
            raise ValueError(
                f"{path.name}: 'version' must be a string like '2026-11-28.1', got {version!r}"
            )
        entries = doc.get("entries")
        if not isinstance(entries, list):
            raise ValueError(f"{path.name}: 'entries' must be a list")
        self.version: str = version
        self.entries: list[Any] = entries

    def fail(self, index: int, message: str) -> ValueError:
        return ValueError(f"{self.path.name}: entry {index}: {message}")

    def rows(self) -> list[tuple[int, dict[str, Any]]]:
        out: list[tuple[int, dict[str, Any]]] = []
        for i, entry in enumerate(self.entries):
            if not isinstance(entry, dict):
                raise self.fail(i, "must be an object")
            source = entry.get("source")
            if not isinstance(source, str) or not source.strip():
                raise self.fail(i, "'source' (where the fact comes from) is missing or empty")
            out.append((i, entry))
        return out

    def text(
        self, i: int, entry: dict[str, Any], key: str, pattern: re.Pattern[str] | None = None
    ) -> str:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(i, f"'{key}' must be a non-empty string")
        if pattern is not None and not pattern.match(value):
            raise self.fail(i, f"'{key}' has an invalid value {value!r}")
        return value

    def flag(self, i: int, entry: dict[str, Any], key: str) -> bool:
        value = entry.get(key)
        if not isinstance(value, bool):
            raise self.fail(i, f"'{key}' must be true or false")
        return value

    def strings(self, i: int, entry: dict[str, Any], key: str) -> list[str]:
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(i, f"'{key}' must be a list of non-empty strings")
        return list(value)

    def iso_date(self, i: int, entry: dict[str, Any], key: str) -> str | None:
        value = entry.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(i, f"'{key}' must be an ISO date or null")
        try:
            date.fromisoformat(value)
        except ValueError:
            raise self.fail(i, f"'{key}' is not an ISO date: {value!r}") from None
        return value


def _unique(reader: _Reader, seen: dict[str, int], i: int, key: str) -> None:
    if key in seen:
        raise reader.fail(i, f"duplicate id {key!r} (already used by entry {seen[key]})")
    seen[key] = i


def _load_countries(reader: _Reader) -> dict[str, Country]:
    out: dict[str, Country] = {}
    seen: dict[str, int] = {}
    for i, e in reader.rows():
        code = reader.text(i, e, "code", _COUNTRY_RE)
        _unique(reader, seen, i, code)
        out[code] = Country(code=code, name=reader.text(i, e, "name"), source=e["source"])
    return out


def _load_districts(reader: _Reader) -> dict[str, District]:
    out: dict[str, District] = {}
    seen: dict[str, int] = {}
    for i, e in reader.rows():
        code = reader.text(i, e, "code", _DISTRICT_RE)
        _unique(reader, seen, i, code)
        out[code] = District(
            code=code,
            name=reader.text(i, e, "name"),
            state=reader.text(i, e, "state"),
            source=e["source"],
        )
    return out


def _load_bases(reader: _Reader, countries: Mapping[str, Country]) -> dict[str, LegalBasis]:
    out: dict[str, LegalBasis] = {}
    seen: dict[str, int] = {}
    for i, e in reader.rows():
        basis_id = reader.text(i, e, "id", _ID_RE)
        _unique(reader, seen, i, basis_id)
        kind = reader.text(i, e, "kind")
        if kind not in BASIS_KINDS:
            expected = ", ".join(BASIS_KINDS)
            raise reader.fail(i, f"unknown kind {kind!r} (expected one of {expected})")
        parties = reader.strings(i, e, "countries")
        if not parties:
            raise reader.fail(i, f"{basis_id!r}: 'countries' is empty")
        for code in parties:
            if code != ANY_COUNTRY and code not in countries:
                raise reader.fail(i, f"{basis_id!r}: unknown country code {code!r}")
        reader.iso_date(i, e, "signed")
        in_force = reader.iso_date(i, e, "in_force")
        if kind == "cloud_act_agreement" and in_force is None:
            raise reader.fail(i, f"{basis_id!r}: a CLOUD Act agreement needs an 'in_force' date")
        out[basis_id] = LegalBasis(
            id=basis_id,
            kind=kind,
            name=reader.text(i, e, "name"),
            countries=frozenset(parties),
            in_force=in_force,
            source=e["source"],
            verified=reader.flag(i, e, "verified"),
        )
    return out


def _load_providers(reader: _Reader, districts: Mapping[str, District]) -> dict[str, Provider]:
    out: dict[str, Provider] = {}
    seen: dict[str, int] = {}
    labels: dict[str, str] = {}
    for i, e in reader.rows():
        provider_id = reader.text(i, e, "id", _ID_RE)
        _unique(reader, seen, i, provider_id)
        kinds = reader.strings(i, e, "identifier_kinds")
        unknown = sorted(set(kinds) - IDENTIFIER_KINDS)
        if unknown:
            raise reader.fail(i, f"{provider_id!r}: unknown identifier kinds {unknown}")
        district = e.get("hq_district")
        if district is not None and (not isinstance(district, str) or district not in districts):
            raise reader.fail(i, f"{provider_id!r}: unknown district code {district!r}")
        name = reader.text(i, e, "name")
        aliases = reader.strings(i, e, "aliases")
        for label in (provider_id, name, *aliases):
            key = normalize_name(label)
            owner = labels.setdefault(key, provider_id)
            if owner != provider_id:
                raise reader.fail(
                    i, f"{provider_id!r}: name or alias {label!r} is already used by {owner!r}"
                )
        out[provider_id] = Provider(
            id=provider_id,
            name=name,
            aliases=tuple(aliases),
            identifier_kinds=tuple(kinds),
            data_in_us=reader.flag(i, e, "data_in_us"),
            hq_district=district,
            source=e["source"],
            verified=reader.flag(i, e, "verified"),
        )
    return out


def _load_categories(reader: _Reader) -> dict[str, OffenceCategory]:
    out: dict[str, OffenceCategory] = {}
    seen: dict[str, int] = {}
    for i, e in reader.rows():
        category_id = reader.text(i, e, "id", _ID_RE)
        _unique(reader, seen, i, category_id)
        flags = reader.strings(i, e, "flags")
        unknown = sorted(set(flags) - OFFENCE_FLAGS)
        if unknown:
            raise reader.fail(i, f"{category_id!r}: unknown flags {unknown}")
        raw_keywords = e.get("keywords", {})
        if not isinstance(raw_keywords, dict):
            raise reader.fail(i, f"{category_id!r}: 'keywords' must be an object")
        keywords: dict[str, tuple[str, ...]] = {}
        for locale, terms in raw_keywords.items():
            if not _LOCALE_RE.match(locale):
                raise reader.fail(i, f"{category_id!r}: invalid locale {locale!r} in 'keywords'")
            if not isinstance(terms, list) or not all(
                isinstance(t, str) and t.strip() for t in terms
            ):
                raise reader.fail(i, f"{category_id!r}: keywords[{locale!r}] must list strings")
            keywords[locale] = tuple(terms)
        if flags and not keywords:
            raise reader.fail(i, f"{category_id!r}: a flagged category needs 'keywords'")
        out[category_id] = OffenceCategory(
            id=category_id,
            name=reader.text(i, e, "name"),
            flags=frozenset(flags),
            keywords=keywords,
            source=e["source"],
        )
    return out


def _load(directory: Path) -> ReferenceData:
    if not directory.is_dir():
        raise ValueError(f"reference data: {directory} is not a directory")
    readers = {kind: _Reader(directory / name) for kind, name in FILES.items()}
    countries = _load_countries(readers["countries"])
    districts = _load_districts(readers["districts"])
    legal_bases = _load_bases(readers["legal_bases"], countries)
    providers = _load_providers(readers["providers"], districts)
    categories = _load_categories(readers["offence_categories"])
    version = ";".join(f"{kind}={readers[kind].version}" for kind in FILES)
    return ReferenceData(
        version=version,
        countries=MappingProxyType(countries),
        legal_bases=MappingProxyType(legal_bases),
        providers=MappingProxyType(providers),
        districts=MappingProxyType(districts),
        offence_categories=MappingProxyType(categories),
    )


@lru_cache(maxsize=1)
def _default() -> ReferenceData:
    return _load(DATA_DIR)


def load_reference(directory: Path | None = None) -> ReferenceData:
    """Load and validate the reference data.

    ``directory=None`` loads the package's own files (cached: later calls return the same
    object). Problems (missing file, bad JSON, duplicate ids, unknown district or country codes,
    unknown kinds or flags, missing source notes) raise ``ValueError`` naming the file and entry.
    """
    if directory is None:
        return _default()
    return _load(Path(directory))
