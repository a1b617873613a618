"""The assets family (AST-*): restraint, seizure and forfeiture of property."""

from __future__ import annotations

from portal.i18n_core import N_
from portal.rules.catalog.rule import Rule

RULES: tuple[Rule, ...] = (
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
)
