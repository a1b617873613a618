"""The assistance items of a request and the fields that belong to each type of item."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from portal.contract.fields import described, field_specs, schema_field
from portal.contract.sections import Narrative
from portal.contract.vocabulary import (
    ASSET_ACTIONS,
    ASSISTANCE_TYPES,
    DOCUMENT_KINDS,
    IDENTIFIER_KINDS,
    REAL_TIME_MODES,
)


@dataclass(frozen=True, slots=True)
class Identifier:
    kind: str = schema_field("", enum=IDENTIFIER_KINDS)
    value: str = schema_field("")
    platform: str = schema_field("", description="Platform or service, required for usernames.")
    datetime: str = schema_field(
        "",
        description="For IP addresses: ISO 8601 date and time with UTC offset, "
        "e.g. 2024-03-01T14:05:09+01:00 (checked by rule ELEC-IP-TIME, not by the schema).",
    )
    port: int | None = schema_field(None, minimum=0, maximum=65535, description="Source port (IP).")


@dataclass(frozen=True, slots=True)
class Period:
    start: str = schema_field("", format="date")
    end: str = schema_field("", format="date")


@dataclass(frozen=True, slots=True)
class Account:
    number: str = schema_field("", description="Account number or IBAN.")
    holder: str = schema_field("")


@dataclass(frozen=True, slots=True)
class ForeignOfficial:
    name: str = schema_field("")
    role: str = schema_field(
        "", description="e.g. prosecutor, investigating judge, police officer."
    )


@dataclass(frozen=True, slots=True)
class Money:
    amount: float | None = schema_field(None, minimum=0)
    currency: str = schema_field("", pattern="currency")


@dataclass(frozen=True, slots=True)
class AssistanceItem:
    """One item of assistance. All fields of all types live in this one flat record; which of
    them belong to an item is decided by its ``type`` (see :data:`ITEM_FIELDS`)."""

    ALWAYS_WRITTEN: ClassVar[frozenset[str]] = frozenset({"type"})

    type: str = schema_field("other", enum=ASSISTANCE_TYPES, required=True)
    description: Narrative = field(
        default_factory=Narrative, metadata=described("What is sought, in your own words.")
    )
    nexus: Narrative = field(
        default_factory=Narrative, metadata=described("How what is sought relates to the offence.")
    )
    # electronic evidence
    identifiers: tuple[Identifier, ...] = schema_field(())
    provider: str = schema_field(
        "", description="Provider holding the data (name or reference-data id)."
    )
    period: Period = field(default_factory=Period)
    csli: bool = schema_field(
        False, description="Historical cell-site location information is sought."
    )
    most_recent_use: str = schema_field(
        "", format="date", description="Most recent known relevant use."
    )
    expected_evidence: Narrative = field(
        default_factory=Narrative,
        metadata=described("What evidence is expected to be found in the account."),
    )
    real_time_mode: str = schema_field("", enum=REAL_TIME_MODES)
    duration_days: int | None = schema_field(None, minimum=0)
    # financial records
    institution: str = schema_field("", description="Bank or business holding the records.")
    accounts: tuple[Account, ...] = schema_field(())
    document_kinds: tuple[str, ...] = schema_field((), enum=DOCUMENT_KINDS)
    certificate_requested: bool = schema_field(
        False, description="18 U.S.C. 3505 certificate requested."
    )
    # witness
    witness_name: str = schema_field("")
    questions: Narrative = field(
        default_factory=Narrative, metadata=described("The questions, one per line.")
    )
    questions_attachment: str = schema_field(
        "", description="Filename of an attachment with the questions."
    )
    compelled: bool = schema_field(False)
    foreign_officials_attend: bool = schema_field(False)
    foreign_officials: tuple[ForeignOfficial, ...] = schema_field(())
    # search and seizure
    place: Narrative = field(
        default_factory=Narrative,
        metadata=described("The place to search, described specifically."),
    )
    items: Narrative = field(default_factory=Narrative, metadata=described("The items to seize."))
    # location (witness, search, service, assets, financial)
    address: str = schema_field("", description="Street address in the U.S.")
    city: str = schema_field("")
    state: str = schema_field("", pattern="us_state")
    # service of documents
    documents_to_serve: tuple[str, ...] = schema_field(
        (), description="Filenames of attached documents."
    )
    recipient: str = schema_field("")
    summons: bool = schema_field(
        False, description="A summons to appear abroad is among the documents."
    )
    # assets
    property: Narrative = field(
        default_factory=Narrative, metadata=described("The property concerned.")
    )
    location: str = schema_field("", description="Where the property is (bank, registry, address).")
    estimated_value: Money = field(default_factory=Money)
    action: str = schema_field("", enum=ASSET_ACTIONS)
    judgment_attachment: str = schema_field(
        "", description="Filename of the certified copy of the judgment."
    )
    notice_statement: Narrative = field(
        default_factory=Narrative,
        metadata=described("Statement that the defendant had notice and a chance to be heard."),
    )
    restraint_facts: Narrative = field(
        default_factory=Narrative,
        metadata=described("Facts showing the property will be subject to forfeiture."),
    )

    def narratives(self, *names: str) -> Iterator[tuple[str, Narrative]]:
        """The item's narratives that belong to its type (only ``names`` when given)."""
        allowed = item_fields(self.type)
        for name in ITEM_NARRATIVES:
            if name in allowed and (not names or name in names):
                yield name, getattr(self, name)

    def written_fields(self) -> tuple[str, ...]:
        """The fields written for this item (:func:`~portal.contract.fields.to_dict`)."""
        return item_fields(self.type)


_COMMON = ("type", "description", "nexus")
_LOCATION = ("address", "city", "state")
ITEM_FIELDS: Mapping[str, tuple[str, ...]] = {
    "subscriber_info": (*_COMMON, "identifiers", "provider", "period"),
    "non_content": (*_COMMON, "identifiers", "provider", "period", "csli"),
    "stored_content": (
        *_COMMON,
        "identifiers",
        "provider",
        "period",
        "csli",
        "most_recent_use",
        "expected_evidence",
    ),
    "real_time": (*_COMMON, "identifiers", "provider", "real_time_mode", "duration_days"),
    "financial_records": (
        *_COMMON,
        "institution",
        *_LOCATION,
        "accounts",
        "document_kinds",
        "period",
        "certificate_requested",
    ),
    "witness": (
        *_COMMON,
        "witness_name",
        *_LOCATION,
        "questions",
        "questions_attachment",
        "compelled",
        "foreign_officials_attend",
        "foreign_officials",
    ),
    "search_seizure": (*_COMMON, "place", "items", *_LOCATION),
    "service_of_documents": (*_COMMON, "documents_to_serve", "recipient", *_LOCATION, "summons"),
    "assets": (
        *_COMMON,
        "property",
        "location",
        *_LOCATION,
        "estimated_value",
        "action",
        "judgment_attachment",
        "notice_statement",
        "restraint_facts",
    ),
    "other": _COMMON,
}
"""The fields that belong to an assistance item of each type (the wizard shows only these)."""


def item_fields(item_type: str) -> tuple[str, ...]:
    return ITEM_FIELDS.get(item_type, _COMMON)



#: The narrative fields of an assistance item, in declaration order.
ITEM_NARRATIVES: tuple[str, ...] = tuple(
    name for name, kind, sub, _default in field_specs(AssistanceItem)
    if kind == "obj" and sub is Narrative
)
