"""The service family (SRV-*): service of documents and summonses."""

from __future__ import annotations

from portal.i18n_core import N_
from portal.rules.catalog.rule import Rule

RULES: tuple[Rule, ...] = (
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
)
