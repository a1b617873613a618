"""Completeness and provenance (RULES.md, version 2): every field the request needs is filled,
the signed letter of request is attached (in English or with its English translation), and
the request names an authority of the submitting account's country."""

from __future__ import annotations

from collections.abc import Iterator

from portal.rules.base import Finding, Subject, check
from portal.rules.required import REQUIRED, is_blank, values_at

LETTER = "request_letter"
TRANSLATION = "translation"


def _english(language: str) -> bool:
    return language.strip().casefold().split("-")[0] == "en"


@check("GEN-REQUIRED")
def required(s: Subject) -> Iterator[Finding]:
    for spec in REQUIRED:
        if spec.covered_by:
            continue
        for path, value in values_at(s.request, spec):
            if is_blank(value):
                yield s.finding("GEN-REQUIRED", path, field=spec.path)


@check("GEN-LETTER")
def letter(s: Subject) -> Iterator[Finding]:
    if not any(a.document_kind == LETTER for a in s.request.attachments):
        yield s.finding("GEN-LETTER", "attachments")


@check("GEN-LETTER-ENGLISH")
def letter_english(s: Subject) -> Iterator[Finding]:
    attachments = s.request.attachments
    translated = any(a.document_kind == TRANSLATION and _english(a.language)
                     for a in attachments)
    for i, attachment in enumerate(attachments):
        language = attachment.language.strip()
        if attachment.document_kind != LETTER or not language or _english(language):
            continue  # a letter without a language is GEN-REQUIRED's
        if not translated:
            yield s.finding("GEN-LETTER-ENGLISH", f"attachments[{i}].language",
                            language=language, filename=attachment.filename)


@check("GEN-ACCOUNT-COUNTRY")
def account_country(s: Subject) -> Iterator[Finding]:
    account = (s.context.account_country or "").strip().upper()
    named = s.request.requesting_authority.country.strip().upper()
    if account and named and named != account:
        yield s.finding("GEN-ACCOUNT-COUNTRY", "requesting_authority.country",
                        country=named, account_country=account)
