"""What ``templates/pdf/request.html`` shows of a request, resolved to English: labels of
choices, names from the reference data, narratives split into the English text and the
original, findings ordered by severity. The template decides the markup."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from portal.contract.model import AssistanceItem, Money, Narrative, Period, Request, item_fields
from portal.pdf.labels import (
    ASSET_ACTION_LABELS,
    ASSISTANCE_TYPE_LABELS,
    DOCUMENT_KIND_LABELS,
    REAL_TIME_MODE_LABELS,
    SEVERITY_LABELS,
    SEVERITY_ORDER,
    label,
)
from portal.pdf.languages import direction_of, is_english, language_name, text_direction
from portal.reference import ReferenceData


@dataclass(frozen=True, slots=True)
class TextBlock:
    """A text of request.pdf in its own direction (its language's, else its letters'), with its
    language when known."""

    text: str
    language: str
    direction: str

    @classmethod
    def of(cls, text: str, language: str) -> TextBlock:
        direction = text_direction(language)
        if direction == "auto":
            direction = direction_of(text, "ltr")
        return cls(text.strip(), language, direction)


@dataclass(frozen=True, slots=True)
class Original:
    """A narrative's original text, labelled with its language."""

    translated: bool  # an English translation is shown above it
    language_label: str  # "Arabic, ar"
    block: TextBlock


@dataclass(frozen=True, slots=True)
class NarrativeView:
    """The English (or English-language) text OIA reads, and the original below it."""

    shown: TextBlock | None
    original: Original | None


def read_narrative(narrative: Narrative, request_language: str) -> NarrativeView:
    """Split ``narrative`` into the text OIA reads and the original it comes from."""
    if narrative.is_empty():
        return NarrativeView(None, None)
    language = narrative.language.strip() or request_language.strip()
    text = narrative.text.strip()
    english = narrative.english.strip()
    if english:
        original = _original(text, language, True) if text and text != english else None
        return NarrativeView(TextBlock.of(english, "en"), original)
    if not language or is_english(language):
        return NarrativeView(TextBlock.of(text, language), None)
    return NarrativeView(None, _original(text, language, False))


def _original(text: str, language: str, translated: bool) -> Original:
    name = language_name(language) if language else "language not stated"
    code = f", {language}" if language and name != language else ""
    return Original(translated, name + code, TextBlock.of(text, language))


@dataclass(frozen=True, slots=True)
class ItemFieldSpec:
    """How an assistance item's field is shown: its caption and the kind of value."""

    caption: str
    kind: str  # as ItemField's, or number, choice, choices, period, money (turned into those)
    labels: Mapping[str, str] | None = None


#: The fields of an assistance item, in the order of ``ITEM_FIELDS``.
ITEM_FIELD_SPECS: Mapping[str, ItemFieldSpec] = {
    "description": ItemFieldSpec("What is sought", "narrative"),
    "nexus": ItemFieldSpec("How it relates to the offence (nexus)", "narrative"),
    "identifiers": ItemFieldSpec("Accounts and identifiers", "identifiers"),
    "provider": ItemFieldSpec("Provider holding the data", "provider"),
    "period": ItemFieldSpec("Period", "period"),
    "csli": ItemFieldSpec("Historical cell-site location information sought", "yes_no"),
    "most_recent_use": ItemFieldSpec("Most recent known relevant use", "text"),
    "expected_evidence": ItemFieldSpec("Evidence expected in the account", "narrative"),
    "real_time_mode": ItemFieldSpec(
        "Kind of real-time collection", "choice", REAL_TIME_MODE_LABELS
    ),
    "duration_days": ItemFieldSpec("Duration in days", "number"),
    "institution": ItemFieldSpec("Bank or business holding the records", "text"),
    "address": ItemFieldSpec("Address in the U.S.", "text"),
    "city": ItemFieldSpec("City", "text"),
    "state": ItemFieldSpec("State", "text"),
    "accounts": ItemFieldSpec("Accounts", "accounts"),
    "document_kinds": ItemFieldSpec("Kinds of records sought", "choices", DOCUMENT_KIND_LABELS),
    "certificate_requested": ItemFieldSpec(
        "Certificate of authenticity (18 U.S.C. 3505) requested", "yes_no"
    ),
    "witness_name": ItemFieldSpec("Witness", "text"),
    "questions": ItemFieldSpec("Questions to the witness", "narrative"),
    "questions_attachment": ItemFieldSpec("Questions attached as", "text"),
    "compelled": ItemFieldSpec("Compelled testimony", "yes_no"),
    "foreign_officials_attend": ItemFieldSpec("Foreign officials wish to attend", "yes_no"),
    "foreign_officials": ItemFieldSpec("Foreign officials", "officials"),
    "place": ItemFieldSpec("Place to search", "narrative"),
    "items": ItemFieldSpec("Items to seize", "narrative"),
    "documents_to_serve": ItemFieldSpec("Documents to serve", "list"),
    "recipient": ItemFieldSpec("Recipient", "text"),
    "summons": ItemFieldSpec("A summons to appear abroad is among them", "yes_no"),
    "property": ItemFieldSpec("Property concerned", "narrative"),
    "location": ItemFieldSpec("Where the property is", "text"),
    "estimated_value": ItemFieldSpec("Estimated value", "money"),
    "action": ItemFieldSpec("Action requested", "choice", ASSET_ACTION_LABELS),
    "judgment_attachment": ItemFieldSpec("Judgment attached as", "text"),
    "notice_statement": ItemFieldSpec(
        "Notice to the defendant and opportunity to be heard", "narrative"
    ),
    "restraint_facts": ItemFieldSpec(
        "Facts showing the property is subject to forfeiture", "narrative"
    ),
}
#: Kinds shown as a table of their own below the item's answers.
TABLE_KINDS = frozenset({"identifiers", "accounts", "officials"})


