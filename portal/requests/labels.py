"""Labels and hints of every field of the request contract (keyed ``ClassName.field``; a test
finds any field without one), and of every choice, translated."""

from __future__ import annotations

from typing import Any

from portal.translation import lazy_gettext as _l

#: (label, hint or None)
FIELD_LABELS: dict[str, tuple[Any, Any]] = {
    # narrative pair
    "Narrative.text": (_l("Text as written"), None),
    "Narrative.english": (_l("English translation"), _l(
        "Required when the text is not in English. OIA reads the request in English.")),
    "Narrative.language": (_l("Language of the text"), None),
    # requesting authority
    "RequestingAuthority.name": (_l("Name of the authority"), None),
    "RequestingAuthority.country": (_l("Country"), None),
    "RequestingAuthority.office": (_l("Office or unit"), None),
    "RequestingAuthority.role": (_l("Role of the authority"), _l(
        "Mutual legal assistance serves prosecutors, judges and investigators only.")),
    "RequestingAuthority.contact": (_l("Contact person"), None),
    "RequestingAuthority.case_references": (_l("Your case references"), _l(
        "Your own file numbers, so that OIA can quote them.")),
    "Contact.name": (_l("Full name"), None),
    "Contact.email": (_l("E-mail address"), None),
    "Contact.phone": (_l("Telephone"), _l("In international form, for example +34 91 123 45 67.")),
    "Contact.time_zone": (_l("Time zone"), _l("For example Europe/Madrid or America/Bogota.")),
    # legal basis
    "LegalBasisChoice.kind": (_l("Kind of legal basis"), None),
    "LegalBasisChoice.instrument": (_l("Treaty, convention or agreement"), _l(
        "The instruments in force between your country and the United States are listed.")),
    # proceedings and persons
    "Proceedings.stage": (_l("Stage of the proceedings"), None),
    "Proceedings.conducting_authority": (_l("Authority conducting the proceedings"), None),
    "Person.name": (_l("Full name"), None),
    "Person.role": (_l("Role in the case"), None),
    "Person.nationality": (_l("Nationality"), None),
    "Person.date_of_birth": (_l("Date of birth"), _l("If known. For example 1984-03-27.")),
    # offences
    "Offence.name": (_l("Name of the offence"), None),
    "Offence.category": (_l("Category"), None),
    "Offence.provision": (_l("Provision of the law"), _l("Article or section, for example "
                                                        "Art. 248 of the Criminal Code.")),
    "Offence.law_text": (_l("Text of the law"), _l("Copy the text of the provision.")),
    "Offence.max_penalty_months": (_l("Maximum penalty of imprisonment, in months"), _l(
        "For example 60 for five years.")),
    "Offence.max_penalty_text": (_l("Maximum penalty as the law states it"), _l(
        "For example life imprisonment, or a fine only.")),
    "Offence.committed_in_us": (_l("Committed in whole or in part in the United States"), None),
    "Offence.us_equivalent_explanation": (_l(
        "Why the same conduct is punishable by more than one year in the United States"), _l(
        "Needed for a search when the maximum penalty in your country is one year or less.")),
    # facts
    "Facts.summary": (_l("Summary of the facts"), _l(
        "Who, what, when, where and how, with the dates of the events.")),
    "Facts.evidence": (_l("Evidence gathered so far"), None),
    # assistance items
    "AssistanceItem.type": (_l("Type of assistance"), None),
    "AssistanceItem.description": (_l("What you are asking for"), None),
    "AssistanceItem.nexus": (_l("How what you ask for relates to the offence"), _l(
        "Name each account or place and explain, with facts, why evidence of the offence is "
        "there.")),
    "AssistanceItem.identifiers": (_l("Accounts and identifiers"), None),
    "AssistanceItem.provider": (_l("Provider holding the data"), _l(
        "The company, for example Google LLC or Meta Platforms, Inc.")),
    "AssistanceItem.period": (_l("Period"), None),
    "AssistanceItem.csli": (_l("Historical cell-site location data is sought"), None),
    "AssistanceItem.most_recent_use": (_l("Most recent known relevant use of the account"), _l(
        "The last date on which the account was used in connection with the offence.")),
    "AssistanceItem.expected_evidence": (_l("Evidence expected in the account"), None),
    "AssistanceItem.real_time_mode": (_l("Kind of real-time collection"), None),
    "AssistanceItem.duration_days": (_l("Duration in days"), None),
    "AssistanceItem.institution": (_l("Bank or business holding the records"), None),
    "AssistanceItem.accounts": (_l("Accounts"), None),
    "AssistanceItem.document_kinds": (_l("Kinds of records sought"), None),
    "AssistanceItem.certificate_requested": (_l(
        "A business records certificate is requested (18 U.S.C. 3505)"), None),
    "AssistanceItem.witness_name": (_l("Name of the witness"), None),
    "AssistanceItem.questions": (_l("Questions to ask"), _l("One question per line.")),
    "AssistanceItem.questions_attachment": (_l("Attached document with the questions"), _l(
        "The file name of an attachment, if the questions are in a document.")),
    "AssistanceItem.compelled": (_l("The testimony is to be compelled"), None),
    "AssistanceItem.foreign_officials_attend": (_l(
        "Officials of the requesting state wish to attend"), None),
    "AssistanceItem.foreign_officials": (_l("Officials who would attend"), None),
    "AssistanceItem.place": (_l("Place to search"), _l(
        "Describe the place precisely: building, floor, rooms, vehicles.")),
    "AssistanceItem.items": (_l("Items to seize"), None),
    "AssistanceItem.address": (_l("Street address in the United States"), None),
    "AssistanceItem.city": (_l("City"), None),
    "AssistanceItem.state": (_l("State"), None),
    "AssistanceItem.documents_to_serve": (_l("Documents to serve"), _l(
        "The file names of the attached documents.")),
    "AssistanceItem.recipient": (_l("Person to serve"), None),
    "AssistanceItem.summons": (_l("A summons to appear abroad is among the documents"), None),
    "AssistanceItem.property": (_l("Property concerned"), None),
    "AssistanceItem.location": (_l("Where the property is"), _l(
        "The bank, registry or address.")),
    "AssistanceItem.estimated_value": (_l("Estimated value"), None),
    "AssistanceItem.action": (_l("Action requested"), None),
    "AssistanceItem.judgment_attachment": (_l("Attached certified copy of the judgment"), _l(
        "The file name of the attachment.")),
    "AssistanceItem.notice_statement": (_l(
        "Statement that the defendant had notice and an opportunity to be heard"), None),
    "AssistanceItem.restraint_facts": (_l(
        "Facts showing the property will be subject to a forfeiture judgment"), None),
    "Identifier.kind": (_l("Kind of identifier"), None),
    "Identifier.value": (_l("Identifier"), None),
    "Identifier.platform": (_l("Platform or service"), _l("Required for usernames.")),
    "Identifier.datetime": (_l("Date and time of use, with time zone"), _l(
        "For IP addresses, for example 2026-03-01T14:05:09+01:00.")),
    "Identifier.port": (_l("Source port"), None),
    "Period.start": (_l("From"), _l("For example 2026-01-31.")),
    "Period.end": (_l("To"), _l("For example 2026-06-30.")),
    "Account.number": (_l("Account number or IBAN"), None),
    "Account.holder": (_l("Account holder"), None),
    "ForeignOfficial.name": (_l("Full name"), None),
    "ForeignOfficial.role": (_l("Function"), None),
    "Money.amount": (_l("Amount"), None),
    "Money.currency": (_l("Currency"), _l("Three-letter code, for example USD or EUR.")),
    # preservation, urgency, confidentiality
    "PreservationRecord.date": (_l("Date the preservation was requested"), None),
    "PreservationRecord.channel": (_l("Channel"), None),
    "PreservationRecord.reference": (_l("Reference received"), None),
    "PreservationRecord.identifier": (_l("Account or identifier preserved"), None),
    "PreservationRecord.provider": (_l("Provider"), None),
    "PreservationRecord.extension_date": (_l("Date an extension was requested"), None),
    "Urgency.urgent": (_l("The request is urgent"), None),
    "Urgency.reason": (_l("Reason for urgency"), None),
    "Urgency.reason_text": (_l("Explanation of the urgency"), None),
    "Urgency.date": (_l("Date by which the evidence is needed"), None),
    "Confidentiality.requested": (_l("The request must be kept confidential"), None),
    "Confidentiality.reason": (_l("Why confidentiality is needed"), None),
    "Confidentiality.from_whom": (_l("From whom it must be kept confidential"), None),
    "SpecialProcedures.certificate_of_authenticity": (_l(
        "Certificates of authenticity for business records"), None),
    "SpecialProcedures.video_link": (_l("Testimony by video link"), None),
    "SpecialProcedures.foreign_officials_presence": (_l(
        "Presence of officials of the requesting state"), None),
    "SpecialProcedures.description": (_l("Other procedures to follow"), None),
}

