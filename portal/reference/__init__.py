"""Reference data (countries, legal bases, providers, U.S. Attorney districts, offence
categories): versions in the database edited by admins (:mod:`.store`), seeded from the JSON
files next to this module (read by :mod:`.loading`, which validates every version). No Flask:
:mod:`.ambient` finds the version in force for the work in progress. Records in
:mod:`.records`."""

from __future__ import annotations

from portal.reference.ambient import current_reference, recorded_reference
from portal.reference.loading import DATA_DIR, FILES, load_reference
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

__all__ = [
    "ANY_COUNTRY",
    "BASIS_KINDS",
    "DATA_DIR",
    "FILES",
    "IDENTIFIER_KINDS",
    "OFFENCE_FLAGS",
    "Country",
    "District",
    "LegalBasis",
    "OffenceCategory",
    "Provider",
    "ReferenceData",
    "current_reference",
    "load_reference",
    "normalize_name",
    "recorded_reference",
]