@dataclass(frozen=True, slots=True)
class ItemField:
    """One answer of an assistance item, its value resolved for the template's ``kind``."""

    caption: str
    kind: str  # text, plain, list, plain_list, yes_no, narrative, provider or a table kind
    value: Any

    @property
    def is_table(self) -> bool:
        return self.kind in TABLE_KINDS


@dataclass(frozen=True, slots=True)
class ProviderName:
    """A provider as the requester wrote it, and the directory's name when that differs."""

    given: str
    known: str


def period_text(period: Period) -> str:
    """``2025-01-01 to ?``; empty when neither end is given."""
    start, end = period.start.strip(), period.end.strip()
    return f"{start or '?'} to {end or '?'}" if start or end else ""


def money_text(value: Money) -> str:
    """``12,500.00 EUR``; empty when neither amount nor currency is given."""
    amount = "" if value.amount is None else f"{value.amount:,.2f}"
    return f"{amount} {value.currency}".strip()


def penalty_text(months: int | None) -> str:
    """``24 months (2 years)``; empty when not given."""
    if months is None:
        return ""
    text = f"{months} months"
    if months >= 12 and months % 12 == 0:
        years = months // 12
        text += f" ({years} year{'s' if years != 1 else ''})"
    return text


class RequestView:
    """A request with the reference data, answering the template's questions in English."""

    def __init__(self, request: Request, reference_data: ReferenceData) -> None:
        self.request = request
        self.ref = reference_data

    def narrative(self, narrative: Narrative) -> NarrativeView:
        return read_narrative(narrative, self.request.language)

    def country(self, code: str) -> str:
        """``Spain (ES)``; the code when unknown; empty when not given."""
        if not code.strip():
            return ""
        country = self.ref.countries.get(code.strip().upper())
        return f"{country.name} ({code})" if country else code

    def instrument(self) -> str:
        """The treaty or agreement, with its name from the reference data when known."""
        instrument = self.request.legal_basis.instrument.strip()
        known = self.ref.legal_bases.get(instrument) if instrument else None
        return f"{known.name} ({instrument})" if known else instrument

    def offence_category(self, code: str) -> str:
        known = self.ref.offence_categories.get(code.strip()) if code.strip() else None
        return known.name if known else code.strip()

    def case_references(self) -> list[str]:
        return [r for r in self.request.requesting_authority.case_references if r.strip()]

    def penalty(self, months: int | None) -> str:
        return penalty_text(months)

    def drafting_language(self) -> str:
        """``Spanish (es)``; empty when not given."""
        language = self.request.language.strip()
        return f"{language_name(language)} ({language})" if language else ""

    def assistance_types(self) -> list[str]:
        return [label(ASSISTANCE_TYPE_LABELS, i.type) for i in self.request.assistance
                if i.type.strip()]

    def provider(self, value: str) -> ProviderName:
        known = self.ref.find_provider(value) if value.strip() else None
        if known is None or known.name.casefold() == value.strip().casefold():
            return ProviderName(value, "")
        return ProviderName(value, known.name)

    def item_fields(self, item: AssistanceItem) -> list[ItemField]:
        """The answers of ``item`` its type asks for, in the wizard's order."""
        return [self._item_field(name, item) for name in item_fields(item.type) if name != "type"]

    def _item_field(self, name: str, item: AssistanceItem) -> ItemField:
        spec = ITEM_FIELD_SPECS[name]
        raw = getattr(item, name)
        kind, value = spec.kind, raw
        if kind == "narrative":
            value = self.narrative(raw)
        elif kind == "provider":
            value = self.provider(raw)
        elif kind == "choice":
            kind, value = "text", label(spec.labels or {}, raw)
        elif kind == "number":
            kind, value = "text", "" if raw is None else str(raw)
        elif kind == "choices":
            kind, value = "plain_list", [label(spec.labels or {}, v) for v in raw if v.strip()]
        elif kind == "list":
            value = [v for v in raw if v.strip()]
        elif kind == "period":
            kind, value = "plain", period_text(raw)
        elif kind == "money":
            kind, value = "plain", money_text(raw)
        return ItemField(spec.caption, kind, value)


