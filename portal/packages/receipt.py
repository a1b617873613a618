"""The submitter's receipt of their latest submitted version (submitters download the receipt,
never the package). The caller checks that the user may see ``request``."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import Authority, User
from portal.contract.model import Request
from portal.i18n_core import get_translations
from portal.pdf import AttachmentInfo, render_receipt_pdf
from portal.requests.models import MlaRequest, RequestVersion
from portal.requests.sections import SECTIONS


class NotSubmitted(LookupError):
    """The request has no submitted version yet."""


def _msgid(title: object) -> str:
    """The English source of a section title (a lazy string of flask-babel, or a string)."""
    args = getattr(title, "_args", None)
    if isinstance(args, tuple) and args and isinstance(args[0], str):
        return args[0]
    return str(title)


def receipt_pdf(db: Session, request: MlaRequest, locale: str) -> bytes:
    """The receipt of the latest submitted version, in ``locale`` (times shown in the
    requesting authority's contact time zone when given, else UTC)."""
    version = db.scalar(select(RequestVersion).where(RequestVersion.request_id == request.id)
                        .order_by(RequestVersion.number.desc(), RequestVersion.minor.desc())
                        .limit(1))
    if version is None:
        raise NotSubmitted(request.public_id)
    content = Request.from_dict(json.loads(version.content_json or "{}"))
    authority = db.get(Authority, request.authority_id)
    submitter = db.get(User, version.submitted_by_id) if version.submitted_by_id else None
    gettext = get_translations(locale).gettext
    return render_receipt_pdf(
        locale=locale,
        reference=content.reference or request.reference or "",
        submitted_at=version.submitted_at,
        authority_name=content.requesting_authority.name or (authority.name if authority
                                                             else ""),
        submitter_name=submitter.name if submitter else "",
        sections=[gettext(_msgid(section.title)) for section in SECTIONS],
        attachments=[AttachmentInfo(a.filename, a.document_kind, a.sha256, a.size, a.pages)
                     for a in content.attachments],
        training=request.training,
        time_zone=content.requesting_authority.contact.time_zone or "UTC",
    )
