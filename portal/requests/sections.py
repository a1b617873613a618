"""The sections of the request, in the order of PRODUCT.md, and where each field lives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from portal.contract.model import Request
from portal.translation import lazy_gettext as _l


@dataclass(frozen=True)
class Section:
    slug: str
    title: Any  # a lazy translated string
    parts: tuple[str, ...]  # top-level fields of the request contract edited on this page


SECTIONS: tuple[Section, ...] = (
    Section("authority", _l("Requesting authority"), ("requesting_authority",)),
    Section("legal-basis", _l("Legal basis"), ("legal_basis",)),
    Section("proceedings", _l("Proceedings and persons"), ("proceedings", "persons")),
    Section("offences", _l("Offences"), ("offences",)),
    Section("facts", _l("Facts"), ("facts",)),
    Section("assistance", _l("Assistance requested"), ("assistance",)),
    Section("preservation", _l("Preservation and urgency"),
            ("preservation", "urgency", "confidentiality")),
    Section("procedures", _l("Procedures and attachments"), ("special_procedures",)),
)
BY_SLUG = {section.slug: section for section in SECTIONS}
_PART_TO_SECTION = {part: section for section in SECTIONS for part in section.parts}
_PART_TO_SECTION["attachments"] = BY_SLUG["procedures"]


def section_of_path(path: str) -> Section | None:
    """The section that holds a finding's path, e.g. ``assistance[2].identifiers[0]``."""
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    return _PART_TO_SECTION.get(head)


def anchor_of_path(path: str) -> str:
    """The HTML id of the field group a path points at (``assistance-2-identifiers-0``)."""
    return "f-" + re.sub(r"\[(\d+)\]", r"-\1", path).replace(".", "-")


def started_sections(content: Request) -> dict[str, str]:
    """The progress of a draft made from a whole document (an import): every section it
    answers counts as started, so that its findings show at once."""
    empty = Request()
    return {section.slug: "started" for section in SECTIONS
            if any(getattr(content, part) != getattr(empty, part) for part in section.parts)}
