"""Choices for the wizard's select boxes, from the reference data, in the user's language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from babel import Locale, UnknownLocaleError

from portal.cache import memoize
from portal.contract.model import Request
from portal.i18n_core import get_translations
from portal.reference import current_reference
from portal.requests.labels import choice_label


@dataclass(frozen=True)
class Choices:
    """Reference data for select boxes (already sorted and labelled)."""

    countries: tuple[tuple[str, str], ...] = ()
    states: tuple[tuple[str, str], ...] = ()
    languages: tuple[tuple[str, str], ...] = ()
    categories: tuple[tuple[str, str], ...] = ()
    instruments: tuple[tuple[str, str], ...] = ()
    providers: tuple[str, ...] = ()


US_STATES = (
    ("AL", "Alabama"), ("AK", "Alaska"), ("AS", "American Samoa"), ("AZ", "Arizona"),
    ("AR", "Arkansas"), ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"),
    ("DE", "Delaware"), ("DC", "District of Columbia"), ("FL", "Florida"), ("GA", "Georgia"),
    ("GU", "Guam"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"),
    ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"), ("ME", "Maine"),
    ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
    ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"),
    ("NV", "Nevada"), ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"),
    ("NY", "New York"), ("NC", "North Carolina"), ("ND", "North Dakota"),
    ("MP", "Northern Mariana Islands"), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
    ("PA", "Pennsylvania"), ("PR", "Puerto Rico"), ("RI", "Rhode Island"),
    ("SC", "South Carolina"), ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"),
    ("UT", "Utah"), ("VT", "Vermont"), ("VI", "U.S. Virgin Islands"), ("VA", "Virginia"),
    ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
)

#: Languages offered for the original text of a narrative (BCP 47).
LANGUAGES = (
    "en", "es", "fr", "pt", "de", "it", "nl", "ar", "zh-Hans", "zh-Hant", "ru", "uk", "pl",
    "ro", "tr", "el", "bg", "hr", "sr", "cs", "sk", "hu", "sv", "da", "no", "fi", "lt", "lv",
    "et", "sl", "sq", "mk", "ka", "hy", "az", "kk", "uz", "he", "fa", "ur", "hi", "bn", "ta",
    "th", "vi", "id", "ms", "tl", "ja", "ko", "sw", "am", "ha", "yo",
)


def _babel_locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _countries(locale: str) -> tuple[tuple[str, str], ...]:
    names = _babel_locale(locale).territories
    reference = current_reference()
    items = [(code, names.get(code, country.name)) for code, country in
             reference.countries.items()]
    return tuple(sorted(items, key=lambda item: item[1]))


@memoize("country_names", max_bytes=1024 * 1024,
         why="the countries' names in each interface language, sorted (the queue's filter)")
def country_names(locale: str, version: str) -> tuple[tuple[str, str], ...]:
    """(code, name in ``locale``) of the reference data's countries (``version``: its
    version, which the kept list follows), sorted by name."""
    return _countries(locale)


@memoize("language_names", max_bytes=1024 * 1024,
         why="the names of the narratives' languages in each interface language, sorted")
def _languages(locale: str) -> tuple[tuple[str, str], ...]:
    babel = _babel_locale(locale)
    items = []
    for code in LANGUAGES:
        name = babel.languages.get(code.replace("-", "_")) or babel.languages.get(
            code.split("-")[0], code)
        if code == "zh-Hans":
            name = f"{name} (简体)"
        elif code == "zh-Hant":
            name = f"{name} (繁體)"
        items.append((code, name))
    return tuple(sorted(items, key=lambda item: item[1]))


def for_request(content: Request, locale: str) -> Choices:
    """The select boxes' lists for a request (its legal bases depend on its country)."""
    return _choices(content.requesting_authority.country or "", locale,
                    current_reference().version)


@memoize("select_choices", max_bytes=16 * 1024 * 1024,
         why="every section page offers the same lists for one country, language and "
             "reference data; naming and sorting 250 countries takes milliseconds")
def _choices(country: str, locale: str, _reference_version: str) -> Choices:
    """The lists for ``country`` in ``locale`` (``_reference_version``: the data they are of)."""
    reference = current_reference()
    bases = reference.bases_for(country) if country else list(reference.legal_bases.values())
    categories = tuple((c.id, _in(locale, choice_label(c.id)) if choice_label(c.id) != c.id
                        else c.name) for c in reference.offence_categories.values())
    providers = tuple(sorted(p.name for p in reference.providers.values()))
    return Choices(
        countries=_countries(locale),
        states=US_STATES,
        languages=_languages(locale),
        categories=categories,
        instruments=tuple((b.id, b.name) for b in bases),
        providers=providers,
    )


def _in(locale: str, label: Any) -> str:
    """A (lazy) label in ``locale`` itself, not in the language of the request being served:
    the result is cached under ``locale``."""
    msgid = None if isinstance(label, str) else getattr(label, "_args", (None,))[0]
    if isinstance(msgid, str):
        return get_translations(locale).gettext(msgid)
    return str(label)


def display_names(content: Request, locale: str) -> Mapping[str, str]:
    """``namespace:code`` -> display name, for the review page (read-only, shared)."""
    return _display_names(content.requesting_authority.country or "", locale,
                          current_reference().version)


@memoize("display_names", max_bytes=16 * 1024 * 1024,
         why="the review, section and version pages name codes in one language and country")
def _display_names(country: str, locale: str, reference_version: str) -> Mapping[str, str]:
    choices = _choices(country, locale, reference_version)
    reference = current_reference()
    names: dict[str, str] = {}
    for namespace, pairs in (("country", choices.countries), ("us_state", choices.states),
                             ("language", choices.languages),
                             ("category", choices.categories)):
        names.update({f"{namespace}:{code}": name for code, name in pairs})
    names.update({f"instrument:{basis.id}": basis.name
                  for basis in reference.legal_bases.values()})
    return MappingProxyType(names)
