"""The electronic family (ELEC-*): identifiers, providers, periods, content, location data,
interception and preservation."""

from __future__ import annotations

from portal.i18n_core import N_
from portal.rules.catalog.rule import ALL, ELECTRONIC, STORED, Rule

RULES: tuple[Rule, ...] = (
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
)
