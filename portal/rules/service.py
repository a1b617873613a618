"""Service of documents."""

from __future__ import annotations

from collections.abc import Iterator

from portal.rules.base import Finding, Subject, check
from portal.rules.witness import attached

SRV = "service_of_documents"


@check("SRV-DOCUMENTS")
def documents(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(SRV):
        if not any(attached(s, name) for name in item.documents_to_serve):
            yield s.finding(
                "SRV-DOCUMENTS", f"assistance[{i}].documents_to_serve", missing="documents"
            )
            continue
        for name in ("recipient", "address", "city", "state"):
            if not str(getattr(item, name)).strip():
                yield s.finding("SRV-DOCUMENTS", f"assistance[{i}].{name}", missing=name)
                break


@check("SRV-SUMMONS")
def summons(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(SRV):
        if item.summons:
            yield s.finding("SRV-SUMMONS", f"assistance[{i}].summons")
