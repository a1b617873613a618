"""The rule catalog: one :class:`Rule` per rule of RULES.md (codes are a public contract).

Title, explanation and fix are English source strings marked with ``N_`` (extracted with
``pybabel extract -k N_``) and translated at render time; citations are never translated.
Messages may contain ``{placeholders}``: the names of settings (filled from
:class:`~portal.rules.settings.RuleSettings`) and the parameters of a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from portal.i18n_core import N_

Severity = Literal["blocker", "warning", "advice"]
SEVERITIES: tuple[Severity, ...] = ("blocker", "warning", "advice")
SEVERITY_RANK: Mapping[str, int] = {"blocker": 0, "warning": 1, "advice": 2}

ALL = ("all",)
ELECTRONIC = ("subscriber_info", "non_content", "stored_content", "real_time")
STORED = ("non_content", "stored_content")


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: Severity
    family: str
    applies_to: tuple[str, ...]
    title: str
    explanation: str
    fix: str
    citations: tuple[str, ...]
    settings: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    computed_by: Literal["engine", "triage"] = "engine"


RULES: tuple[Rule, ...] = (
    # ---------------------------------------------------------------- general
    Rule(
        "GEN-AUTHORITY",
        "blocker",
        "general",
        ALL,
        N_("The requester is not a judicial, prosecuting or investigating authority"),
        N_(
            "U.S. mutual legal assistance treaties are used by prosecutors, judges and "
            "investigators acting in criminal proceedings. Defence lawyers and private parties "
            "cannot use them; they ask a court to send letters rogatory through diplomatic "
            "channels instead."
        ),
        N_(
            "Have the request made by a prosecutor, investigating judge, police acting under a "
            "prosecutor, or your central authority, or use letters rogatory through the U.S. "
            "Department of State."
        ),
        ("DOJ OIA, Evidence located abroad: frequently asked questions", "CRM 276"),
        fields=("requesting_authority.role",),
    ),
    Rule(
        "GEN-CONTACT",
        "blocker",
        "general",
        ALL,
        N_("No contact person with an e-mail address and a time zone"),
        N_(
            "OIA and the U.S. prosecutor need someone to call or write to about the request, "
            "and must know their working hours."
        ),
        N_("Give the name, e-mail address and time zone of the person handling the request."),
        ("Council of Europe T-CY template for Art. 31 Budapest Convention (contact, time zone)",),
        fields=(
            "requesting_authority.contact.name",
            "requesting_authority.contact.email",
            "requesting_authority.contact.time_zone",
        ),
    ),
    Rule(
        "GEN-BASIS",
        "blocker",
        "general",
        ALL,
        N_("No legal basis is chosen"),
        N_(
            "A request must say under which treaty, convention or agreement it is made, or that "
            "it is a letter rogatory relying on reciprocity."
        ),
        N_("Choose the kind of legal basis and the instrument (treaty or convention)."),
        ("CRM 276", "OAS model MLA request form"),
        fields=("legal_basis.kind", "legal_basis.instrument"),
    ),
    Rule(
        "GEN-BASIS-COUNTRY",
        "warning",
        "general",
        ALL,
        N_("No bilateral treaty in force is known for your country"),
        N_(
            "The reference data lists no bilateral mutual legal assistance treaty with the "
            "United States in force for your country that matches your choice. The request may "
            "have to rely on a multilateral convention or on letters rogatory."
        ),
        N_(
            "Check the treaty you cited, or choose a multilateral convention that both states "
            "have ratified."
        ),
        ("Portal reference data (legal bases per country, editable by administrators)",),
        fields=("legal_basis.instrument",),
    ),
    Rule(
        "GEN-CLOUD-ACT",
        "advice",
        "general",
        ELECTRONIC,
        N_("A CLOUD Act agreement may offer a faster route"),
        N_(
            "Your country has an executive agreement with the United States under the CLOUD "
            "Act. Under it, your authorities may serve an order for electronic data directly on "
            "the U.S. provider, without a mutual legal assistance request."
        ),
        N_("Consider using the procedure of the agreement for the electronic data you seek."),
        ("18 U.S.C. 2523", "Agreement between the U.S. and the U.K. on Access to Electronic Data"),
        fields=("legal_basis.kind",),
    ),
    Rule(
        "GEN-OFFENCE",
        "blocker",
        "general",
        ALL,
        N_("No offence is described"),
        N_(
            "Assistance is given for the investigation or prosecution of a criminal offence: "
            "the request must name at least one."
        ),
        N_("Add each offence with its provision, the text of the law and its maximum penalty."),
        ("CRM 281", "OAS model MLA request form"),
        fields=("offences",),
    ),
    Rule(
        "GEN-OFFENCE-LAW",
        "blocker",
        "general",
        ALL,
        N_("An offence lacks its legal provision or the text of the law"),
        N_(
            "OIA must see the exact provision that makes the conduct a crime and read its text, "
            "to assess dual criminality and the U.S. standards that apply."
        ),
        N_(
            "Give the article or section and copy the text of the law, with an English translation."
        ),
        ("CRM 281", "OAS model MLA request form"),
        fields=("offences[].provision", "offences[].law_text"),
    ),
    Rule(
        "GEN-OFFENCE-PENALTY",
        "blocker",
        "general",
        ALL,
        N_("An offence lacks its maximum penalty"),
        N_(
            "The maximum penalty decides whether some measures, such as a search warrant, are "
            "available, and helps OIA set priorities."
        ),
        N_(
            "Give the maximum term of imprisonment in months, and the penalty as the law states it."
        ),
        ("18 U.S.C. 3512(e)",),
        fields=("offences[].max_penalty_months",),
    ),
    Rule(
        "GEN-FACTS",
        "blocker",
        "general",
        ALL,
        N_("The summary of facts is missing or too short"),
        N_(
            "The facts must show that a crime was committed and who committed it, when, where "
            "and how. A summary shorter than {facts_min_words} words rarely does."
        ),
        N_(
            "Write at least {facts_min_words} words: who did what, when, where and how, and how "
            "the evidence sought fits in."
        ),
        ("CRM 281",),
        settings=("facts_min_words",),
        fields=("facts.summary",),
    ),
    Rule(
        "GEN-FACTS-DATES",
        "warning",
        "general",
        ALL,
        N_("The summary of facts contains no date"),
        N_(
            "Without dates OIA cannot judge whether the period requested matches the facts or "
            "whether the information is stale."
        ),
        N_("Give the dates (or at least month and year) of the main events."),
        ("CRM 281",),
        fields=("facts.summary",),
    ),
    Rule(
        "GEN-NEXUS",
        "blocker",
        "general",
        ALL,
        N_("An item does not say how it relates to the offence"),
        N_(
            "For each thing you ask for, the request must explain why it is relevant: how the "
            "account, record, place or person is connected to the crime."
        ),
        N_("Explain the link between what this item seeks and the offence."),
        ("CRM 281",),
        fields=("assistance[].nexus",),
    ),
    Rule(
        "GEN-ENGLISH",
        "blocker",
        "general",
        ALL,
        N_("A text is not in English and has no English translation"),
        N_(
            "OIA works in English: every text it must read has to be in English or come with an "
            "English translation, and the text given as the translation must itself be in "
            "English. Texts in Chinese, Japanese or Korean script are checked from "
            "{english_min_cjk_chars} characters, other texts from {english_min_chars} "
            "characters."
        ),
        N_(
            "Add an English translation in the field next to the original text, or replace the "
            "text in the translation field with its English translation."
        ),
        ("DOJ OIA: requests must be in English or accompanied by an English translation",),
        settings=("english_min_chars", "english_min_cjk_chars"),
        fields=("*.english",),
    ),
    Rule(
        "GEN-REQUIRED",
        "blocker",
        "general",
        ALL,
        N_("A required answer is empty"),
        N_(
            "OIA returns a request that leaves out an answer its kinds of assistance need. "
            "This field is empty or holds only spaces."
        ),
        N_("Fill in the field, or remove the entry it belongs to if it is not needed."),
        ("CRM 276", "CRM 281", "OAS model MLA request form"),
    ),
    Rule(
        "GEN-LETTER",
        "blocker",
        "general",
        ALL,
        N_("No signed letter of request is attached"),
        N_(
            "A request for mutual legal assistance is a signed letter from the requesting "
            "authority. The portal's answers describe it; they do not replace it."
        ),
        N_(
            "Attach the signed letter of request as a PDF file of the type "
            "\"Signed request letter\"."
        ),
        ("Treaty practice: a request is a signed letter from the requesting authority",),
        fields=("attachments",),
    ),
    Rule(
        "GEN-LETTER-ENGLISH",
        "blocker",
        "general",
        ALL,
        N_("The letter of request is not in English and has no English translation"),
        N_(
            "OIA works in English: a letter of request in another language must come with "
            "its English translation."
        ),
        N_(
            "Attach the English translation of the letter as a PDF file of the type "
            "\"Translation\", with English as its language."
        ),
        ("DOJ OIA: requests must be in English or accompanied by an English translation",),
        fields=("attachments[].language",),
    ),
    Rule(
        "GEN-DATE-FUTURE",
        "blocker",
        "general",
        ALL,
        N_("A date of a past event lies in the future"),
        N_(
            "Some dates can only lie in the past: the events of the facts, the last use of an "
            "account, a preservation request or its extension, a date of birth. A date after "
            "today is a typing error that would make the U.S. court doubt the facts, "
            "and date rules such as the expiry of a preservation cannot be applied to it. "
            "Upcoming events (a trial, a hearing, a detention limit) are not concerned."
        ),
        N_("Correct the date, or say in the sentence that the event is still to come."),
        ("Fed. R. Crim. P. 41", "18 U.S.C. 2703(f)"),
        fields=(
            "facts.summary",
            "persons[].date_of_birth",
            "assistance[].most_recent_use",
            "preservation[].date",
            "preservation[].extension_date",
        ),
    ),
    Rule(
        "GEN-ACCOUNT-COUNTRY",
        "warning",
        "general",
        ALL,
        N_("The request names an authority of another country than your account's"),
        N_(
            "Your account belongs to an authority of one country, but the request names a "
            "requesting authority of another. OIA records the request as coming from your "
            "authority; a central authority may transmit a request for another state's "
            "authority, but OIA needs to know why."
        ),
        N_(
            "Explain why your authority submits a request of another country's authority, or "
            "correct the country."
        ),
        ("Portal provenance: the package and the queue record the submitting account's authority",),
        fields=("requesting_authority.country",),
    ),
    Rule(
        "GEN-PERSONS",
        "warning",
        "general",
        ALL,
        N_("No person concerned is named, or a person lacks a role"),
        N_(
            "OIA needs the names of the persons the request concerns, and whether each is a "
            "suspect, accused, witness or victim."
        ),
        N_("Add each person concerned with their role."),
        ("CRM 276",),
        fields=("persons", "persons[].role"),
    ),
    Rule(
        "GEN-URGENCY",
        "blocker",
        "general",
        ALL,
        N_("Urgency is claimed without a reason or a valid date"),
        N_(
            "An urgent request is handled ahead of others only when it says why it is urgent "
            "and by which future date the evidence is needed."
        ),
        N_("Choose the reason for urgency and give the date by which the evidence is needed."),
        ("CRM 276",),
        fields=("urgency.reason", "urgency.date"),
    ),
    Rule(
        "GEN-EMERGENCY",
        "advice",
        "general",
        ALL,
        N_("Emergency: ask the provider directly"),
        N_(
            "When a life is in danger or someone risks serious physical injury, a U.S. provider "
            "may disclose data at once, voluntarily, on an emergency disclosure request sent to "
            "it directly or through the 24/7 Network."
        ),
        N_(
            "Send an emergency disclosure request to the provider now; continue this request "
            "for evidence to be used in court."
        ),
        ("18 U.S.C. 2702(b)(8)", "18 U.S.C. 2702(c)(4)"),
        fields=("urgency.reason",),
    ),
    Rule(
        "GEN-SPEECH",
        "warning",
        "general",
        ALL,
        N_("The offence may concern speech protected in the United States"),
        N_(
            "Offences such as defamation, insult, blasphemy, hate speech or spreading false "
            "news may punish expression that the First Amendment protects. The United States "
            "may refuse assistance for such conduct."
        ),
        N_(
            "Explain the conduct beyond the expression itself (threats, fraud, incitement to "
            "imminent violence), or consider whether assistance can be granted."
        ),
        ("U.S. Const. amend. I", "18 U.S.C. 2523(b)(4)(E)"),
        fields=("offences[].category", "offences[].name"),
    ),
    Rule(
        "GEN-POLITICAL",
        "warning",
        "general",
        ALL,
        N_("The offence is political or military"),
        N_(
            "Most U.S. mutual legal assistance treaties allow the United States to refuse "
            "assistance for political offences and for offences under military law only."
        ),
        N_("Explain why the offence is an ordinary crime, or expect a possible refusal."),
        ("Refusal clauses of U.S. bilateral MLA treaties",),
        fields=("offences[].category",),
    ),
    Rule(
        "GEN-CONFIDENTIAL",
        "advice",
        "general",
        ALL,
        N_("Confidentiality is requested without a reason or without saying from whom"),
        N_(
            "The U.S. can ask a court for a non-disclosure order only when it knows why secrecy "
            "is needed and from whom the request must be kept."
        ),
        N_("Say why confidentiality is needed and from whom (the account holder, the suspect...)."),
        ("18 U.S.C. 2705(b)",),
        fields=("confidentiality.reason", "confidentiality.from_whom"),
    ),
    Rule(
        "GEN-ASSISTANCE",
        "blocker",
        "general",
        ALL,
        N_("No assistance is requested"),
        N_("The request must contain at least one item saying what assistance is sought."),
        N_("Add an item for each kind of assistance you need."),
        ("CRM 276", "OAS model MLA request form"),
        fields=("assistance",),
    ),
    # ---------------------------------------------------------------- electronic
    Rule(
        "ELEC-IDENTIFIER",
        "blocker",
        "electronic",
        ELECTRONIC,
        N_("An identifier is missing or malformed"),
        N_(
            "A provider can only search its records for an exact identifier: a complete e-mail "
            "address, a phone number in international form, a valid IP address, a username "
            "together with its platform, an account ID, a full URL or a domain name."
        ),
        N_("Give each identifier exactly as the provider knows it."),
        ("Provider law-enforcement guidelines", "Council of Europe T-CY templates"),
        fields=("assistance[].identifiers[].value",),
    ),
    Rule(
        "ELEC-IP-TIME",
        "blocker",
        "electronic",
        ELECTRONIC,
        N_("An IP address has no date and time with a time zone"),
        N_(
            "IP addresses are shared and reassigned over time, so a provider can only match one "
            "to a user at a precise moment, with its UTC offset."
        ),
        N_("Give the date and time of use with the UTC offset, e.g. 2024-03-01T14:05:09+01:00."),
        ("Provider law-enforcement guidelines",),
        fields=("assistance[].identifiers[].datetime",),
    ),
    Rule(
        "ELEC-IP-PORT",
        "advice",
        "electronic",
        ELECTRONIC,
        N_("An IPv4 address has no source port"),
        N_(
            "Carrier-grade NAT lets many users share one IPv4 address at the same moment; the "
            "source port is often the only way to tell them apart."
        ),
        N_("Add the source port if your logs have it."),
        ("Provider law-enforcement guidelines",),
        fields=("assistance[].identifiers[].port",),
    ),
    Rule(
        "ELEC-PROVIDER",
        "blocker",
        "electronic",
        ELECTRONIC,
        N_("No provider is named"),
        N_("The request must name the company that holds the data."),
        N_("Name the provider (the company holding the data)."),
        ("Provider law-enforcement guidelines",),
        fields=("assistance[].provider",),
    ),
    Rule(
        "ELEC-PROVIDER-US",
        "warning",
        "electronic",
        ELECTRONIC,
        N_("The provider is not known to hold data in the United States"),
        N_(
            "Mutual legal assistance reaches evidence located in the United States. The "
            "reference data does not show that this provider holds its data there."
        ),
        N_("Check which company and which country hold the data; ask that country if needed."),
        ("18 U.S.C. 3512", "Portal reference data (providers)"),
        fields=("assistance[].provider",),
    ),
    Rule(
        "ELEC-PERIOD",
        "blocker",
        "electronic",
        ("subscriber_info", "non_content", "stored_content"),
        N_("No valid period is given"),
        N_("Providers disclose records for a defined period: a start date and an end date."),
        N_("Give the start and end dates, the end not before the start."),
        ("Provider law-enforcement guidelines",),
        fields=("assistance[].period.start", "assistance[].period.end"),
    ),
    Rule(
        "ELEC-PERIOD-BROAD",
        "warning",
        "electronic",
        ("subscriber_info", "non_content", "stored_content"),
        N_("The period is broader than the facts justify"),
        N_(
            "Overbroad requests are a common reason for return. The period should not exceed "
            "{period_max_days} days nor extend more than {period_beyond_facts_days} days beyond "
            "the dates in the facts."
        ),
        N_("Narrow the period to the dates the facts support, or explain the dates in the facts."),
        ("CRM 281", "Fourth Amendment particularity"),
        settings=("period_max_days", "period_beyond_facts_days"),
        fields=("assistance[].period",),
    ),
    Rule(
        "ELEC-SUBSCRIBER",
        "advice",
        "electronic",
        ("subscriber_info",),
        N_("Subscriber information may be obtained directly from the provider"),
        N_(
            "U.S. law allows providers to give subscriber and other non-content data to foreign "
            "authorities voluntarily. A direct request to the provider is often much faster "
            "than mutual legal assistance."
        ),
        N_("Ask the provider directly first; use this request if it refuses."),
        ("18 U.S.C. 2703(c)(2)", "18 U.S.C. 2702(c)(6)"),
        fields=("assistance[].type",),
    ),
    Rule(
        "ELEC-NONCONTENT-FACTS",
        "blocker",
        "electronic",
        ("non_content",),
        N_("Non-content records need specific and articulable facts"),
        N_(
            "A U.S. court order for records such as logs or headers requires specific facts "
            "showing that the records are relevant to the investigation. The nexus must name the "
            "identifier and be at least {noncontent_nexus_min_words} words long."
        ),
        N_("Explain, naming the account, what facts link it to the offence."),
        ("18 U.S.C. 2703(d)",),
        settings=("noncontent_nexus_min_words",),
        fields=("assistance[].nexus",),
    ),
    Rule(
        "ELEC-CONTENT-PC",
        "blocker",
        "electronic",
        ("stored_content",),
        N_("Stored content needs probable cause"),
        N_(
            "Content of communications is disclosed only on a U.S. search warrant, which needs "
            "probable cause: facts showing that evidence of the crime will be found in this "
            "account. The nexus must name the identifier and be at least "
            "{content_nexus_min_words} words long, and the request must say what evidence is "
            "expected in the account. Belief or relevance alone (\"strong indications\", "
            "\"highly likely\", \"relevant and material\") is not enough: the standard of "
            "relevance (18 U.S.C. 2703(d)) serves for non-content records only."
        ),
        N_(
            "Explain, naming the account, why evidence of the offence is in it: the dated "
            "events and the sources (statements, bank or provider records, seized devices, "
            "witnesses) that tie the account to the offence; and describe the evidence you "
            "expect to find."
        ),
        (
            "18 U.S.C. 2703(a), (b), (d)",
            "Fed. R. Crim. P. 41",
            "Illinois v. Gates, 462 U.S. 213 (1983)",
        ),
        settings=("content_nexus_min_words",),
        fields=("assistance[].nexus", "assistance[].expected_evidence"),
    ),
    Rule(
        "ELEC-CONTENT-RECENT",
        "blocker",
        "electronic",
        ("stored_content",),
        N_("No date of the most recent relevant use of the account"),
        N_(
            "Probable cause must be current: the court needs to know when the account was last "
            "used in connection with the crime."
        ),
        N_("Give the date of the most recent known relevant use of the account."),
        ("Illinois v. Gates, 462 U.S. 213 (1983)", "Fed. R. Crim. P. 41"),
        fields=("assistance[].most_recent_use",),
    ),
    Rule(
        "ELEC-CONTENT-STALE",
        "warning",
        "electronic",
        ("stored_content",),
        N_("The information about the account may be stale"),
        N_(
            "The most recent relevant use is more than {content_stale_days} days old and no "
            "preservation is recorded: a court may find that the evidence is unlikely to still "
            "be there."
        ),
        N_("Record the preservation request sent for this account, or give a more recent use."),
        ("United States v. Seiver, 692 F.3d 774 (7th Cir. 2012)",),
        settings=("content_stale_days",),
        fields=("assistance[].most_recent_use",),
    ),
    Rule(
        "ELEC-CSLI",
        "blocker",
        "electronic",
        ("subscriber_info", "non_content"),
        N_("Historical cell-site location data needs a warrant"),
        N_(
            "Historical cell-site location information can only be obtained with a search "
            "warrant based on probable cause, not with a court order for ordinary records. "
            "This applies whether the location data is asked for with the box or in the words "
            "of the item."
        ),
        N_(
            "Ask for location data in a stored-content item with a probable-cause showing, or "
            "remove it from this item."
        ),
        ("Carpenter v. United States, 585 U.S. 296 (2018)",),
        fields=("assistance[].csli", "assistance[].description", "assistance[].nexus"),
    ),
    Rule(
        "ELEC-INTERCEPT",
        "blocker",
        "electronic",
        ALL,
        N_("Interception of communications is not available through MLA"),
        N_(
            "U.S. wiretap orders can only be issued for listed U.S. offences in U.S. "
            "investigations; the law that lets U.S. courts act for foreign authorities does not "
            "provide for them. This applies to real-time content asked for in the words of any "
            "item, not only to the interception choice."
        ),
        N_(
            "Remove the interception, or ask for stored content or for non-content real-time "
            "collection instead."
        ),
        ("18 U.S.C. 2516", "18 U.S.C. 2518", "18 U.S.C. 3512"),
        fields=("assistance[].real_time_mode", "assistance[].description", "assistance[].nexus"),
    ),
    Rule(
        "ELEC-PEN-DURATION",
        "blocker",
        "electronic",
        ALL,
        N_("Pen register or trap and trace for too long or without a duration"),
        N_(
            "An order for real-time collection of non-content data lasts at most "
            "{pen_register_max_days} days (extensions need a new application), and the request "
            "must say how long the collection should last."
        ),
        N_("Give a duration of {pen_register_max_days} days or fewer."),
        ("18 U.S.C. 3123(c)",),
        settings=("pen_register_max_days",),
        fields=("assistance[].duration_days",),
    ),
    Rule(
        "ELEC-PRESERVE",
        "warning",
        "electronic",
        STORED,
        N_("No preservation is recorded for stored data"),
        N_(
            "Providers keep data for a limited time. A preservation request, sent at once, "
            "keeps it while the mutual legal assistance request is prepared."
        ),
        N_(
            "Send a preservation request to the provider (or through the 24/7 Network) and "
            "record it here."
        ),
        ("18 U.S.C. 2703(f)", "Budapest Convention, Art. 29"),
        fields=("preservation",),
    ),
    Rule(
        "ELEC-PRESERVE-EXPIRY",
        "warning",
        "electronic",
        STORED,
        N_("The preservation may have expired"),
        N_(
            "A preservation lasts {preservation_expiry_days} days and can be extended once for "
            "as long. The most recent one recorded for this account is older than that: the "
            "provider may already have released the data."
        ),
        N_("Ask the provider to extend the preservation (or preserve again) and record it."),
        ("18 U.S.C. 2703(f)(2)",),
        settings=("preservation_expiry_days",),
        fields=("preservation[].date", "preservation[].extension_date"),
    ),
    # ---------------------------------------------------------------- financial
    Rule(
        "FIN-INSTITUTION",
        "blocker",
        "financial",
        ("financial_records",),
        N_("No bank or business is named"),
        N_("The records can only be obtained from a named bank or business."),
        N_("Name the bank or business holding the records."),
        ("OAS model MLA request form",),
        fields=("assistance[].institution",),
    ),
    Rule(
        "FIN-ACCOUNT",
        "blocker",
        "financial",
        ("financial_records",),
        N_("No account number or account holder"),
        N_("The institution needs an account number or the account holder's name to search."),
        N_("Give the account number(s), the holder(s), or both."),
        ("OAS model MLA request form",),
        fields=("assistance[].accounts",),
    ),
    Rule(
        "FIN-DOCUMENTS",
        "warning",
        "financial",
        ("financial_records",),
        N_("The kinds of documents are not listed"),
        N_(
            "A request for 'all records' is too broad. List the documents needed: statements, "
            "signature cards, know-your-customer files, wire transfer records..."
        ),
        N_("Select the kinds of documents you need."),
        ("OAS model MLA request form",),
        fields=("assistance[].document_kinds",),
    ),
    Rule(
        "FIN-PERIOD",
        "blocker",
        "financial",
        ("financial_records",),
        N_("No valid period is given"),
        N_("Records are produced for a defined period: a start date and an end date."),
        N_("Give the start and end dates, the end not before the start."),
        ("OAS model MLA request form",),
        fields=("assistance[].period.start", "assistance[].period.end"),
    ),
    Rule(
        "FIN-PERIOD-BROAD",
        "warning",
        "financial",
        ("financial_records",),
        N_("The period extends far beyond the facts"),
        N_(
            "The period extends more than {fin_period_beyond_facts_days} days beyond the dates "
            "mentioned in the facts, which makes the request look like a fishing expedition."
        ),
        N_("Narrow the period, or explain in the facts why the earlier or later records matter."),
        ("CRM 281",),
        settings=("fin_period_beyond_facts_days",),
        fields=("assistance[].period",),
    ),
    Rule(
        "FIN-CERTIFICATE",
        "advice",
        "financial",
        ("financial_records",),
        N_("Ask for a business-records certificate"),
        N_(
            "Records certified by their custodian under U.S. law can be admitted in your courts "
            "without a live witness."
        ),
        N_("Ask for the records to be certified (certificate of authenticity)."),
        ("18 U.S.C. 3505",),
        fields=("assistance[].certificate_requested",),
    ),
    # ---------------------------------------------------------------- witness
    Rule(
        "WIT-IDENTITY",
        "blocker",
        "witness",
        ("witness",),
        N_("The witness's name or U.S. location is missing"),
        N_("The witness must be identified and located (city and state) to be contacted."),
        N_("Give the witness's full name, city and state."),
        ("CRM 276", "OAS model MLA request form"),
        fields=("assistance[].witness_name", "assistance[].city", "assistance[].state"),
    ),
    Rule(
        "WIT-QUESTIONS",
        "blocker",
        "witness",
        ("witness",),
        N_("No questions for the witness"),
        N_("The U.S. official who takes the statement needs the questions to ask."),
        N_("List the questions, or attach them and name the attachment."),
        ("OAS model MLA request form",),
        fields=("assistance[].questions", "assistance[].questions_attachment"),
    ),
    Rule(
        "WIT-COMPULSION",
        "advice",
        "witness",
        ("witness",),
        N_("Compelled testimony: what to expect"),
        N_(
            "A witness who must be compelled testifies before a commissioner or a U.S. court and "
            "keeps the privileges of U.S. law, including the right not to incriminate oneself."
        ),
        N_("Plan for the time a court procedure takes, and prepare for privileges being invoked."),
        ("28 U.S.C. 1782", "18 U.S.C. 3512"),
        fields=("assistance[].compelled",),
    ),
    Rule(
        "WIT-FOREIGN-OFFICIALS",
        "blocker",
        "witness",
        ("witness",),
        N_("The foreign officials who will attend are not named"),
        N_("Officials of your country may attend only if they are identified in advance."),
        N_("Give the name and role of each official who will attend or take part."),
        ("CRM 276",),
        fields=("assistance[].foreign_officials",),
    ),
    # ---------------------------------------------------------------- search
    Rule(
        "SRCH-THRESHOLD",
        "blocker",
        "search",
        ("search_seizure",),
        N_("A search needs conduct punishable by more than one year in the U.S."),
        N_(
            "A U.S. search warrant for a foreign request may only be issued for conduct that "
            "would be punishable by more than one year of imprisonment under U.S. law. When the "
            "maximum penalty in your country is {search_threshold_months} months or less, the "
            "request must explain why U.S. law would punish the same conduct more severely."
        ),
        N_(
            "Explain, for this offence, which U.S. federal or state law punishes the conduct by "
            "more than one year."
        ),
        ("18 U.S.C. 3512(e)",),
        settings=("search_threshold_months",),
        fields=("offences[].max_penalty_months", "offences[].us_equivalent_explanation"),
    ),
    Rule(
        "SRCH-PLACE",
        "blocker",
        "search",
        ("search_seizure",),
        N_("The place or the items to seize are not described, or the location is missing"),
        N_(
            "A warrant must describe particularly the place to be searched and the things to be "
            "seized, and the U.S. court must know where the place is."
        ),
        N_("Describe the place and the items precisely, and give the city and state."),
        ("U.S. Const. amend. IV (particularity)", "Fed. R. Crim. P. 41"),
        fields=("assistance[].place", "assistance[].items", "assistance[].city"),
    ),
    Rule(
        "SRCH-PC",
        "blocker",
        "search",
        ("search_seizure",),
        N_("The request does not show probable cause for the search"),
        N_(
            "The facts must show a fair probability that evidence of the crime will be found at "
            "this place: the nexus must name the place and be at least "
            "{search_nexus_min_words} words long."
        ),
        N_("Explain, naming the place, why the evidence is there now."),
        ("Illinois v. Gates, 462 U.S. 213 (1983)", "Fed. R. Crim. P. 41"),
        settings=("search_nexus_min_words",),
        fields=("assistance[].nexus",),
    ),
    # ---------------------------------------------------------------- service
    Rule(
        "SRV-DOCUMENTS",
        "blocker",
        "service",
        ("service_of_documents",),
        N_("The documents to serve or the recipient's address are missing"),
        N_("Service needs the documents themselves and the recipient's name and U.S. address."),
        N_("Attach the documents, list them in the item, and give the name and full address."),
        ("CRM 276",),
        fields=(
            "assistance[].documents_to_serve",
            "assistance[].recipient",
            "assistance[].address",
        ),
    ),
    Rule(
        "SRV-SUMMONS",
        "advice",
        "service",
        ("service_of_documents",),
        N_("A summons can be served but appearance cannot be compelled"),
        N_(
            "The United States can serve a summons to appear abroad, but cannot force the "
            "person to travel and appear."
        ),
        N_("Consider testimony in the U.S. or by video link instead."),
        ("CRM 276",),
        fields=("assistance[].summons",),
    ),
    # ---------------------------------------------------------------- assets
    Rule(
        "AST-PROPERTY",
        "blocker",
        "assets",
        ("assets",),
        N_("The property, its U.S. location or its value is missing"),
        N_(
            "To restrain or forfeit property, the U.S. court must know what it is, where it is in "
            "the United States and roughly what it is worth."
        ),
        N_("Describe the property, give its location (city and state) and its estimated value."),
        ("28 U.S.C. 2467",),
        fields=("assistance[].property", "assistance[].state", "assistance[].estimated_value"),
    ),
    Rule(
        "AST-JUDGMENT",
        "blocker",
        "assets",
        ("assets",),
        N_("Enforcing a judgment needs a certified copy and a notice statement"),
        N_(
            "A foreign forfeiture or confiscation judgment is enforced only with a certified "
            "copy of it and a statement that the defendant had notice and a chance to be heard."
        ),
        N_(
            "Attach the certified copy of the judgment, name it in the item, and add the notice "
            "statement."
        ),
        ("28 U.S.C. 2467(b)",),
        fields=("assistance[].judgment_attachment", "assistance[].notice_statement"),
    ),
    Rule(
        "AST-RESTRAINT",
        "warning",
        "assets",
        ("assets",),
        N_("Restraint before judgment lacks supporting facts"),
        N_(
            "To restrain property before a judgment, the court needs facts giving a reasonable "
            "basis to believe the property will be subject to a forfeiture judgment."
        ),
        N_("Explain why this property is likely to be forfeited (its link to the crime)."),
        ("28 U.S.C. 2467(d)(3)", "18 U.S.C. 983(j)"),
        fields=("assistance[].restraint_facts",),
    ),
    # ---------------------------------------------------------------- triage (computed later)
    Rule(
        "TRI-DUPLICATE",
        "warning",
        "triage",
        ALL,
        N_("Another open request concerns the same identifier, account or person"),
        N_(
            "An identifier, account or person of this request appears in another request that "
            "is not closed, possibly from another country. Execution must be coordinated."
        ),
        N_("Coordinate with the attorney handling the other request before executing."),
        ("OIA triage practice",),
        fields=("assistance[].identifiers", "persons"),
        computed_by="triage",
    ),
    Rule(
        "TRI-RESUBMIT-UNCHANGED",
        "warning",
        "triage",
        ALL,
        N_("Resubmitted without changing what the return named"),
        N_(
            "This request was returned for deficiencies in certain fields and was resubmitted "
            "without any change to them."
        ),
        N_("Change the fields named in the return, or explain why no change is needed."),
        ("OIA triage practice",),
        computed_by="triage",
    ),
)

RULES_BY_CODE: Mapping[str, Rule] = {rule.code: rule for rule in RULES}
RULE_ORDER: Mapping[str, int] = {rule.code: index for index, rule in enumerate(RULES)}


def get_rule(code: str) -> Rule | None:
    return RULES_BY_CODE.get(code)


def engine_rules() -> tuple[Rule, ...]:
    return tuple(rule for rule in RULES if rule.computed_by == "engine")
