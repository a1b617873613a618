"""What every view of a request needs: the request loaded with its access check, its findings
in the user's language, and the revision a form sent."""

from __future__ import annotations

from flask import abort

from portal.requests import checks, drafts
from portal.requests.models import MlaRequest
from portal.web.access import require_user
from portal.web.context import client_ip, db
from portal.web.i18n import current_locale_code

#: Revisions are 32-bit integers in the database: a posted number past that is refused as a
#: stale page (a conflict), not sent to PostgreSQL (which would fail with "out of range").
MAX_REVISION = 2**31 - 1


def load_visible(public_id: str, *, audit: bool = True) -> MlaRequest:
    """The request if the user may see it (a view is audited, in the request's transaction),
    else 404."""
    try:
        return drafts.get_request(db(), require_user(), public_id, ip=client_ip(),
                                  audit_view=audit)
    except drafts.NotFound:
        abort(404)


def findings_of(req: MlaRequest) -> list[checks.ShownFinding]:
    """The draft's findings in the user's language."""
    return checks.findings_of(req, current_locale_code())


def posted_revision(text: str | None, missing: int) -> int:
    """The revision a form sent; ``missing`` when it sent none that reads as a number, and -1
    (a stale page) when it is beyond what a revision can be."""
    try:
        revision = int(text or "")
    except ValueError:
        return missing
    return revision if 0 <= revision < MAX_REVISION else -1
