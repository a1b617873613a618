"""The typed model of an MLA request (docs/REQUEST_CONTRACT.md): :class:`Request` here, and every
name of :mod:`.sections`, :mod:`.items`, :mod:`.vocabulary` and :mod:`.fields` importable from
this module. ``request.schema.json`` is generated from these classes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from portal.contract import fields
from portal.contract.fields import (
    FieldSpec,
    as_plain_data,
    field_specs,
    from_dict,
    schema_field,
    to_dict,
)
from portal.contract.items import (
    ITEM_FIELDS,
    ITEM_NARRATIVES,
    Account,
    AssistanceItem,
    ForeignOfficial,
    Identifier,
    Money,
    Period,
    item_fields,
)
from portal.contract.sections import (
    Attachment,
    Confidentiality,
    Contact,
    Facts,
    LegalBasisChoice,
    Narrative,
    Offence,
    Person,
    PreservationRecord,
    Proceedings,
    RequestingAuthority,
    SpecialProcedures,
    Urgency,
)
from portal.contract.vocabulary import (
    ASSET_ACTIONS,
    ASSISTANCE_TYPES,
    ATTACHMENT_KINDS,
    AUTHORITY_ROLES,
    DOCUMENT_KINDS,
    ELECTRONIC_TYPES,
    IDENTIFIER_KINDS,
    LEGAL_BASIS_KINDS,
    LIST_MAX,
    LONG_MAX,
    PERSON_ROLES,
    PRESERVATION_CHANNELS,
    PROCEEDING_STAGES,
    REAL_TIME_MODES,
    SCHEMA_VERSION,
    SHORT_MAX,
    URGENCY_REASONS,
)

__all__ = [
    "ASSET_ACTIONS",
    "ASSISTANCE_TYPES",
    "ATTACHMENT_KINDS",
    "AUTHORITY_ROLES",
    "DOCUMENT_KINDS",
    "ELECTRONIC_TYPES",
    "IDENTIFIER_KINDS",
    "ITEM_FIELDS",
    "ITEM_NARRATIVES",
    "LEGAL_BASIS_KINDS",
    "LIST_MAX",
    "LONG_MAX",
    "PERSON_ROLES",
    "PRESERVATION_CHANNELS",
    "PROCEEDING_STAGES",
    "REAL_TIME_MODES",
    "SCHEMA_VERSION",
    "SHORT_MAX",
    "URGENCY_REASONS",
    "Account",
    "AssistanceItem",
    "Attachment",
    "Confidentiality",
    "Contact",
    "Facts",
    "FieldSpec",
    "ForeignOfficial",
    "Identifier",
    "LegalBasisChoice",
    "Money",
    "Narrative",
    "Offence",
    "Period",
    "Person",
    "PreservationRecord",
    "Proceedings",
    "Request",
    "RequestingAuthority",
    "SpecialProcedures",
    "Urgency",
    "field_specs",
    "from_dict",
    "is_well_typed",
    "item_fields",
    "iter_narratives",
    "sanitize",
    "to_dict",
]


@dataclass(frozen=True, slots=True)
class Request:
    """A complete (or draft) MLA request."""

    schema_version: str = schema_field(SCHEMA_VERSION, const=SCHEMA_VERSION, required=True)
    reference: str = schema_field("", description="The portal's reference, once assigned.")
    language: str = schema_field("", pattern="language", description="The drafting language.")
    requesting_authority: RequestingAuthority = field(default_factory=RequestingAuthority)
    legal_basis: LegalBasisChoice = field(default_factory=LegalBasisChoice)
    proceedings: Proceedings = field(default_factory=Proceedings)
    persons: tuple[Person, ...] = schema_field(())
    offences: tuple[Offence, ...] = schema_field(())
    facts: Facts = field(default_factory=Facts)
    assistance: tuple[AssistanceItem, ...] = schema_field(())
    preservation: tuple[PreservationRecord, ...] = schema_field(())
    urgency: Urgency = field(default_factory=Urgency)
    confidentiality: Confidentiality = field(default_factory=Confidentiality)
    special_procedures: SpecialProcedures = field(default_factory=SpecialProcedures)
    attachments: tuple[Attachment, ...] = schema_field(())

    ALWAYS_WRITTEN: ClassVar[frozenset[str]] = frozenset({"schema_version"})

    @classmethod
    def from_dict(cls, data: object) -> Request:
        return fields.from_dict(cls, data)

    def to_dict(self, *, omit_defaults: bool = False) -> dict[str, Any]:
        out = fields.to_dict(self, omit_defaults=omit_defaults)
        return {"schema_version": self.schema_version, **out}

    def narratives(self) -> Iterator[tuple[str, Narrative]]:
        """Every narrative field present in the request, with its path, in document order."""
        yield from iter_narratives(self)


def sanitize(request: object) -> Request:
    """A request rebuilt so that every attribute has its declared type, from a :class:`Request`
    built by hand with wrong types or from any mapping."""
    if isinstance(request, Mapping):
        return from_dict(Request, request)
    return from_dict(Request, as_plain_data(request))


def is_well_typed(obj: object, cls: type = Request) -> bool:
    """True when ``obj`` is an instance of ``cls`` whose every attribute has its declared type."""
    return fields.is_well_typed(obj, cls)


def iter_narratives(request: Request) -> Iterator[tuple[str, Narrative]]:
    """Every narrative field of ``request`` with its path, in document order."""
    for i, offence in enumerate(request.offences):
        yield f"offences[{i}].name", offence.name
        yield f"offences[{i}].law_text", offence.law_text
        yield f"offences[{i}].us_equivalent_explanation", offence.us_equivalent_explanation
    yield "facts.summary", request.facts.summary
    yield "facts.evidence", request.facts.evidence
    for i, item in enumerate(request.assistance):
        allowed = item_fields(item.type)
        for name in ITEM_NARRATIVES:
            if name in allowed:
                yield f"assistance[{i}].{name}", getattr(item, name)
    yield "urgency.reason_text", request.urgency.reason_text
    yield "confidentiality.reason", request.confidentiality.reason
    yield "special_procedures.description", request.special_procedures.description
