"""The typed model of an MLA request, shared by the wizard, the engine, the package and the API.

One frozen dataclass per section of the request (see docs/REQUEST_CONTRACT.md). The JSON Schema
in ``request.schema.json`` is *generated* from these classes (``python -m
portal.contract.schema_build``) so that model and schema cannot drift apart; a test checks that
the committed file equals the generated one.

Conversion rules
----------------
* :meth:`Request.from_dict` is lenient: it never raises. Values of the wrong type are replaced
  by the field's default and unknown keys are ignored (strict checking is the job of
  :func:`portal.contract.load.load_request`, which validates against the schema first).
* :meth:`Request.to_dict` writes the full form (every field, defaults included) and
  ``to_dict(omit_defaults=True)`` the sparse form (fields equal to their default left out).
  "Round trip modulo defaults": for a schema-valid document ``x``,
  ``from_dict(x).to_dict()`` equals ``x`` with every omitted field filled by its default, and
  ``from_dict(x).to_dict(omit_defaults=True)`` equals ``x`` with every default-valued field
  removed. ``from_dict(m.to_dict()) == m`` always holds. ``schema_version`` is always written.
* An assistance item writes only the fields that belong to its ``type`` (``ITEM_FIELDS``); the
  schema rejects the others, which is how data for a hidden field of another type is refused.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

SCHEMA_VERSION = "1.0"

# --- enumerations (the empty string means "not answered yet" wherever it is allowed) ---------
AUTHORITY_ROLES = (
    "prosecutor",
    "investigating_judge",
    "police_under_prosecutor",
    "central_authority",
    "defence_counsel",
    "private_party",
    "other",
)
LEGAL_BASIS_KINDS = (
    "bilateral_treaty",
    "multilateral_convention",
    "eu_us_agreement",
    "letters_rogatory",
    "cloud_act_agreement",
)
PROCEEDING_STAGES = ("investigation", "prosecution", "trial", "post_conviction")
PERSON_ROLES = ("suspect", "accused", "witness", "victim", "other")
ASSISTANCE_TYPES = (
    "subscriber_info",
    "non_content",
    "stored_content",
    "real_time",
    "financial_records",
    "witness",
    "search_seizure",
    "service_of_documents",
    "assets",
    "other",
)
ELECTRONIC_TYPES = frozenset({"subscriber_info", "non_content", "stored_content", "real_time"})
IDENTIFIER_KINDS = (
    "email",
    "phone",
    "ip",
    "username",
    "account_id",
    "url",
    "domain",
    "imei",
    "other",
)
REAL_TIME_MODES = ("interception", "pen_register")
DOCUMENT_KINDS = (
    "account_statements",
    "signature_cards",
    "kyc_files",
    "wire_transfers",
    "cheques",
    "card_records",
    "loan_files",
    "safe_deposit",
    "correspondence",
    "business_records",
    "other",
)
ASSET_ACTIONS = ("restraint", "seizure", "enforcement", "other")
PRESERVATION_CHANNELS = (
    "provider_direct",
    "network_24_7",
    "oia",
    "law_enforcement_attache",
    "other",
)
URGENCY_REASONS = ("trial_date", "detention_limit", "limitation_period", "threat_to_life", "other")
ATTACHMENT_KINDS = (
    "request_letter",
    "court_order",
    "law_extract",
    "translation",
    "judgment",
    "witness_questions",
    "document_to_serve",
    "evidence",
    "other",
)

# Limits (also written into the schema).
SHORT_MAX = 1000
LONG_MAX = 100_000
LIST_MAX = 500


def _f(default: Any = "", **meta: Any) -> Any:
    """A dataclass field with schema metadata (enum, format, pattern, description...)."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("use a tuple or a dataclass for mutable defaults")
    if dataclasses.is_dataclass(default) and isinstance(default, type):
        return field(default_factory=default, metadata=meta)
    return field(default=default, metadata=meta)


def _d(description: str) -> dict[str, str]:
    return {"description": description}


@dataclass(frozen=True, slots=True)
class Narrative:
    """A free-text answer: the original ``text``, its ``english`` translation (empty when the
    original is in English) and the ``language`` code of the original (empty = the request's
    drafting language)."""

    text: str = _f("", long=True, description="The text as written, in its original language.")
    english: str = _f("", long=True, description="English translation (empty if text is English).")
    language: str = _f("", pattern="language", description="Language code of text (BCP 47).")

    def is_empty(self) -> bool:
        return not (self.text.strip() or self.english.strip())

    def for_reading(self) -> str:
        """The text OIA reads: the English translation when there is one, else the original."""
        return self.english if self.english.strip() else self.text


