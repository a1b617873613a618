"""Reference data (countries, legal bases, providers, U.S. Attorney districts, offence
categories) from versioned JSON files next to this module, read again in every process when a
file changes (no Flask, no database). Records in :mod:`.records`, reading in :mod:`.loading`."""

from __future__ import annotations

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
    "load_reference",
    "normalize_name",
]
