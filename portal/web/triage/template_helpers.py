"""Template globals of the triage pages, also used by the submitter's request page (the
return being answered) and by the triage macros (labels of statuses, events, types)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portal.requests.models import MlaRequest, Status, version_label
from portal.triage import returns
from portal.web.context import db
from portal.web.i18n import current_locale_code
from portal.web.triage.labels import event_label, reason_label, status_label, type_label


def latest_return(req: MlaRequest) -> returns.ReturnView | None:
    """The return the submitter is answering (only while the request is returned)."""
    if req.status != Status.RETURNED.value:
        return None
    return returns.latest_return(db(), req, current_locale_code())


#: The globals by their name in the templates.
TEMPLATE_GLOBALS: dict[str, Callable[..., Any]] = {
    "triage_latest_return": latest_return,
    "triage_status_label": status_label,
    "triage_event_label": event_label,
    "triage_type_label": type_label,
    "triage_reason_label": reason_label,
    "triage_version_label": lambda v: version_label(v.number, v.minor),
}