def finding_key(finding: Mapping[str, Any]) -> str:
    """The key of a finding in ``acknowledgements``: ``finding["key"]`` when the caller set
    one, else ``CODE@path``, the wizard's key (``portal.requests.checks.finding_key``)."""
    key = finding.get("key")
    if isinstance(key, str) and key:
        return key
    return f"{finding.get('code', '')}@{finding.get('path', '') or ''}"


def justification(finding: Mapping[str, Any], acknowledgements: Mapping[str, str]) -> str:
    """The requester's justification of a finding: from ``acknowledgements`` by key, else the
    finding's own ``acknowledgement`` (as the frozen version's findings store it)."""
    text = acknowledgements.get(finding_key(finding), "")
    if not text.strip():
        own = finding.get("acknowledgement", "")
        text = own if isinstance(own, str) else ""
    return text


@dataclass(frozen=True, slots=True)
class FindingView:
    """A rendered finding as request.pdf shows it, with the requester's justification."""

    severity: str
    severity_label: str
    code: str
    path: str
    title: str
    explanation: str
    fix: str
    citations: tuple[str, ...]
    justification: TextBlock | None


@dataclass(frozen=True, slots=True)
class FindingsView:
    """The findings of a version: how many of each severity, and each one, blockers first."""

    counts: list[tuple[str, int]]  # (severity label, number), in the order of severity
    items: list[FindingView]


def read_findings(
    findings: Sequence[Mapping[str, Any]], acknowledgements: Mapping[str, str]
) -> FindingsView:
    """``findings`` ordered by severity (stable), each with its justification."""
    counts = {s: 0 for s in SEVERITY_ORDER}
    for finding in findings:
        severity = str(finding.get("severity", ""))
        counts[severity] = counts.get(severity, 0) + 1
    ordered = sorted(findings, key=lambda f: SEVERITY_ORDER.get(str(f.get("severity", "")), 9))
    return FindingsView(
        counts=[(SEVERITY_LABELS.get(s, s), n) for s, n in counts.items() if n],
        items=[_finding_view(f, justification(f, acknowledgements)) for f in ordered],
    )


def _finding_view(finding: Mapping[str, Any], given: str) -> FindingView:
    severity = str(finding.get("severity", ""))
    code = str(finding.get("code", ""))
    explanation, fix = str(finding.get("explanation", "")), str(finding.get("fix", ""))
    return FindingView(
        severity=severity,
        severity_label=SEVERITY_LABELS.get(severity, severity),
        code=code,
        path=str(finding.get("path", "") or ""),
        title=str(finding.get("title", "") or code),
        explanation=explanation if explanation.strip() else "",
        fix=fix if fix.strip() else "",
        citations=tuple(str(c) for c in finding.get("citations", ()) or () if str(c).strip()),
        justification=TextBlock.of(given, "") if given.strip() else None,
    )
