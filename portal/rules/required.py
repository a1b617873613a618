"""The fields a request needs (RULES.md, GEN-REQUIRED): the engine checks them and the
requirements guide lists them. Paths as in findings (``[]`` for every entry of a list); a field
a more specific rule reports when blank names that rule (``covered_by``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from portal.contract.model import Money, Narrative, Request

ELECTRONIC = ("subscriber_info", "non_content", "stored_content", "real_time")
STORED = ("subscriber_info", "non_content", "stored_content")


@dataclass(frozen=True, slots=True)
class RequiredField:
    path: str
    covered_by: str = ""
    types: tuple[str, ...] = ()


def _item(name: str, types: tuple[str, ...], covered_by: str = "") -> RequiredField:
    return RequiredField(f"assistance[].{name}", covered_by, types)


REQUIRED: tuple[RequiredField, ...] = (
    # 1. requesting authority
    RequiredField("requesting_authority.name"),
    RequiredField("requesting_authority.country"),
    RequiredField("requesting_authority.role", "GEN-AUTHORITY"),
    RequiredField("requesting_authority.contact.name", "GEN-CONTACT"),
    RequiredField("requesting_authority.contact.email", "GEN-CONTACT"),
    RequiredField("requesting_authority.contact.time_zone", "GEN-CONTACT"),
    # 2. legal basis
    RequiredField("legal_basis.kind", "GEN-BASIS"),
    # 3. proceedings and persons
    RequiredField("proceedings.stage"),
    RequiredField("proceedings.conducting_authority"),
    RequiredField("persons[].name", "GEN-PERSONS"),
    RequiredField("persons[].role", "GEN-PERSONS"),
    # 4. offences
    RequiredField("offences", "GEN-OFFENCE"),
    RequiredField("offences[].name"),
    RequiredField("offences[].category"),
    RequiredField("offences[].provision", "GEN-OFFENCE-LAW"),
    RequiredField("offences[].law_text", "GEN-OFFENCE-LAW"),
    RequiredField("offences[].max_penalty_months", "GEN-OFFENCE-PENALTY"),
    # 5. facts
    RequiredField("facts.summary", "GEN-FACTS"),
    # 6. assistance: every item
    RequiredField("assistance", "GEN-ASSISTANCE"),
    _item("description", ()),
    _item("nexus", (), "GEN-NEXUS"),
    # electronic evidence
    _item("identifiers", ELECTRONIC, "ELEC-IDENTIFIER"),
    _item("provider", ELECTRONIC, "ELEC-PROVIDER"),
    _item("period.start", STORED, "ELEC-PERIOD"),
    _item("period.end", STORED, "ELEC-PERIOD"),
    _item("most_recent_use", ("stored_content",), "ELEC-CONTENT-RECENT"),
    _item("expected_evidence", ("stored_content",), "ELEC-CONTENT-PC"),
    _item("real_time_mode", ("real_time",)),
    # financial records
    _item("institution", ("financial_records",), "FIN-INSTITUTION"),
    _item("accounts", ("financial_records",), "FIN-ACCOUNT"),
    _item("document_kinds", ("financial_records",), "FIN-DOCUMENTS"),
    _item("period.start", ("financial_records",), "FIN-PERIOD"),
    _item("period.end", ("financial_records",), "FIN-PERIOD"),
    # witnesses
    _item("witness_name", ("witness",), "WIT-IDENTITY"),
    _item("city", ("witness",), "WIT-IDENTITY"),
    _item("state", ("witness",), "WIT-IDENTITY"),
    _item("questions", ("witness",), "WIT-QUESTIONS"),
    # search and seizure
    _item("place", ("search_seizure",), "SRCH-PLACE"),
    _item("items", ("search_seizure",), "SRCH-PLACE"),
    _item("address", ("search_seizure",)),
    _item("city", ("search_seizure",), "SRCH-PLACE"),
    _item("state", ("search_seizure",), "SRCH-PLACE"),
    # service of documents
    _item("documents_to_serve", ("service_of_documents",), "SRV-DOCUMENTS"),
    _item("recipient", ("service_of_documents",), "SRV-DOCUMENTS"),
    _item("address", ("service_of_documents",), "SRV-DOCUMENTS"),
    _item("city", ("service_of_documents",), "SRV-DOCUMENTS"),
    _item("state", ("service_of_documents",), "SRV-DOCUMENTS"),
    # assets
    _item("property", ("assets",), "AST-PROPERTY"),
    _item("state", ("assets",), "AST-PROPERTY"),
    _item("estimated_value.amount", ("assets",), "AST-PROPERTY"),
    _item("action", ("assets",)),
    # 7. preservation requests already sent
    RequiredField("preservation[].date"),
    RequiredField("preservation[].channel"),
    RequiredField("preservation[].identifier"),
    # 8. documents
    RequiredField("attachments", "GEN-LETTER"),
    RequiredField("attachments[].document_kind"),
    RequiredField("attachments[].language"),
)


def is_blank(value: object) -> bool:
    """Empty or only spaces: a string, a text (original and translation), a list, a number."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Narrative):
        return value.is_empty()
    if isinstance(value, Money):
        return value.amount is None
    if isinstance(value, tuple):
        return not value
    return False


def values_at(request: Request, spec: RequiredField) -> Iterator[tuple[str, Any]]:
    """(path, value) of every place ``spec`` names in ``request``."""
    yield from _walk(request, spec.path.split("."), "", spec.types)


def _walk(node: Any, parts: list[str], prefix: str, types: tuple[str, ...]
          ) -> Iterator[tuple[str, Any]]:
    if not parts:
        yield prefix, node
        return
    head, rest = parts[0], parts[1:]
    each = head.endswith("[]")
    name = head[:-2] if each else head
    if name not in getattr(node, "__dataclass_fields__", ()):  # (a dict: one look-up)
        return
    value = getattr(node, name)
    path = f"{prefix}.{name}" if prefix else name
    if not each:
        yield from _walk(value, rest, path, types)
        return
    for index, entry in enumerate(value if isinstance(value, tuple) else ()):
        if name == "assistance" and types and getattr(entry, "type", "") not in types:
            continue
        yield from _walk(entry, rest, f"{path}[{index}]", types)
