"""The general family, first part: who asks, on what legal basis, for which offence, on
which facts."""

from __future__ import annotations

from portal.i18n_core import N_
from portal.rules.catalog.rule import ALL, ELECTRONIC, Rule

RULES: tuple[Rule, ...] = (
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
)
