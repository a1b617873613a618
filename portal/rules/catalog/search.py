"""The search family (SRCH-*): search and seizure."""

from __future__ import annotations

from portal.i18n_core import N_
from portal.rules.catalog.rule import Rule

RULES: tuple[Rule, ...] = (
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
)
