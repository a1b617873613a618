"""Validating each kind's document: the version, then every entry, checked and turned into
records; the first problem raises a :class:`ReferenceProblem` naming the file and the entry."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Any, NamedTuple

from portal.i18n_core import N_
from portal.reference.problems import ReferenceProblem, shown
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
    normalize_name,
)

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


class _Format(NamedTuple):
    """What a code or id must look like, and how a problem says it."""

    pattern: re.Pattern[str]
    msgid: str
    example: str


_VERSION_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\.\d+$")
_COUNTRY = _Format(re.compile(r"^[A-Z]{2}$"), N_(
    "%(field)s must be two capital letters, like %(example)s; it is %(value)s."), "ES")
_DISTRICT = _Format(re.compile(r"^[A-Z]{2,3}$"), N_(
    "%(field)s must be two or three capital letters, like %(example)s; it is %(value)s."), "NYS")
_ID = _Format(re.compile(r"^[a-z0-9][a-z0-9_-]*$"), N_(
    "%(field)s must be lowercase letters, digits, hyphens and underscores, starting with a "
    "letter or digit, like %(example)s; it is %(value)s."), "mlat-es")
_LOCALE_RE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")
_ISO_FORMAT = "YYYY-MM-DD"


class Reader:
    """Reads one kind's entries and reports problems with the file name and entry position."""

    def __init__(self, name: str, doc: object) -> None:
        self.name = name
        if not isinstance(doc, dict):
            raise ReferenceProblem("the top level must be an object", N_(
                "The file must hold a JSON object: { ... }."), file=name)
        version = doc.get("version")
        if not isinstance(version, str) or not _VERSION_RE.match(version):
            raise ReferenceProblem(
                f"'version' must be a string like '2026-11-28.1', got {version!r}", N_(
                    "%(field)s must be a date and a number, like %(example)s; it is "
                    "%(value)s."), file=name, field="version", example="2026-11-28.1",
                value=shown(version))
        entries = doc.get("entries")
        if not isinstance(entries, list):
            raise ReferenceProblem("'entries' must be a list", N_(
                "%(field)s must be a JSON list: [ ... ]."), file=name, field="entries")
        self.version: str = version
        self.entries: list[Any] = entries

    def fail(self, index: int, text: str, msgid: str, **params: str | int) -> ReferenceProblem:
        return ReferenceProblem(text, msgid, file=self.name, entry=index, **params)

    def rows(self) -> list[tuple[int, dict[str, Any]]]:
        out: list[tuple[int, dict[str, Any]]] = []
        for i, entry in enumerate(self.entries):
            if not isinstance(entry, dict):
                raise self.fail(i, "must be an object",
                                N_("The entry must be a JSON object: { ... }."))
            source = entry.get("source")
            if not isinstance(source, str) or not source.strip():
                raise self.fail(i, "'source' (where the fact comes from) is missing or empty",
                                N_("%(field)s (where the fact comes from) is missing or "
                                   "empty."), field="source")
            out.append((i, entry))
        return out

    def text(self, i: int, entry: dict[str, Any], key: str, form: _Format | None = None) -> str:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(i, f"'{key}' must be a non-empty string",
                            N_("%(field)s must be a text that is not empty."), field=key)
        if form is not None and not form.pattern.match(value):
            raise self.fail(i, f"'{key}' has an invalid value {value!r}", form.msgid,
                            field=key, example=form.example, value=shown(value))
        return value

    def flag(self, i: int, entry: dict[str, Any], key: str) -> bool:
        value = entry.get(key)
        if not isinstance(value, bool):
            raise self.fail(i, f"'{key}' must be true or false",
                            N_("%(field)s must be %(true)s or %(false)s."),
                            field=key, true="true", false="false")
        return value

    def strings(self, i: int, entry: dict[str, Any], key: str) -> list[str]:
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(i, f"'{key}' must be a list of non-empty strings",
                            N_("%(field)s must be a list of texts that are not empty: "
                               "[ ... ]."), field=key)
        return list(value)

    def iso_date(self, i: int, entry: dict[str, Any], key: str) -> str | None:
        value = entry.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(i, f"'{key}' must be an ISO date or null",
                            N_("%(field)s must be a date written %(format)s, or %(null)s."),
                            field=key, format=_ISO_FORMAT, null="null")
        try:
            date.fromisoformat(value)
        except ValueError:
            raise self.fail(i, f"'{key}' is not an ISO date: {value!r}",
                            N_("%(field)s is not a date written %(format)s: %(value)s."),
                            field=key, format=_ISO_FORMAT, value=shown(value)) from None
        return value


