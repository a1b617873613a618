"""Freezing, seizure and forfeiture of assets."""

from __future__ import annotations

from collections.abc import Iterator

from portal.rules.base import Finding, Subject, check
from portal.rules.witness import attached

AST = "assets"


@check("AST-PROPERTY")
def property_(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(AST):
        if item.property.is_empty():
            yield s.finding("AST-PROPERTY", f"assistance[{i}].property", missing="property")
        elif not item.state.strip() or not (item.city.strip() or item.location.strip()):
            field = "state" if not item.state.strip() else "city"
            yield s.finding("AST-PROPERTY", f"assistance[{i}].{field}", missing="location")
        elif item.estimated_value.amount is None:
            yield s.finding(
                "AST-PROPERTY", f"assistance[{i}].estimated_value.amount", missing="value"
            )


@check("AST-JUDGMENT")
def judgment(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(AST):
        if item.action != "enforcement":
            continue
        if not attached(s, item.judgment_attachment):
            yield s.finding("AST-JUDGMENT", f"assistance[{i}].judgment_attachment")
        elif item.notice_statement.is_empty():
            yield s.finding("AST-JUDGMENT", f"assistance[{i}].notice_statement")


@check("AST-RESTRAINT")
def restraint(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(AST):
        if item.action == "restraint" and item.restraint_facts.is_empty():
            yield s.finding("AST-RESTRAINT", f"assistance[{i}].restraint_facts")
