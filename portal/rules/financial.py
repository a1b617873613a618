"""Financial and business records."""

from __future__ import annotations

from collections.abc import Iterator

from portal.rules.base import Finding, Subject, check
from portal.rules.electronic import beyond_facts, period_problem

FIN = "financial_records"


@check("FIN-INSTITUTION")
def institution(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(FIN):
        if not item.institution.strip():
            yield s.finding("FIN-INSTITUTION", f"assistance[{i}].institution")


@check("FIN-ACCOUNT")
def account(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(FIN):
        if not any(a.number.strip() or a.holder.strip() for a in item.accounts):
            yield s.finding("FIN-ACCOUNT", f"assistance[{i}].accounts")


@check("FIN-DOCUMENTS")
def documents(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(FIN):
        if not any(kind.strip() for kind in item.document_kinds):
            yield s.finding("FIN-DOCUMENTS", f"assistance[{i}].document_kinds")


@check("FIN-PERIOD")
def period(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(FIN):
        problem = period_problem(item.period)
        if problem:
            yield s.finding(
                "FIN-PERIOD", f"assistance[{i}].period.{problem[0]}", problem=problem[1]
            )


@check("FIN-PERIOD-BROAD")
def period_broad(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(FIN):
        excess = beyond_facts(s, item, s.settings.fin_period_beyond_facts_days)
        if excess:
            yield s.finding("FIN-PERIOD-BROAD", f"assistance[{i}].period", beyond=excess)


@check("FIN-CERTIFICATE")
def certificate(s: Subject) -> Iterator[Finding]:
    if s.request.special_procedures.certificate_of_authenticity:
        return
    for i, item in s.items(FIN):
        if not item.certificate_requested:
            yield s.finding("FIN-CERTIFICATE", f"assistance[{i}].certificate_requested")
