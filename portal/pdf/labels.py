"""English labels of the contract's enumerations, as request.pdf shows them to OIA."""

from __future__ import annotations

from collections.abc import Mapping

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


def label(labels: Mapping[str, str], value: str) -> str:
    """The English label of an enumeration value (unknown values shown as given)."""
    if not value:
        return ""
    return labels.get(value, value.replace("_", " "))

#: The tables request.html uses, by the name it uses (``value|label(labels.person_role)``).
TEMPLATE_LABELS: Mapping[str, Mapping[str, str]] = {
    "assistance_type": ASSISTANCE_TYPE_LABELS,
    "authority_role": AUTHORITY_ROLE_LABELS,
    "identifier_kind": IDENTIFIER_KIND_LABELS,
    "legal_basis": LEGAL_BASIS_LABELS,
    "person_role": PERSON_ROLE_LABELS,
    "preservation_channel": PRESERVATION_CHANNEL_LABELS,
    "stage": STAGE_LABELS,
    "urgency_reason": URGENCY_REASON_LABELS,
}