#: Labels of the top-level repeatable parts and of the "add" buttons.
LIST_LABELS: dict[str, tuple[Any, Any]] = {
    "case_references": (_l("Case reference"), _l("Add another case reference")),
    "persons": (_l("Person"), _l("Add a person")),
    "offences": (_l("Offence"), _l("Add an offence")),
    "assistance": (_l("Item of assistance"), _l("Add an item of assistance")),
    "identifiers": (_l("Identifier"), _l("Add an identifier")),
    "accounts": (_l("Account"), _l("Add an account")),
    "foreign_officials": (_l("Official"), _l("Add an official")),
    "documents_to_serve": (_l("Document"), _l("Add a document")),
    "preservation": (_l("Preservation request"), _l("Add a preservation request")),
}

CHOICE_LABELS: dict[str, Any] = {
    # authority roles
    "prosecutor": _l("Prosecutor"),
    "investigating_judge": _l("Investigating judge"),
    "police_under_prosecutor": _l("Police under the direction of a prosecutor"),
    "central_authority": _l("Central authority"),
    "defence_counsel": _l("Defence counsel"),
    "private_party": _l("Private party"),
    # legal basis kinds
    "bilateral_treaty": _l("Bilateral mutual legal assistance treaty"),
    "multilateral_convention": _l("Multilateral convention"),
    "eu_us_agreement": _l("EU-U.S. Mutual Legal Assistance Agreement"),
    "letters_rogatory": _l("Letters rogatory (reciprocity)"),
    "cloud_act_agreement": _l("CLOUD Act agreement"),
    # stages
    "investigation": _l("Investigation"),
    "prosecution": _l("Prosecution"),
    "trial": _l("Trial"),
    "post_conviction": _l("After conviction"),
    # person roles
    "suspect": _l("Suspect"),
    "accused": _l("Accused"),
    "witness": _l("Witness"),
    "victim": _l("Victim"),
    "other": _l("Other"),
    # assistance types
    "subscriber_info": _l("Subscriber information"),
    "non_content": _l("Non-content records (logs, headers, transactional data)"),
    "stored_content": _l("Stored content of communications"),
    "real_time": _l("Real-time collection"),
    "financial_records": _l("Bank or business records"),
    "search_seizure": _l("Search and seizure"),
    "service_of_documents": _l("Service of documents"),
    "assets": _l("Freezing, seizure or forfeiture of assets"),
    # identifier kinds
    "email": _l("E-mail address"),
    "phone": _l("Telephone number"),
    "ip": _l("IP address"),
    "username": _l("Username"),
    "account_id": _l("Account ID"),
    "url": _l("URL"),
    "domain": _l("Domain name"),
    "imei": _l("IMEI"),
    # real-time modes
    "interception": _l("Interception of content"),
    "pen_register": _l("Pen register / trap and trace (non-content)"),
    # document kinds
    "account_statements": _l("Account statements"),
    "signature_cards": _l("Signature cards"),
    "kyc_files": _l("Know-your-customer files"),
    "wire_transfers": _l("Wire transfer records"),
    "cheques": _l("Cheques"),
    "card_records": _l("Card records"),
    "loan_files": _l("Loan files"),
    "safe_deposit": _l("Safe deposit box records"),
    "correspondence": _l("Correspondence"),
    "business_records": _l("Other business records"),
    # asset actions
    "restraint": _l("Restraint before judgment"),
    "seizure": _l("Seizure"),
    "enforcement": _l("Enforcement of a forfeiture or confiscation judgment"),
    # preservation channels
    "provider_direct": _l("Directly to the provider"),
    "network_24_7": _l("24/7 Network"),
    "oia": _l("Office of International Affairs"),
    "law_enforcement_attache": _l("U.S. law enforcement attaché"),
    # urgency reasons
    "trial_date": _l("Trial date"),
    "detention_limit": _l("Detention time limit"),
    "limitation_period": _l("Limitation period"),
    "threat_to_life": _l("Threat to life or of serious physical injury"),
    # attachment kinds
    "request_letter": _l("Signed request letter"),
    "court_order": _l("Court order"),
    "law_extract": _l("Extract of the law"),
    "translation": _l("Translation"),
    "judgment": _l("Judgment"),
    "witness_questions": _l("Questions for a witness"),
    "document_to_serve": _l("Document to serve"),
    "evidence": _l("Evidence"),
    # offence categories (reference data ids)
    "fraud": _l("Fraud"),
    "corruption": _l("Corruption and bribery"),
    "money_laundering": _l("Money laundering"),
    "drug_trafficking": _l("Drug trafficking"),
    "cybercrime": _l("Cybercrime"),
    "child_sexual_exploitation": _l("Child sexual exploitation"),
    "terrorism": _l("Terrorism"),
    "homicide": _l("Homicide"),
    "violent_crime": _l("Violent crime"),
    "human_trafficking": _l("Human trafficking and smuggling"),
    "organized_crime": _l("Organized crime"),
    "tax": _l("Tax offences"),
    "sanctions_export": _l("Sanctions and export control"),
    "intellectual_property": _l("Intellectual property"),
    "environmental": _l("Environmental crime"),
    "speech": _l("Speech offences (defamation, insult, blasphemy, hate speech)"),
    "political": _l("Political offences"),
    "military": _l("Military offences"),
}

#: Labels that differ by field, keyed ``field:value``.
FIELD_CHOICE_LABELS: dict[str, Any] = {
    "type:witness": _l("Witness statement or testimony"),
    "type:other": _l("Other assistance"),
}


def label_for(owner: str, field: str) -> tuple[Any, Any]:
    return FIELD_LABELS[f"{owner}.{field}"]


def choice_label(value: str, field: str = "") -> Any:
    return FIELD_CHOICE_LABELS.get(f"{field}:{value}") or CHOICE_LABELS.get(value, value)