def _unique(reader: Reader, seen: dict[str, int], i: int, key: str) -> None:
    if key in seen:
        raise reader.fail(i, f"duplicate id {key!r} (already used by entry {seen[key]})",
                          N_("Entry %(other)d already uses %(key)s."),
                          key=key, other=seen[key] + 1)
    seen[key] = i


def load_countries(reader: Reader) -> dict[str, Country]:
    out: dict[str, Country] = {}
    seen: dict[str, int] = {}
    for i, e in reader.rows():
        code = reader.text(i, e, "code", _COUNTRY)
        _unique(reader, seen, i, code)
        out[code] = Country(code=code, name=reader.text(i, e, "name"), source=e["source"])
    return out


def load_districts(reader: Reader) -> dict[str, District]:
    out: dict[str, District] = {}
    seen: dict[str, int] = {}
    for i, e in reader.rows():
        code = reader.text(i, e, "code", _DISTRICT)
        _unique(reader, seen, i, code)
        out[code] = District(
            code=code,
            name=reader.text(i, e, "name"),
            state=reader.text(i, e, "state"),
            source=e["source"],
        )
    return out


def load_bases(reader: Reader, countries: Mapping[str, Country]) -> dict[str, LegalBasis]:
    out: dict[str, LegalBasis] = {}
    seen: dict[str, int] = {}
    for i, e in reader.rows():
        basis_id = reader.text(i, e, "id", _ID)
        _unique(reader, seen, i, basis_id)
        kind = reader.text(i, e, "kind")
        if kind not in BASIS_KINDS:
            expected = ", ".join(BASIS_KINDS)
            raise reader.fail(i, f"unknown kind {kind!r} (expected one of {expected})",
                              N_("%(field)s is %(value)s, which is not a known kind; use one "
                                 "of %(expected)s."),
                              field="kind", value=shown(kind), expected=expected)
        parties = reader.strings(i, e, "countries")
        if not parties:
            raise reader.fail(i, f"{basis_id!r}: 'countries' is empty",
                              N_("The legal basis %(id)s lists no country in %(field)s."),
                              id=basis_id, field="countries")
        for code in parties:
            if code != ANY_COUNTRY and code not in countries:
                raise reader.fail(i, f"{basis_id!r}: unknown country code {code!r}",
                                  N_("The legal basis %(id)s names the country code %(code)s, "
                                     "which is not in %(codes_file)s."),
                                  id=basis_id, code=shown(code), codes_file=FILES["countries"])
        reader.iso_date(i, e, "signed")
        in_force = reader.iso_date(i, e, "in_force")
        if kind == "cloud_act_agreement" and in_force is None:
            raise reader.fail(i, f"{basis_id!r}: a CLOUD Act agreement needs an 'in_force' date",
                              N_("The legal basis %(id)s is a CLOUD Act agreement: it needs the "
                                 "date it entered into force in %(field)s."),
                              id=basis_id, field="in_force")
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


