"""Witness statements and testimony."""

from __future__ import annotations

from collections.abc import Iterator

from portal.rules.base import Finding, Subject, check

WIT = "witness"


def attached(s: Subject, filename: str, kind: str | None = None) -> bool:
    """Whether an attachment of that filename (and, if given, that kind) is listed."""
    wanted = filename.strip()
    if not wanted:
        return False
    return any(
        a.filename.strip() == wanted and (kind is None or a.document_kind in (kind, ""))
        for a in s.request.attachments
    )


@check("WIT-IDENTITY")
def identity(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(WIT):
        for name in ("witness_name", "city", "state"):
            if not str(getattr(item, name)).strip():
                yield s.finding("WIT-IDENTITY", f"assistance[{i}].{name}", missing=name)
                break


@check("WIT-QUESTIONS")
def questions(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(WIT):
        if item.questions.is_empty() and not attached(s, item.questions_attachment):
            yield s.finding("WIT-QUESTIONS", f"assistance[{i}].questions")


@check("WIT-COMPULSION")
def compulsion(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(WIT):
        if item.compelled:
            yield s.finding("WIT-COMPULSION", f"assistance[{i}].compelled")


@check("WIT-FOREIGN-OFFICIALS")
def foreign_officials(s: Subject) -> Iterator[Finding]:
    for i, item in s.items(WIT):
        if not item.foreign_officials_attend:
            continue
        if not item.foreign_officials:
            yield s.finding("WIT-FOREIGN-OFFICIALS", f"assistance[{i}].foreign_officials")
            continue
        for j, official in enumerate(item.foreign_officials):
            if not official.name.strip() or not official.role.strip():
                yield s.finding("WIT-FOREIGN-OFFICIALS", f"assistance[{i}].foreign_officials[{j}]")