@dataclass(frozen=True, slots=True)
class Contact:
    name: str = _f("", description="The person to contact.")
    email: str = _f("", format="email")
    phone: str = _f("", description="International form, e.g. +34 91 123 45 67.")
    time_zone: str = _f("", description="IANA time zone, e.g. Europe/Madrid.")


@dataclass(frozen=True, slots=True)
class RequestingAuthority:
    name: str = _f("", description="Name of the requesting authority.")
    country: str = _f("", pattern="country")
    office: str = _f("")
    role: str = _f("", enum=AUTHORITY_ROLES)
    contact: Contact = field(default_factory=Contact)
    case_references: tuple[str, ...] = _f((), description="The authority's own case references.")


@dataclass(frozen=True, slots=True)
class LegalBasisChoice:
    kind: str = _f("", enum=LEGAL_BASIS_KINDS)
    instrument: str = _f("", description="Id of the treaty or convention in the reference data.")


@dataclass(frozen=True, slots=True)
class Proceedings:
    stage: str = _f("", enum=PROCEEDING_STAGES)
    conducting_authority: str = _f("")


@dataclass(frozen=True, slots=True)
class Person:
    name: str = _f("")
    role: str = _f("", enum=PERSON_ROLES)
    nationality: str = _f("", pattern="country")
    date_of_birth: str = _f("", format="date")


@dataclass(frozen=True, slots=True)
class Offence:
    name: Narrative = field(default_factory=Narrative)
    category: str = _f("", description="Id of an offence category in the reference data.")
    provision: str = _f(
        "", description="Article or section of the law, e.g. 'Art. 248 Código Penal'."
    )
    law_text: Narrative = field(
        default_factory=Narrative, metadata=_d("The text of the provision.")
    )
    max_penalty_months: int | None = _f(
        None, minimum=0, description="Maximum imprisonment, in months."
    )
    max_penalty_text: str = _f("", description="The maximum penalty as the law states it.")
    committed_in_us: bool = _f(False, description="Committed in whole or in part in the U.S.")
    us_equivalent_explanation: Narrative = field(
        default_factory=Narrative,
        metadata=_d(
            "Why the conduct is punishable by more than one year under U.S. law "
            "(needed for a search when the maximum penalty here is one year or less)."
        ),
    )


@dataclass(frozen=True, slots=True)
class Facts:
    summary: Narrative = field(
        default_factory=Narrative, metadata=_d("Who, what, when, where, how.")
    )
    evidence: Narrative = field(default_factory=Narrative, metadata=_d("Evidence gathered so far."))


@dataclass(frozen=True, slots=True)
class Identifier:
    kind: str = _f("", enum=IDENTIFIER_KINDS)
    value: str = _f("")
    platform: str = _f("", description="Platform or service, required for usernames.")
    datetime: str = _f(
        "",
        description="For IP addresses: ISO 8601 date and time with UTC offset, "
        "e.g. 2024-03-01T14:05:09+01:00 (checked by rule ELEC-IP-TIME, not by the schema).",
    )
    port: int | None = _f(None, minimum=0, maximum=65535, description="Source port (IP).")


@dataclass(frozen=True, slots=True)
class Period:
    start: str = _f("", format="date")
    end: str = _f("", format="date")


@dataclass(frozen=True, slots=True)
class Account:
    number: str = _f("", description="Account number or IBAN.")
    holder: str = _f("")


@dataclass(frozen=True, slots=True)
class ForeignOfficial:
    name: str = _f("")
    role: str = _f("", description="e.g. prosecutor, investigating judge, police officer.")


@dataclass(frozen=True, slots=True)
class Money:
    amount: float | None = _f(None, minimum=0)
    currency: str = _f("", pattern="currency")


