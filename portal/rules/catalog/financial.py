"""The financial family (FIN-*): bank and business records."""

from __future__ import annotations

from portal.i18n_core import N_
from portal.rules.catalog.rule import Rule

RULES: tuple[Rule, ...] = (
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
)
