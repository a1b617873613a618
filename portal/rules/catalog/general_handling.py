"""The general family, second part: English, required answers, the letter, dates, persons,
urgency, grounds for refusal, confidentiality and the items."""

from __future__ import annotations

from portal.i18n_core import N_
from portal.rules.catalog.rule import ALL, Rule

RULES: tuple[Rule, ...] = (
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
)