@dataclass(frozen=True, slots=True)
class AssistanceItem:
    """One item of assistance. All fields of all types live in this one flat record; which of
    them belong to an item is decided by its ``type`` (see :data:`ITEM_FIELDS`)."""

    type: str = _f("other", enum=ASSISTANCE_TYPES, required=True)
    description: Narrative = field(
        default_factory=Narrative, metadata=_d("What is sought, in your own words.")
    )
    nexus: Narrative = field(
        default_factory=Narrative, metadata=_d("How what is sought relates to the offence.")
    )
    # electronic evidence
    identifiers: tuple[Identifier, ...] = _f(())
    provider: str = _f("", description="Provider holding the data (name or reference-data id).")
    period: Period = field(default_factory=Period)
    csli: bool = _f(False, description="Historical cell-site location information is sought.")
    most_recent_use: str = _f("", format="date", description="Most recent known relevant use.")
    expected_evidence: Narrative = field(
        default_factory=Narrative,
        metadata=_d("What evidence is expected to be found in the account."),
    )
    real_time_mode: str = _f("", enum=REAL_TIME_MODES)
    duration_days: int | None = _f(None, minimum=0)
    # financial records
    institution: str = _f("", description="Bank or business holding the records.")
    accounts: tuple[Account, ...] = _f(())
    document_kinds: tuple[str, ...] = _f((), enum=DOCUMENT_KINDS)
    certificate_requested: bool = _f(False, description="18 U.S.C. 3505 certificate requested.")
    # witness
    witness_name: str = _f("")
    questions: Narrative = field(
        default_factory=Narrative, metadata=_d("The questions, one per line.")
    )
    questions_attachment: str = _f("", description="Filename of an attachment with the questions.")
    compelled: bool = _f(False)
    foreign_officials_attend: bool = _f(False)
    foreign_officials: tuple[ForeignOfficial, ...] = _f(())
    # search and seizure
    place: Narrative = field(
        default_factory=Narrative, metadata=_d("The place to search, described specifically.")
    )
    items: Narrative = field(default_factory=Narrative, metadata=_d("The items to seize."))
    # location (witness, search, service, assets, financial)
    address: str = _f("", description="Street address in the U.S.")
    city: str = _f("")
    state: str = _f("", pattern="us_state")
    # service of documents
    documents_to_serve: tuple[str, ...] = _f((), description="Filenames of attached documents.")
    recipient: str = _f("")
    summons: bool = _f(False, description="A summons to appear abroad is among the documents.")
    # assets
    property: Narrative = field(default_factory=Narrative, metadata=_d("The property concerned."))
    location: str = _f("", description="Where the property is (bank, registry, address).")
    estimated_value: Money = field(default_factory=Money)
    action: str = _f("", enum=ASSET_ACTIONS)
    judgment_attachment: str = _f("", description="Filename of the certified copy of the judgment.")
    notice_statement: Narrative = field(
        default_factory=Narrative,
        metadata=_d("Statement that the defendant had notice and a chance to be heard."),
    )
    restraint_facts: Narrative = field(
        default_factory=Narrative,
        metadata=_d("Facts showing the property will be subject to forfeiture."),
    )

    def narratives(self, *names: str) -> Iterator[tuple[str, Narrative]]:
        """The item's narratives that belong to its type (only ``names`` when given)."""
        allowed = item_fields(self.type)
        for name in _ITEM_NARRATIVES:
            if name in allowed and (not names or name in names):
                yield name, getattr(self, name)


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


@dataclass(frozen=True, slots=True)
class PreservationRecord:
    date: str = _f("", format="date", description="Date the preservation request was sent.")
    channel: str = _f("", enum=PRESERVATION_CHANNELS)
    reference: str = _f("", description="Reference given by the provider or the network.")
    identifier: str = _f("", description="The account or identifier preserved.")
    provider: str = _f("")
    extension_date: str = _f("", format="date", description="Date the extension was requested.")


@dataclass(frozen=True, slots=True)
class Urgency:
    urgent: bool = _f(False)
    reason: str = _f("", enum=URGENCY_REASONS)
    reason_text: Narrative = field(default_factory=Narrative)
    date: str = _f("", format="date", description="The date by which the evidence is needed.")


@dataclass(frozen=True, slots=True)
class Confidentiality:
    requested: bool = _f(False)
    reason: Narrative = field(default_factory=Narrative)
    from_whom: str = _f("", description="From whom the request must be kept confidential.")


@dataclass(frozen=True, slots=True)
class SpecialProcedures:
    certificate_of_authenticity: bool = _f(False)
    video_link: bool = _f(False)
    foreign_officials_presence: bool = _f(False)
    description: Narrative = field(
        default_factory=Narrative, metadata=_d("Other procedures to follow.")
    )


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str = _f("")
    document_kind: str = _f("", enum=ATTACHMENT_KINDS)
    sha256: str = _f("", pattern="sha256")
    size: int | None = _f(None, minimum=0, description="Size in bytes.")
    pages: int | None = _f(None, minimum=0)
    language: str = _f("", pattern="language")


