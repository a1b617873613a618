"""Reading and validating the reference files, and keeping what was read for as long as the
files stay the same (a changed file is read again on the next call, in every process)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from portal import cache
from portal.reference.records import (
    ANY_COUNTRY,
    BASIS_KINDS,
    IDENTIFIER_KINDS,
    OFFENCE_FLAGS,
    Country,
    District,
    LegalBasis,
    OffenceCategory,
    Provider,
    ReferenceData,
    normalize_name,
)

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


T = TypeVar("T")

_VERSION_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\.\d+$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_DISTRICT_RE = re.compile(r"^[A-Z]{2,3}$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LOCALE_RE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")


class _Reader:
    """Reads one kind's entries and reports problems with the file name and entry position."""

    def __init__(self, name: str, doc: object) -> None:
        self.name = name
        if not isinstance(doc, dict):
            raise ValueError(f"{name}: the top level must be an object")
        version = doc.get("version")
        if not isinstance(version, str) or not _VERSION_RE.match(version):
            raise ValueError(
                f"{name}: 'version' must be a string like '2026-11-28.1', got {version!r}"
            )
        entries = doc.get("entries")
        if not isinstance(entries, list):
            raise ValueError(f"{name}: 'entries' must be a list")
        self.version: str = version
        self.entries: list[Any] = entries

    def fail(self, index: int, message: str) -> ValueError:
        return ValueError(f"{self.name}: entry {index}: {message}")

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


def read_document(path: Path) -> object:
    """One reference file's JSON document (``ValueError`` naming the file when unreadable)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"reference data: missing file {path}") from None
    except OSError as exc:
        raise ValueError(f"reference data: cannot read {path}: {exc}") from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name}: not valid JSON: {exc}") from None


def read_documents(directory: Path | None = None) -> dict[str, object]:
    """Kind -> JSON document of every file of ``directory`` (default: the package's files)."""
    folder = DATA_DIR if directory is None else directory
    if not folder.is_dir():
        raise ValueError(f"reference data: {folder} is not a directory")
    return {kind: read_document(folder / name) for kind, name in FILES.items()}


def parse_documents(docs: Mapping[str, object], version: str | None = None) -> ReferenceData:
    """Validated reference data from kind -> document (the files' layout). ``version`` names
    the set (default: each kind's own version, joined). Raises ``ValueError`` at the first
    problem, naming the kind's file and the entry."""
    missing = [FILES[kind] for kind in FILES if kind not in docs]
    if missing:
        raise ValueError(f"reference data: missing {', '.join(missing)}")
    readers = {kind: _Reader(name, docs[kind]) for kind, name in FILES.items()}
    countries = _load_countries(readers["countries"])
    districts = _load_districts(readers["districts"])
    legal_bases = _load_bases(readers["legal_bases"], countries)
    providers = _load_providers(readers["providers"], districts)
    categories = _load_categories(readers["offence_categories"])
    if version is None:
        version = ";".join(f"{kind}={readers[kind].version}" for kind in FILES)
    return ReferenceData(
        version=version,
        countries=MappingProxyType(countries),
        legal_bases=MappingProxyType(legal_bases),
        providers=MappingProxyType(providers),
        districts=MappingProxyType(districts),
        offence_categories=MappingProxyType(categories),
    )


def problems_of(docs: Mapping[str, object]) -> list[str]:
    """Every problem of ``docs``, the first of each kind, so that an editor sees them all at
    once (legal bases and providers are checked when the kind they refer to is sound)."""
    found: list[str] = []

    def attempt(make: Callable[[], T]) -> T | None:
        try:
            return make()
        except ValueError as exc:
            found.append(str(exc))
            return None

    readers: dict[str, _Reader] = {}
    for kind, name in FILES.items():
        if kind not in docs:
            found.append(f"reference data: missing {name}")
            continue
        try:
            readers[kind] = _Reader(name, docs[kind])
        except ValueError as exc:
            found.append(str(exc))
    countries = districts = None
    if "countries" in readers:
        countries = attempt(lambda: _load_countries(readers["countries"]))
    if "districts" in readers:
        districts = attempt(lambda: _load_districts(readers["districts"]))
    if "offence_categories" in readers:
        attempt(lambda: _load_categories(readers["offence_categories"]))
    if "legal_bases" in readers and countries is not None:
        known_countries = countries
        attempt(lambda: _load_bases(readers["legal_bases"], known_countries))
    if "providers" in readers and districts is not None:
        known_districts = districts
        attempt(lambda: _load_providers(readers["providers"], known_districts))
    return found


def _load(directory: Path) -> ReferenceData:
    return parse_documents(read_documents(directory))


def reference_size(data: ReferenceData) -> int:
    """Bytes held by loaded reference data (its records and the provider index)."""
    mappings = (data.countries, data.legal_bases, data.providers, data.districts,
                data.offence_categories, data._provider_index)
    return sum(cache.approximate_size(dict(mapping)) for mapping in mappings)


_LOADED = cache.named(
    "reference.data", max_bytes=32 * 1024 * 1024, sizeof=reference_size,
    why="reference data read from its files (key: directory, each file's size and times)",
)


def _identity(folder: str) -> tuple[tuple[str, int, int, int, int], ...] | None:
    """What tells one state of the files from another: size, modification and change times and
    inode of each file (None when a file cannot be examined)."""
    out = []
    try:
        for name in FILES.values():
            found = os.stat(os.path.join(folder, name))
            out.append((name, found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino))
    except OSError:
        return None
    return tuple(out)


def load_reference(directory: Path | None = None) -> ReferenceData:
    """The reference data of ``directory`` (default: the package's files), read again when a
    file changed since the last call (replace files atomically). Problems (missing file, bad
    JSON, unknown or duplicate codes, missing sources) raise ``ValueError`` naming the file."""
    folder = os.path.abspath(DATA_DIR if directory is None else directory)
    before = _identity(folder)
    if before is None:
        return _load(Path(folder))  # raises the error naming the missing file or directory
    key = (folder, before)
    found: ReferenceData | None = _LOADED.get(key)
    if found is None:
        found = _load(Path(folder))
        if _identity(folder) == before:  # not changed while being read
            _LOADED.put(key, found)
    return found
