"""``request.pdf``: a submitted request rendered for an OIA reader, in English.

A title block (reference, version, submission time in UTC, requesting authority, country, the
urgency when urgent, a TRAINING banner when it is a practice request), then every section of
the request in the order of the wizard, the findings with the requester's justifications, and
the attachments with their SHA-256. Each narrative shows the English text OIA reads and, below
it, the original it was translated from, labelled with its language and laid out in its own
direction (right to left for Arabic, Hebrew, Persian, Urdu...). The footer carries the reference,
the version and "Page X of Y"; a TRAINING banner tops every page of a practice request.

Labels are English on purpose (the document is for OIA): no gettext here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from portal.contract.model import (
    AssistanceItem,
    Narrative,
    Offence,
    Request,
    item_fields,
)
from portal.pdf.base import (
    AttachmentInfo,
    bdi,
    esc,
    html_document,
    is_english,
    language_name,
    page_css,
    render_html,
    size_text,
    text_direction,
    utc_text,
)
from portal.reference import ReferenceData, load_reference

TRAINING_BANNER = "TRAINING \u2014 practice request, not a real request for assistance"
TRAINING_MARK = "TRAINING"

# --- English labels of the enumerations of the contract --------------------------------------
AUTHORITY_ROLE_LABELS: Mapping[str, str] = {
    "prosecutor": "Prosecutor",
    "investigating_judge": "Investigating judge",
    "police_under_prosecutor": "Police under prosecutorial direction",
    "central_authority": "Central authority",
    "defence_counsel": "Defence counsel",
    "private_party": "Private party",
    "other": "Other",
}
LEGAL_BASIS_LABELS: Mapping[str, str] = {
    "bilateral_treaty": "Bilateral MLA treaty",
    "multilateral_convention": "Multilateral convention",
    "eu_us_agreement": "EU-U.S. Mutual Legal Assistance Agreement",
    "letters_rogatory": "Letters rogatory / reciprocity",
    "cloud_act_agreement": "CLOUD Act executive agreement",
}
STAGE_LABELS: Mapping[str, str] = {
    "investigation": "Investigation",
    "prosecution": "Prosecution",
    "trial": "Trial",
    "post_conviction": "Post-conviction",
}
PERSON_ROLE_LABELS: Mapping[str, str] = {
    "suspect": "Suspect",
    "accused": "Accused",
    "witness": "Witness",
    "victim": "Victim",
    "other": "Other",
}
ASSISTANCE_TYPE_LABELS: Mapping[str, str] = {
    "subscriber_info": "Subscriber information",
    "non_content": "Non-content records (logs, headers, transactional data)",
    "stored_content": "Stored content of communications",
    "real_time": "Real-time collection",
    "financial_records": "Bank or business records",
    "witness": "Witness statement or testimony",
    "search_seizure": "Search and seizure",
    "service_of_documents": "Service of documents",
    "assets": "Freezing, seizure or forfeiture of assets",
    "other": "Other assistance",
}
IDENTIFIER_KIND_LABELS: Mapping[str, str] = {
    "email": "E-mail address",
    "phone": "Telephone number",
    "ip": "IP address",
    "username": "User name",
    "account_id": "Account ID",
    "url": "URL",
    "domain": "Domain",
    "imei": "IMEI",
    "other": "Other",
}
REAL_TIME_MODE_LABELS: Mapping[str, str] = {
    "interception": "Interception of content",
    "pen_register": "Pen register / trap and trace",
}
DOCUMENT_KIND_LABELS: Mapping[str, str] = {
    "account_statements": "Account statements",
    "signature_cards": "Signature cards",
    "kyc_files": "Know-your-customer files",
    "wire_transfers": "Wire transfers",
    "cheques": "Cheques",
    "card_records": "Card records",
    "loan_files": "Loan files",
    "safe_deposit": "Safe deposit box records",
    "correspondence": "Correspondence",
    "business_records": "Business records",
    "other": "Other",
}
ASSET_ACTION_LABELS: Mapping[str, str] = {
    "restraint": "Restraint (freezing)",
    "seizure": "Seizure",
    "enforcement": "Enforcement of a forfeiture judgment",
    "other": "Other",
}
PRESERVATION_CHANNEL_LABELS: Mapping[str, str] = {
    "provider_direct": "Directly to the provider",
    "network_24_7": "24/7 network",
    "oia": "OIA",
    "law_enforcement_attache": "Law enforcement attaché",
    "other": "Other",
}
URGENCY_REASON_LABELS: Mapping[str, str] = {
    "trial_date": "Trial date",
    "detention_limit": "Detention limit",
    "limitation_period": "Limitation period",
    "threat_to_life": "Threat to life",
    "other": "Other",
}
ATTACHMENT_KIND_LABELS: Mapping[str, str] = {
    "request_letter": "Signed request letter",
    "court_order": "Court order",
    "law_extract": "Extract of the law",
    "translation": "Translation",
    "judgment": "Judgment",
    "witness_questions": "Questions to the witness",
    "document_to_serve": "Document to serve",
    "evidence": "Evidence",
    "other": "Other",
}
SEVERITY_LABELS: Mapping[str, str] = {"blocker": "Blocker", "warning": "Warning", "info": "Note"}
SEVERITY_ORDER: Mapping[str, int] = {"blocker": 0, "warning": 1, "info": 2}

NONE = '<span class="none">Not answered</span>'
NONE_LIST = '<span class="none">None given</span>'


def label(labels: Mapping[str, str], value: str) -> str:
    """The English label of an enumeration value (unknown values shown as given)."""
    if not value:
        return ""
    return labels.get(value, value.replace("_", " "))


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


# --- rendering helpers ----------------------------------------------------------------------


def _value(value: str) -> str:
    return bdi(value) if value.strip() else NONE


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _rows(rows: Sequence[tuple[str, str]]) -> str:
    body = "".join(
        f"<tr><th scope='row'>{esc(name)}</th><td>{cell}</td></tr>" for name, cell in rows
    )
    return (
        '<table class="fields"><colgroup><col style="width: 32%"><col style="width: 68%">'
        f"</colgroup>{body}</table>"
    )


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int] = ()
) -> str:
    """A data table; ``widths`` in percent (fixed layout: WeasyPrint's automatic layout
    measures every break opportunity of every cell, which is slow with long texts)."""
    cols = "".join(f'<col style="width: {w}%">' for w in widths)
    head = "".join(f"<th scope='col'>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _text_block(text: str, language: str) -> str:
    direction = text_direction(language)
    lang = f' lang="{esc(language)}"' if language.strip() else ""
    return f'<div class="text" dir="{direction}"{lang}>{esc(text.strip())}</div>'


def narrative_html(narrative: Narrative, request_language: str) -> str:
    """The English text OIA reads, then the original (labelled with its language) below it."""
    if narrative.is_empty():
        return NONE
    language = narrative.language.strip() or request_language.strip()
    text = narrative.text.strip()
    english = narrative.english.strip()
    if english:
        out = _text_block(english, "en")
        if text and text != english:
            out += _original(text, language, "Original")
        return out
    if not language or is_english(language):
        return _text_block(text, language or "")
    return _original(text, language, "As written, no English translation given")


def _original(text: str, language: str, caption: str) -> str:
    name = language_name(language) if language else "language not stated"
    code = f", {language}" if language and name != language else ""
    direction = text_direction(language)
    return (
        f'<div class="original" dir="{direction}">'
        f'<div class="original-label" dir="ltr" lang="en">{esc(caption)} '
        f"({esc(name)}{esc(code)}):</div>{_text_block(text, language)}</div>"
    )


# --- the sections ---------------------------------------------------------------------------


class _Doc:
    def __init__(self, request: Request, reference_data: ReferenceData) -> None:
        self.request = request
        self.ref = reference_data
        self.lang = request.language

    def narrative(self, narrative: Narrative) -> str:
        return narrative_html(narrative, self.lang)

    def country(self, code: str) -> str:
        if not code.strip():
            return NONE
        country = self.ref.countries.get(code.strip().upper())
        return esc(f"{country.name} ({code})" if country else code)

    def authority(self) -> str:
        a = self.request.requesting_authority
        refs = (
            "<ul>" + "".join(f"<li>{bdi(r)}</li>" for r in a.case_references if r.strip()) + "</ul>"
            if any(r.strip() for r in a.case_references)
            else NONE_LIST
        )
        return _rows(
            [
                ("Name of the authority", _value(a.name)),
                ("Country", self.country(a.country)),
                ("Office or unit", _value(a.office)),
                ("Role of the authority", _value(label(AUTHORITY_ROLE_LABELS, a.role))),
                ("Contact person", _value(a.contact.name)),
                ("E-mail", _value(a.contact.email)),
                ("Telephone", _value(a.contact.phone)),
                ("Time zone", _value(a.contact.time_zone)),
                ("Their case references", refs),
            ]
        )

    def legal_basis(self) -> str:
        basis = self.request.legal_basis
        instrument = basis.instrument.strip()
        known = self.ref.legal_bases.get(instrument) if instrument else None
        shown = f"{known.name} ({instrument})" if known else instrument
        return _rows(
            [
                ("Kind of legal basis", _value(label(LEGAL_BASIS_LABELS, basis.kind))),
                ("Treaty, convention or agreement", _value(shown)),
            ]
        )

    def proceedings(self) -> str:
        p = self.request.proceedings
        out = _rows(
            [
                ("Stage of the proceedings", _value(label(STAGE_LABELS, p.stage))),
                ("Authority conducting the proceedings", _value(p.conducting_authority)),
            ]
        )
        out += "<h3>Persons concerned</h3>"
        if not self.request.persons:
            return out + f"<p>{NONE_LIST}</p>"
        rows = [
            [
                str(i),
                _value(person.name),
                esc(label(PERSON_ROLE_LABELS, person.role)),
                self.country(person.nationality) if person.nationality else "",
                esc(person.date_of_birth),
            ]
            for i, person in enumerate(self.request.persons, 1)
        ]
        return out + _table(
            ["#", "Name", "Role", "Nationality", "Date of birth"], rows, (5, 40, 15, 25, 15)
        )

    def offences(self) -> str:
        if not self.request.offences:
            return f"<p>{NONE_LIST}</p>"
        return "".join(self.offence(i, o) for i, o in enumerate(self.request.offences, 1))

    def offence(self, number: int, offence: Offence) -> str:
        heading = offence.name.for_reading().strip() or "(no name)"
        category = offence.category.strip()
        known = self.ref.offence_categories.get(category) if category else None
        months = offence.max_penalty_months
        penalty = ""
        if months is not None:
            penalty = f"{months} months"
            if months >= 12 and months % 12 == 0:
                years = months // 12
                penalty += f" ({years} year{'s' if years != 1 else ''})"
        return f"<h3>Offence {number}: {bdi(heading)}</h3>" + _rows(
            [
                ("Name of the offence", self.narrative(offence.name)),
                ("Category", _value(known.name if known else category)),
                ("Provision of the law", _value(offence.provision)),
                ("Text of the law", self.narrative(offence.law_text)),
                ("Maximum penalty of imprisonment", _value(penalty)),
                ("Maximum penalty as the law states it", _value(offence.max_penalty_text)),
                ("Committed in whole or in part in the U.S.", _yes_no(offence.committed_in_us)),
                (
                    "Why the conduct is punishable by more than one year in the U.S.",
                    self.narrative(offence.us_equivalent_explanation),
                ),
            ]
        )

    def facts(self) -> str:
        f = self.request.facts
        return _rows(
            [
                ("Summary of the facts", self.narrative(f.summary)),
                ("Evidence gathered so far", self.narrative(f.evidence)),
            ]
        )

    def assistance(self) -> str:
        if not self.request.assistance:
            return f"<p>{NONE_LIST}</p>"
        return "".join(self.item(i, item) for i, item in enumerate(self.request.assistance, 1))

    def item(self, number: int, item: AssistanceItem) -> str:
        title = label(ASSISTANCE_TYPE_LABELS, item.type) or "Assistance"
        rows: list[tuple[str, str]] = []
        tables = ""
        for name in item_fields(item.type):
            if name == "type":
                continue
            renderer = _ITEM_FIELD_RENDERERS.get(name)
            if renderer is None:  # pragma: no cover - guarded by a test
                continue
            caption, render = renderer
            cell = render(self, item)
            if name in _ITEM_TABLE_FIELDS:
                tables += f"<h4>{esc(caption)}</h4>{cell}"
            else:
                rows.append((caption, cell))
        return f"<h3>Item {number}: {esc(title)}</h3>" + _rows(rows) + tables

    def preservation(self) -> str:
        out = "<h3>Preservation requests already made</h3>"
        records = self.request.preservation
        if not records:
            return out + f"<p>{NONE_LIST}</p>"
        rows = [
            [
                esc(r.date),
                esc(label(PRESERVATION_CHANNEL_LABELS, r.channel)),
                bdi(r.reference),
                bdi(r.identifier, "mono"),
                bdi(r.provider),
                esc(r.extension_date),
            ]
            for r in records
        ]
        return out + _table(
            ["Date sent", "Channel", "Reference", "Identifier", "Provider", "Extension asked"],
            rows,
            (12, 16, 18, 22, 18, 14),
        )

    def urgency(self) -> str:
        u = self.request.urgency
        return "<h3>Urgency</h3>" + _rows(
            [
                ("Urgent", _yes_no(u.urgent)),
                ("Reason", _value(label(URGENCY_REASON_LABELS, u.reason))),
                ("Explanation", self.narrative(u.reason_text)),
                ("Needed by", _value(u.date)),
            ]
        )

    def confidentiality(self) -> str:
        c = self.request.confidentiality
        return "<h3>Confidentiality</h3>" + _rows(
            [
                ("Confidentiality requested", _yes_no(c.requested)),
                ("Why", self.narrative(c.reason)),
                ("From whom", _value(c.from_whom)),
            ]
        )

    def special_procedures(self) -> str:
        s = self.request.special_procedures
        return _rows(
            [
                (
                    "Certificate of authenticity of business records",
                    _yes_no(s.certificate_of_authenticity),
                ),
                ("Video link", _yes_no(s.video_link)),
                ("Presence of foreign officials", _yes_no(s.foreign_officials_presence)),
                ("Other procedures to follow", self.narrative(s.description)),
            ]
        )


# Item fields: caption and renderer, in the order of ITEM_FIELDS.
_ItemRenderer = Callable[[_Doc, AssistanceItem], str]


def _period(item: AssistanceItem) -> str:
    start, end = item.period.start.strip(), item.period.end.strip()
    if not (start or end):
        return NONE
    return esc(f"{start or '?'} to {end or '?'}")


def _identifiers(item: AssistanceItem) -> str:
    if not item.identifiers:
        return f"<p>{NONE_LIST}</p>"
    rows = [
        [
            esc(label(IDENTIFIER_KIND_LABELS, i.kind)),
            bdi(i.value, "mono"),
            bdi(i.platform),
            bdi(i.datetime, "mono"),
            esc("" if i.port is None else i.port),
        ]
        for i in item.identifiers
    ]
    return _table(
        ["Kind", "Value", "Platform", "Date and time (with UTC offset)", "Port"],
        rows,
        (15, 33, 17, 27, 8),
    )


def _accounts(item: AssistanceItem) -> str:
    if not item.accounts:
        return f"<p>{NONE_LIST}</p>"
    rows = [[bdi(a.number, "mono"), bdi(a.holder)] for a in item.accounts]
    return _table(["Account number or IBAN", "Holder"], rows, (50, 50))


def _officials(item: AssistanceItem) -> str:
    if not item.foreign_officials:
        return f"<p>{NONE_LIST}</p>"
    rows = [[bdi(o.name), bdi(o.role)] for o in item.foreign_officials]
    return _table(["Name", "Role"], rows, (50, 50))


def _list(values: Sequence[str], labels: Mapping[str, str] | None = None) -> str:
    shown = [v for v in values if v.strip()]
    if not shown:
        return NONE_LIST
    items = (esc(label(labels, v)) if labels is not None else bdi(v) for v in shown)
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def _money(item: AssistanceItem) -> str:
    value = item.estimated_value
    if value.amount is None and not value.currency.strip():
        return NONE
    amount = "" if value.amount is None else f"{value.amount:,.2f}"
    return esc(f"{amount} {value.currency}".strip())


def _text(value: str) -> str:
    return _value(value)


_ITEM_FIELD_RENDERERS: Mapping[str, tuple[str, _ItemRenderer]] = {
    "description": ("What is sought", lambda d, i: d.narrative(i.description)),
    "nexus": ("How it relates to the offence (nexus)", lambda d, i: d.narrative(i.nexus)),
    "identifiers": ("Accounts and identifiers", lambda d, i: _identifiers(i)),
    "provider": ("Provider holding the data", lambda d, i: _provider(d, i.provider)),
    "period": ("Period", lambda d, i: _period(i)),
    "csli": ("Historical cell-site location information sought", lambda d, i: _yes_no(i.csli)),
    "most_recent_use": ("Most recent known relevant use", lambda d, i: _text(i.most_recent_use)),
    "expected_evidence": (
        "Evidence expected in the account",
        lambda d, i: d.narrative(i.expected_evidence),
    ),
    "real_time_mode": (
        "Kind of real-time collection",
        lambda d, i: _text(label(REAL_TIME_MODE_LABELS, i.real_time_mode)),
    ),
    "duration_days": (
        "Duration in days",
        lambda d, i: _text("" if i.duration_days is None else str(i.duration_days)),
    ),
    "institution": ("Bank or business holding the records", lambda d, i: _text(i.institution)),
    "address": ("Address in the U.S.", lambda d, i: _text(i.address)),
    "city": ("City", lambda d, i: _text(i.city)),
    "state": ("State", lambda d, i: _text(i.state)),
    "accounts": ("Accounts", lambda d, i: _accounts(i)),
    "document_kinds": (
        "Kinds of records sought",
        lambda d, i: _list(i.document_kinds, DOCUMENT_KIND_LABELS),
    ),
    "certificate_requested": (
        "Certificate of authenticity (18 U.S.C. 3505) requested",
        lambda d, i: _yes_no(i.certificate_requested),
    ),
    "witness_name": ("Witness", lambda d, i: _text(i.witness_name)),
    "questions": ("Questions to the witness", lambda d, i: d.narrative(i.questions)),
    "questions_attachment": (
        "Questions attached as",
        lambda d, i: _text(i.questions_attachment),
    ),
    "compelled": ("Compelled testimony", lambda d, i: _yes_no(i.compelled)),
    "foreign_officials_attend": (
        "Foreign officials wish to attend",
        lambda d, i: _yes_no(i.foreign_officials_attend),
    ),
    "foreign_officials": ("Foreign officials", lambda d, i: _officials(i)),
    "place": ("Place to search", lambda d, i: d.narrative(i.place)),
    "items": ("Items to seize", lambda d, i: d.narrative(i.items)),
    "documents_to_serve": ("Documents to serve", lambda d, i: _list(i.documents_to_serve)),
    "recipient": ("Recipient", lambda d, i: _text(i.recipient)),
    "summons": ("A summons to appear abroad is among them", lambda d, i: _yes_no(i.summons)),
    "property": ("Property concerned", lambda d, i: d.narrative(i.property)),
    "location": ("Where the property is", lambda d, i: _text(i.location)),
    "estimated_value": ("Estimated value", lambda d, i: _money(i)),
    "action": ("Action requested", lambda d, i: _text(label(ASSET_ACTION_LABELS, i.action))),
    "judgment_attachment": ("Judgment attached as", lambda d, i: _text(i.judgment_attachment)),
    "notice_statement": (
        "Notice to the defendant and opportunity to be heard",
        lambda d, i: d.narrative(i.notice_statement),
    ),
    "restraint_facts": (
        "Facts showing the property is subject to forfeiture",
        lambda d, i: d.narrative(i.restraint_facts),
    ),
}
_ITEM_TABLE_FIELDS = frozenset({"identifiers", "accounts", "foreign_officials"})


def _provider(doc: _Doc, value: str) -> str:
    if not value.strip():
        return NONE
    known = doc.ref.find_provider(value)
    if known is not None and known.name.casefold() != value.strip().casefold():
        return f"{bdi(value)} ({esc(known.name)})"
    return bdi(value)


# --- findings and attachments ---------------------------------------------------------------


def findings_html(
    findings: Sequence[Mapping[str, Any]], acknowledgements: Mapping[str, str]
) -> str:
    if not findings:
        return "<p>The rule engine reported no findings for this version.</p>"
    counts = {s: 0 for s in SEVERITY_ORDER}
    for f in findings:
        severity = str(f.get("severity", ""))
        counts[severity] = counts.get(severity, 0) + 1
    summary = ", ".join(
        f"{n} {SEVERITY_LABELS.get(s, s).lower()}{'s' if n != 1 else ''}"
        for s, n in counts.items()
        if n
    )
    ordered = sorted(
        enumerate(findings),
        key=lambda pair: (SEVERITY_ORDER.get(str(pair[1].get("severity", "")), 9), pair[0]),
    )
    parts = [f"<p>{esc(summary)}.</p>"]
    for _index, f in ordered:
        severity = str(f.get("severity", ""))
        code = str(f.get("code", ""))
        path = str(f.get("path", "") or "")
        citations = [str(c) for c in f.get("citations", ()) or () if str(c).strip()]
        body = [
            f'<div class="finding {esc(severity)}">',
            f'<div><span class="severity">{esc(SEVERITY_LABELS.get(severity, severity))}</span>'
            f" &middot; <code>{esc(code)}</code>"
            + (
                f' &middot; <span class="muted">field <code>{esc(path)}</code></span>'
                if path
                else ""
            )
            + "</div>",
            f"<h4>{esc(f.get('title', '') or code)}</h4>",
        ]
        if str(f.get("explanation", "")).strip():
            body.append(f"<p>{esc(f['explanation'])}</p>")
        if str(f.get("fix", "")).strip():
            body.append(f"<p><strong>Fix:</strong> {esc(f['fix'])}</p>")
        if citations:
            body.append(f'<p class="muted">Authority: {esc("; ".join(citations))}</p>')
        given = justification(f, acknowledgements)
        if given.strip():
            body.append(
                '<div class="ack"><strong>Acknowledged by the requesting authority. '
                f"Justification:</strong>{_text_block(given, '')}</div>"
            )
        elif severity == "warning":
            body.append('<p class="muted">No justification recorded.</p>')
        body.append("</div>")
        parts.append("".join(body))
    return "".join(parts)


def attachments_html(attachments: Sequence[AttachmentInfo]) -> str:
    """One row per document, its SHA-256 on a full-width row of its own (never broken)."""
    if not attachments:
        return "<p>No documents attached.</p>"
    head = "".join(f"<th scope='col'>{h}</th>" for h in ("#", "File", "Kind", "Pages", "Size"))
    rows = []
    for i, a in enumerate(attachments, 1):
        pages = "" if a.pages is None else str(a.pages)
        rows.append(
            '<tbody class="attachment">'
            f"<tr><td>{i}</td><td>{bdi(a.filename)}</td>"
            f"<td>{esc(label(ATTACHMENT_KIND_LABELS, a.document_kind))}</td>"
            f"<td>{esc(pages)}</td><td>{esc(size_text(a.size))}</td></tr>"
            f'<tr><td></td><td colspan="4">SHA-256 <span class="hash">{esc(a.sha256)}</span>'
            "</td></tr></tbody>"
        )
    cols = "".join(f'<col style="width: {w}%">' for w in (5, 38, 22, 8, 27))
    return (
        f'<table class="attachments"><colgroup>{cols}</colgroup>'
        f"<thead><tr>{head}</tr></thead>{''.join(rows)}</table>"
    )


# --- the document ---------------------------------------------------------------------------


def request_html(
    request: Request,
    *,
    reference: str,
    version: int,
    submitted_at: datetime,
    authority_name: str,
    findings: Sequence[Mapping[str, Any]],
    acknowledgements: Mapping[str, str],
    attachments: Sequence[AttachmentInfo],
    training: bool,
    reference_data: ReferenceData | None = None,
    authority_country: str = "",
) -> str:
    """The HTML that :func:`render_request_pdf` renders (useful to preview or to test)."""
    doc = _Doc(request, reference_data if reference_data is not None else load_reference())
    authority = request.requesting_authority
    language = request.language.strip()
    title_rows = [
        ("Reference", f"<strong>{esc(reference)}</strong>"),
        ("Version", esc(version)),
        ("Submitted", esc(utc_text(submitted_at))),
        ("Requesting authority", _value(authority_name or authority.name)),
        ("Country", doc.country(authority_country or authority.country)),
        (
            "Drafting language",
            esc(f"{language_name(language)} ({language})") if language else NONE,
        ),
        (
            "Assistance requested",
            _list([i.type for i in request.assistance], ASSISTANCE_TYPE_LABELS),
        ),
    ]
    head = ["<h1>Request for Mutual Legal Assistance</h1>"]
    head.append(
        '<p class="muted">To the U.S. Department of Justice, Criminal Division, '
        "Office of International Affairs. Rendered by the MLA request intake portal from the "
        "submitted version; English text first, original-language text below it where given.</p>"
    )
    if training:
        head.append(
            f'<div class="banner">{esc(TRAINING_BANNER)}. Made in the practice sandbox; never '
            "entered OIA's queue.</div>"
        )
    urgency = request.urgency
    if urgency.urgent:
        reason = label(URGENCY_REASON_LABELS, urgency.reason) or "reason not given"
        by = f", needed by {urgency.date}" if urgency.date.strip() else ""
        head.append(f'<div class="urgent"><strong>URGENT</strong>: {esc(reason)}{esc(by)}.</div>')
    head.append(_rows(title_rows))

    sections = [
        ("1. Requesting authority", doc.authority()),
        ("2. Legal basis", doc.legal_basis()),
        ("3. Proceedings and persons", doc.proceedings()),
        ("4. Offences", doc.offences()),
        ("5. Facts", doc.facts()),
        ("6. Assistance requested", doc.assistance()),
        (
            "7. Preservation, urgency and confidentiality",
            doc.preservation() + doc.urgency() + doc.confidentiality(),
        ),
        ("8. Special procedures", doc.special_procedures()),
        ("9. Rule findings and acknowledgements", findings_html(findings, acknowledgements)),
        ("10. Attachments", attachments_html(attachments)),
    ]
    body = "".join(head) + "".join(
        f"<section><h2>{esc(title)}</h2>{content}</section>" for title, content in sections
    )
    return html_document(
        lang="en",
        direction="ltr",
        title=f"MLA request {reference} version {version}",
        body=body,
        author=authority_name or authority.name,
    )


def render_request_pdf(
    request: Request,
    *,
    reference: str,
    version: int,
    submitted_at: datetime,
    authority_name: str,
    findings: Sequence[Mapping[str, Any]],
    acknowledgements: Mapping[str, str],
    attachments: Sequence[AttachmentInfo],
    training: bool,
    reference_data: ReferenceData | None = None,
    authority_country: str = "",
) -> bytes:
    """``request.pdf`` of a package: the request for an OIA reader, in English.

    ``findings`` are rendered findings (:func:`portal.rules.render_finding` in English: code,
    severity, title, explanation, fix, citations, path); ``acknowledgements`` maps a finding's
    key (:func:`finding_key`, ``CODE@path`` as in the wizard) to the requester's justification
    (a finding's own ``acknowledgement`` entry is used when the map has none); ``attachments``
    carry the hashes recorded at upload. ``reference_data`` defaults to the package's own. Raises
    :class:`portal.pdf.fonts.MissingFontError` when the fonts are not installed.
    """
    document = request_html(
        request,
        reference=reference,
        version=version,
        submitted_at=submitted_at,
        authority_name=authority_name,
        findings=findings,
        acknowledgements=acknowledgements,
        attachments=attachments,
        training=training,
        reference_data=reference_data,
        authority_country=authority_country,
    )
    css = page_css(
        footer_left=f"{reference} \u00b7 version {version}"
        + (f" \u00b7 {TRAINING_MARK}" if training else ""),
        page_template="Page {page} of {pages}",
        training_banner=TRAINING_BANNER if training else None,
    )
    return render_html(document, extra_css=[css])