@dataclass(frozen=True, slots=True)
class Request:
    """A complete (or draft) MLA request."""

    schema_version: str = _f(SCHEMA_VERSION, const=SCHEMA_VERSION, required=True)
    reference: str = _f("", description="The portal's reference, once assigned.")
    language: str = _f("", pattern="language", description="The drafting language.")
    requesting_authority: RequestingAuthority = field(default_factory=RequestingAuthority)
    legal_basis: LegalBasisChoice = field(default_factory=LegalBasisChoice)
    proceedings: Proceedings = field(default_factory=Proceedings)
    persons: tuple[Person, ...] = _f(())
    offences: tuple[Offence, ...] = _f(())
    facts: Facts = field(default_factory=Facts)
    assistance: tuple[AssistanceItem, ...] = _f(())
    preservation: tuple[PreservationRecord, ...] = _f(())
    urgency: Urgency = field(default_factory=Urgency)
    confidentiality: Confidentiality = field(default_factory=Confidentiality)
    special_procedures: SpecialProcedures = field(default_factory=SpecialProcedures)
    attachments: tuple[Attachment, ...] = _f(())

    ALWAYS_WRITTEN: ClassVar[frozenset[str]] = frozenset({"schema_version"})

    @classmethod
    def from_dict(cls, data: object) -> Request:
        return _build(cls, data)

    def to_dict(self, *, omit_defaults: bool = False) -> dict[str, Any]:
        out = _dump(self, omit_defaults)
        return {"schema_version": self.schema_version, **out}

    def narratives(self) -> Iterator[tuple[str, Narrative]]:
        """Every narrative field present in the request, with its path, in document order."""
        yield from iter_narratives(self)


# --- generic conversion ------------------------------------------------------------------------

T = TypeVar("T")

# kinds of field: "str", "bool", "int", "num", "obj", "list_str", "list_obj"
FieldSpec = tuple[str, str, Any, Any]  # name, kind, nested class or None, default


_SPECS: dict[type, tuple[FieldSpec, ...]] = {}


def field_specs(cls: type) -> tuple[FieldSpec, ...]:
    """Introspect a model dataclass once: (name, kind, nested class, default) per field."""
    cached = _SPECS.get(cls)
    if cached is not None:
        return cached
    hints = typing.get_type_hints(cls)
    specs: list[FieldSpec] = []
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        default = f.default if f.default is not dataclasses.MISSING else None
        if f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        if hint is str:
            specs.append((f.name, "str", None, default))
        elif hint is bool:
            specs.append((f.name, "bool", None, default))
        elif hint == int | None:
            specs.append((f.name, "int", None, default))
        elif hint == float | None:
            specs.append((f.name, "num", None, default))
        elif dataclasses.is_dataclass(hint):
            specs.append((f.name, "obj", hint, default))
        elif typing.get_origin(hint) is tuple:
            (inner, _ellipsis) = typing.get_args(hint)
            if inner is str:
                specs.append((f.name, "list_str", None, ()))
            else:
                specs.append((f.name, "list_obj", inner, ()))
        else:  # pragma: no cover - guarded by tests
            raise TypeError(f"unsupported field type {hint!r} on {cls.__name__}.{f.name}")
    result = tuple(specs)
    _SPECS[cls] = result
    return result


def _get(data: object, name: str) -> object:
    if isinstance(data, Mapping):
        return data.get(name, _MISSING)
    return _MISSING


_MISSING = object()


def _coerce(kind: str, sub: Any, value: object, default: Any) -> Any:
    if kind == "str":
        return value if isinstance(value, str) else default
    if kind == "bool":
        return value if isinstance(value, bool) else default
    if kind == "int":
        if isinstance(value, bool):
            return default
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e18:
            return int(value)
        return default
    if kind == "num":
        if isinstance(value, bool):
            return default
        if isinstance(value, (int, float)) and value == value and abs(value) != float("inf"):
            return value
        return default
    if kind == "obj":
        return _build(sub, value) if isinstance(value, Mapping) else default
    if kind == "list_str":
        if isinstance(value, (list, tuple)):
            return tuple(v for v in value if isinstance(v, str))
        return default
    if kind == "list_obj":
        if isinstance(value, (list, tuple)):
            return tuple(_build(sub, v) for v in value if isinstance(v, Mapping))
        return default
    return default  # pragma: no cover


