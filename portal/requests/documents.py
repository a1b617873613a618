"""The documents a draft needs, for the documents block of its page (RULES.md, version 2):
the signed letter always, its English translation when the letter is not in English, the
certified judgment for enforcing a confiscation judgment, the documents to serve for service."""

from __future__ import annotations

from dataclasses import dataclass

from portal.contract.model import Request
from portal.requests.labels import choice_label
from portal.translation import gettext as _


@dataclass(frozen=True)
class NeededDocument:
    label: str
    attached: bool


def _english(language: str) -> bool:
    return language.strip().casefold().split("-")[0] == "en"


def needed_documents(content: Request) -> list[NeededDocument]:
    attachments = content.attachments
    letters = [a for a in attachments if a.document_kind == "request_letter"]
    out = [NeededDocument(_("The signed letter of request (type: %(kind)s)",
                            kind=choice_label("request_letter")), bool(letters))]
    if any(a.language.strip() and not _english(a.language) for a in letters):
        translated = any(a.document_kind == "translation" and _english(a.language)
                         for a in attachments)
        out.append(NeededDocument(
            _("Its English translation (type: %(kind)s; language: English)",
              kind=choice_label("translation")), translated))
    names = {a.filename for a in attachments}
    for item in content.assistance:
        if item.type == "assets" and item.action == "enforcement":
            out.append(NeededDocument(
                _("The certified copy of the confiscation judgment (type: %(kind)s)",
                  kind=choice_label("judgment")),
                any(a.document_kind == "judgment" for a in attachments)))
        if item.type == "service_of_documents":
            out.append(NeededDocument(
                _("The documents to serve (type: %(kind)s), named in the item",
                  kind=choice_label("document_to_serve")),
                bool(item.documents_to_serve) and set(item.documents_to_serve) <= names))
    return out
