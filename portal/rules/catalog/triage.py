"""The triage family (TRI-*): computed by OIA's triage, not by the engine."""

from __future__ import annotations

from portal.i18n_core import N_
from portal.rules.catalog.rule import ALL, Rule

RULES: tuple[Rule, ...] = (
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
