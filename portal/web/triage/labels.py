"""Translated labels of the triage pages: actions, statuses, timeline events, decline reasons,
and the options of the queue's filters."""

from __future__ import annotations

from typing import Any

from portal.contract.model import ASSISTANCE_TYPES
from portal.requests.labels import choice_label
from portal.requests.models import Status
from portal.translation import gettext as _
from portal.translation import lazy_gettext as _l
from portal.translation import ngettext
from portal.triage import targets
from portal.triage.operations import DECLINE_REASONS, Action, IllegalTransition
from portal.triage.target_clock import Standing

ACTION_LABELS: dict[str, Any] = {
    Action.OPEN: _l("Open for triage"),
    Action.ASSIGN: _l("Assign"),
    Action.RETURN: _l("Return for deficiency"),
    Action.ACCEPT: _l("Accept"),
    Action.DECLINE: _l("Decline"),
    Action.REFER: _l("Refer to a U.S. Attorney's Office"),
    Action.EXECUTE: _l("Start execution"),
    Action.COMPLETE: _l("Complete"),
    Action.REOPEN: _l("Reopen"),
}

STATUS_LABELS: dict[str, Any] = {
    "draft": _l("Draft"), "submitted": _l("Submitted"), "in_triage": _l("In triage"),
    "returned": _l("Returned for changes"), "accepted": _l("Accepted"),
    "assigned": _l("Assigned"), "referred": _l("Referred to a U.S. Attorney's Office"),
    "in_execution": _l("Being executed"), "completed": _l("Completed"),
    "declined": _l("Declined"), "withdrawn": _l("Withdrawn"),
}

EVENT_LABELS: dict[str, Any] = {
    "created": _l("Draft started"), "submitted": _l("Submitted to OIA"),
    "resubmitted": _l("Submitted again after changes"), "opened": _l("Opened for triage"),
    "assigned": _l("Assigned to an attorney"), "reassigned": _l("Reassigned"),
    "returned": _l("Returned for changes"), "accepted": _l("Accepted by OIA"),
    "referred": _l("Referred to a U.S. Attorney's Office"), "in_execution": _l("Being executed"),
    "completed": _l("Completed"), "declined": _l("Declined"), "withdrawn": _l("Withdrawn"),
    "reopened": _l("Reopened"),
}


def status_label(status: str) -> Any:
    return STATUS_LABELS.get(status, status)


def event_label(kind: str) -> Any:
    return EVENT_LABELS.get(kind, kind)


TARGET_LABELS: dict[str, Any] = {
    targets.FIRST_ACTION: _l("First action"), targets.DECISION: _l("Decision"),
}


def target_label(kind: str) -> Any:
    return TARGET_LABELS.get(kind, kind)


def standing_text(standing: Standing) -> str:
    """"due in 3 working days", "due today", "overdue by 2 working days"."""
    if standing.overdue:
        return ngettext("overdue by %(num)d working day", "overdue by %(num)d working days",
                        standing.days)
    if standing.days == 0:
        return _("due today")
    return ngettext("due in %(num)d working day", "due in %(num)d working days", standing.days)


def reason_label(code: str) -> str:
    """A decline reason in the page's language (an unknown code as it is)."""
    return _(DECLINE_REASONS[code]) if code in DECLINE_REASONS else code


def type_label(kind: str) -> Any:
    return choice_label(kind, "type")


def refusal_message(exc: IllegalTransition) -> str:
    """Why an action was refused, in the page's language."""
    action = ACTION_LABELS.get(exc.action, exc.action)
    status = status_label(exc.status)
    if exc.manager_only:
        return str(_("Only an OIA manager can do this: %(action)s.", action=action))
    return str(_("“%(action)s” is not possible while the request is “%(status)s”.",
             action=action, status=status))


def decline_choices() -> list[tuple[str, str]]:
    return [(code, _(label)) for code, label in DECLINE_REASONS.items()]


def status_options() -> list[tuple[str, str]]:
    """The queue's status filter: every status but draft."""
    return [(s.value, str(status_label(s.value))) for s in Status if s is not Status.DRAFT]


def target_filter_options() -> list[tuple[str, str]]:
    """The queue's service-target filter."""
    return [("overdue", _("A service target is overdue")),
            ("soon", ngettext("A service target is due within %(num)d working day",
                              "A service target is due within %(num)d working days",
                              targets.SOON_DAYS))]


def type_options() -> list[tuple[str, str]]:
    return [(t, str(type_label(t))) for t in ASSISTANCE_TYPES]
