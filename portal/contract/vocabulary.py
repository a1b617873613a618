"""The vocabulary of a request: its schema version, the values of its enumerations, its limits."""

from __future__ import annotations

SCHEMA_VERSION = "1.0"

# Enumerations (the empty string means "not answered yet" wherever it is allowed).
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
