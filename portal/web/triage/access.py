"""What every triage view needs: the request loaded with its access check, and the audit
record of what OIA staff saw or exported."""

from __future__ import annotations

from flask import abort

from portal.audit.log import record
from portal.requests import drafts
from portal.requests.models import MlaRequest
from portal.web.access import require_user
from portal.web.context import client_ip, db


def load_request(public_id: str, *, audit: bool = True) -> MlaRequest:
    """The request the user may see (404 otherwise); ``audit``: record that it was viewed."""
    try:
        return drafts.get_request(db(), require_user(), public_id, ip=client_ip(),
                                  audit_view=audit)
    except drafts.NotFound:
        abort(404)


def audit(action: str, object_id: str = "", **details: object) -> None:
    """Record ``action`` by the user (on a request when ``object_id`` is its public id)."""
    user = require_user()
    record(db(), action, actor_id=user.id, actor=user.email, ip=client_ip(),
           object_type="request" if object_id else "triage", object_id=object_id,
           details=details)
