"""The witness family (WIT-*): testimony and statements of witnesses."""

from __future__ import annotations

from portal.i18n_core import N_
from portal.rules.catalog.rule import Rule

RULES: tuple[Rule, ...] = (
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
)