def load_providers(reader: Reader, districts: Mapping[str, District]) -> dict[str, Provider]:
    out: dict[str, Provider] = {}
    seen: dict[str, int] = {}
    labels: dict[str, str] = {}
    for i, e in reader.rows():
        provider_id = reader.text(i, e, "id", _ID)
        _unique(reader, seen, i, provider_id)
        kinds = reader.strings(i, e, "identifier_kinds")
        unknown = sorted(set(kinds) - IDENTIFIER_KINDS)
        if unknown:
            raise reader.fail(i, f"{provider_id!r}: unknown identifier kinds {unknown}",
                              N_("The provider %(id)s has unknown kinds in %(field)s: "
                                 "%(values)s; the known kinds are %(expected)s."),
                              id=provider_id, field="identifier_kinds",
                              values=shown(", ".join(unknown)),
                              expected=", ".join(sorted(IDENTIFIER_KINDS)))
        district = e.get("hq_district")
        if district is not None and (not isinstance(district, str) or district not in districts):
            raise reader.fail(i, f"{provider_id!r}: unknown district code {district!r}",
                              N_("The provider %(id)s names the district code %(code)s in "
                                 "%(field)s, which is not in %(codes_file)s."),
                              id=provider_id, code=shown(district), field="hq_district",
                              codes_file=FILES["districts"])
        name = reader.text(i, e, "name")
        aliases = reader.strings(i, e, "aliases")
        for label in (provider_id, name, *aliases):
            key = normalize_name(label)
            owner = labels.setdefault(key, provider_id)
            if owner != provider_id:
                raise reader.fail(
                    i, f"{provider_id!r}: name or alias {label!r} is already used by {owner!r}",
                    N_("The name or alias %(label)s of the provider %(id)s is already used by "
                       "the provider %(owner)s."),
                    id=provider_id, label=shown(label), owner=owner)
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


def load_categories(reader: Reader) -> dict[str, OffenceCategory]:
    out: dict[str, OffenceCategory] = {}
    seen: dict[str, int] = {}
    for i, e in reader.rows():
        category_id = reader.text(i, e, "id", _ID)
        _unique(reader, seen, i, category_id)
        flags = reader.strings(i, e, "flags")
        unknown = sorted(set(flags) - OFFENCE_FLAGS)
        if unknown:
            raise reader.fail(i, f"{category_id!r}: unknown flags {unknown}",
                              N_("The offence category %(id)s has unknown flags in %(field)s: "
                                 "%(values)s; the known flags are %(expected)s."),
                              id=category_id, field="flags", values=shown(", ".join(unknown)),
                              expected=", ".join(sorted(OFFENCE_FLAGS)))
        raw_keywords = e.get("keywords", {})
        if not isinstance(raw_keywords, dict):
            raise reader.fail(i, f"{category_id!r}: 'keywords' must be an object",
                              N_("In the offence category %(id)s, %(field)s must be a JSON "
                                 "object: { ... }."), id=category_id, field="keywords")
        keywords: dict[str, tuple[str, ...]] = {}
        for locale, terms in raw_keywords.items():
            if not _LOCALE_RE.match(locale):
                raise reader.fail(i, f"{category_id!r}: invalid locale {locale!r} in 'keywords'",
                                  N_("In the offence category %(id)s, %(value)s in %(field)s "
                                     "is not a language code like %(example)s."),
                                  id=category_id, value=shown(locale), field="keywords",
                                  example="es")
            if not isinstance(terms, list) or not all(
                isinstance(t, str) and t.strip() for t in terms
            ):
                raise reader.fail(i, f"{category_id!r}: keywords[{locale!r}] must list strings",
                                  N_("In the offence category %(id)s, the keywords of "
                                     "%(locale)s must be a list of texts that are not empty: "
                                     "[ ... ]."), id=category_id, locale=shown(locale))
            keywords[locale] = tuple(terms)
        if flags and not keywords:
            raise reader.fail(i, f"{category_id!r}: a flagged category needs 'keywords'",
                              N_("The offence category %(id)s has flags, so it needs "
                                 "%(field)s."), id=category_id, field="keywords")
        out[category_id] = OffenceCategory(
            id=category_id,
            name=reader.text(i, e, "name"),
            flags=frozenset(flags),
            keywords=keywords,
            source=e["source"],
        )
    return out