def _build(cls: type[T], data: object) -> T:
    kwargs: dict[str, Any] = {}
    if isinstance(data, Mapping):
        for name, kind, sub, default in field_specs(cls):
            value = data.get(name, _MISSING)
            if value is not _MISSING:
                kwargs[name] = _coerce(kind, sub, value, default)
    return cls(**kwargs)


def _dump(obj: Any, omit_defaults: bool) -> dict[str, Any]:
    cls = type(obj)
    allowed: tuple[str, ...] | None = None
    if cls is AssistanceItem:
        allowed = item_fields(obj.type)
    out: dict[str, Any] = {}
    for name, kind, _sub, default in field_specs(cls):
        if allowed is not None and name not in allowed:
            continue
        value = getattr(obj, name)
        if kind == "obj":
            dumped: Any = _dump(value, omit_defaults)
            if omit_defaults and not dumped:
                continue
        elif kind == "list_obj":
            dumped = [_dump(v, omit_defaults) for v in value]
            if omit_defaults and not dumped:
                continue
        elif kind == "list_str":
            dumped = list(value)
            if omit_defaults and not dumped:
                continue
        else:
            dumped = value
            if omit_defaults and value == default and type(value) is type(default):
                continue
        out[name] = dumped
    if cls is AssistanceItem:
        out["type"] = obj.type
    return out


def to_dict(obj: Any, *, omit_defaults: bool = False) -> dict[str, Any]:
    """Dump any model object (not only a whole request)."""
    return _dump(obj, omit_defaults)


def from_dict(cls: type[T], data: object) -> T:
    """Build any model class leniently from a mapping (never raises)."""
    return _build(cls, data)


def sanitize(request: object) -> Request:
    """Rebuild a request so that every attribute has its declared type.

    Accepts a :class:`Request` built by hand with wrong types, or any mapping. Used by the rule
    engine so that rules can rely on the types."""
    if isinstance(request, Mapping):
        return _build(Request, request)
    return _build(Request, _as_mapping(request))


def _as_mapping(obj: object) -> object:
    """Turn a (possibly malformed) model object back into plain mappings/lists."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _as_mapping(getattr(obj, f.name, None)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [_as_mapping(v) for v in obj]
    if isinstance(obj, Mapping):
        return {k: _as_mapping(v) for k, v in obj.items()}
    return obj


def is_well_typed(obj: object, cls: type = Request) -> bool:
    """True when ``obj`` is an instance of ``cls`` whose every attribute has its declared type."""
    if type(obj) is not cls:
        return False
    for name, kind, sub, _default in field_specs(cls):
        value = getattr(obj, name, _MISSING)
        if kind == "str":
            ok = type(value) is str
        elif kind == "bool":
            ok = type(value) is bool
        elif kind == "int":
            ok = value is None or type(value) is int
        elif kind == "num":
            ok = value is None or (
                isinstance(value, (int, float))
                and type(value) is not bool
                and value == value
                and abs(value) != float("inf")
            )
        elif kind == "obj":
            ok = is_well_typed(value, sub)
        elif kind == "list_str":
            ok = type(value) is tuple and all(type(v) is str for v in value)
        else:
            ok = type(value) is tuple and all(is_well_typed(v, sub) for v in value)
        if not ok:
            return False
    return True


def iter_narratives(request: Request) -> Iterator[tuple[str, Narrative]]:
    for i, offence in enumerate(request.offences):
        yield f"offences[{i}].name", offence.name
        yield f"offences[{i}].law_text", offence.law_text
        yield f"offences[{i}].us_equivalent_explanation", offence.us_equivalent_explanation
    yield "facts.summary", request.facts.summary
    yield "facts.evidence", request.facts.evidence
    for i, item in enumerate(request.assistance):
        allowed = item_fields(item.type)
        for name in _ITEM_NARRATIVES:
            if name in allowed:
                yield f"assistance[{i}].{name}", getattr(item, name)
    yield "urgency.reason_text", request.urgency.reason_text
    yield "confidentiality.reason", request.confidentiality.reason
    yield "special_procedures.description", request.special_procedures.description


_ITEM_NARRATIVES = tuple(
    name
    for name, kind, sub, _d in field_specs(AssistanceItem)
    if kind == "obj" and sub is Narrative
)
