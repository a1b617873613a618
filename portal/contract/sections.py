"""The sections of a request other than its assistance items: one frozen dataclass each."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.contract.fields import described, schema_field
from portal.contract.vocabulary import (
    ATTACHMENT_KINDS,
    AUTHORITY_ROLES,
    LEGAL_BASIS_KINDS,
    PERSON_ROLES,
    PRESERVATION_CHANNELS,
    PROCEEDING_STAGES,
    URGENCY_REASONS,
)


@dataclass(frozen=True, slots=True)
class Narrative:
    """A free-text answer: the original ``text``, its ``english`` translation (empty when the
    original is in English) and the ``language`` code of the original (empty = the request's
    drafting language)."""

    text: str = schema_field(
        "", long=True, description="The text as written, in its original language."
    )
    english: str = schema_field(
        "", long=True, description="English translation (empty if text is English)."
    )
    language: str = schema_field(
        "", pattern="language", description="Language code of text (BCP 47)."
    )

    def is_empty(self) -> bool:
        return not (self.text.strip() or self.english.strip())

    def for_reading(self) -> str:
        """The text OIA reads: the English translation when there is one, else the original."""
        return self.english if self.english.strip() else self.text


@dataclass(frozen=True, slots=True)
class Contact:
    name: str = schema_field("", description="The person to contact.")
    email: str = schema_field("", format="email")
    phone: str = schema_field("", description="International form, e.g. +34 91 123 45 67.")
    time_zone: str = schema_field("", description="IANA time zone, e.g. Europe/Madrid.")


@dataclass(frozen=True, slots=True)
class RequestingAuthority:
    name: str = schema_field("", description="Name of the requesting authority.")
    country: str = schema_field("", pattern="country")
    office: str = schema_field("")
    role: str = schema_field("", enum=AUTHORITY_ROLES)
    contact: Contact = field(default_factory=Contact)
    case_references: tuple[str, ...] = schema_field(
        (), description="The authority's own case references."
    )


@dataclass(frozen=True, slots=True)
class LegalBasisChoice:
    kind: str = schema_field("", enum=LEGAL_BASIS_KINDS)
    instrument: str = schema_field(
        "", description="Id of the treaty or convention in the reference data."
    )


@dataclass(frozen=True, slots=True)
class Proceedings:
    stage: str = schema_field("", enum=PROCEEDING_STAGES)
    conducting_authority: str = schema_field("")


@dataclass(frozen=True, slots=True)
class Person:
    name: str = schema_field("")
    role: str = schema_field("", enum=PERSON_ROLES)
    nationality: str = schema_field("", pattern="country")
    date_of_birth: str = schema_field("", format="date")


@dataclass(frozen=True, slots=True)
class Offence:
    name: Narrative = field(default_factory=Narrative)
    category: str = schema_field("", description="Id of an offence category in the reference data.")
    provision: str = schema_field(
        "", description="Article or section of the law, e.g. 'Art. 248 Código Penal'."
    )
    law_text: Narrative = field(
        default_factory=Narrative, metadata=described("The text of the provision.")
    )
    max_penalty_months: int | None = schema_field(
        None, minimum=0, description="Maximum imprisonment, in months."
    )
    max_penalty_text: str = schema_field(
        "", description="The maximum penalty as the law states it."
    )
    committed_in_us: bool = schema_field(
        False, description="Committed in whole or in part in the U.S."
    )
    us_equivalent_explanation: Narrative = field(
        default_factory=Narrative,
        metadata=described(
            "Why the conduct is punishable by more than one year under U.S. law "
            "(needed for a search when the maximum penalty here is one year or less)."
        ),
    )


@dataclass(frozen=True, slots=True)
class Facts:
    summary: Narrative = field(
        default_factory=Narrative, metadata=described("Who, what, when, where, how.")
    )
    evidence: Narrative = field(
        default_factory=Narrative, metadata=described("Evidence gathered so far.")
    )



@dataclass(frozen=True, slots=True)
class PreservationRecord:
    date: str = schema_field(
        "", format="date", description="Date the preservation request was sent."
    )
    channel: str = schema_field("", enum=PRESERVATION_CHANNELS)
    reference: str = schema_field("", description="Reference given by the provider or the network.")
    identifier: str = schema_field("", description="The account or identifier preserved.")
    provider: str = schema_field("")
    extension_date: str = schema_field(
        "", format="date", description="Date the extension was requested."
    )


@dataclass(frozen=True, slots=True)
class Urgency:
    urgent: bool = schema_field(False)
    reason: str = schema_field("", enum=URGENCY_REASONS)
    reason_text: Narrative = field(default_factory=Narrative)
    date: str = schema_field(
        "", format="date", description="The date by which the evidence is needed."
    )


@dataclass(frozen=True, slots=True)
class Confidentiality:
    requested: bool = schema_field(False)
    reason: Narrative = field(default_factory=Narrative)
    from_whom: str = schema_field(
        "", description="From whom the request must be kept confidential."
    )


@dataclass(frozen=True, slots=True)
class SpecialProcedures:
    certificate_of_authenticity: bool = schema_field(False)
    video_link: bool = schema_field(False)
    foreign_officials_presence: bool = schema_field(False)
    description: Narrative = field(
        default_factory=Narrative, metadata=described("Other procedures to follow.")
    )


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str = schema_field("")
    document_kind: str = schema_field("", enum=ATTACHMENT_KINDS)
    sha256: str = schema_field("", pattern="sha256")
    size: int | None = schema_field(None, minimum=0, description="Size in bytes.")
    pages: int | None = schema_field(None, minimum=0)
    language: str = schema_field("", pattern="language")

