"""Forms of the triage workspace and the translated labels of its actions."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional

from portal.triage.operations import DECLINE_REASONS, Action, IllegalTransition
from portal.web.select_widget import FastSelect, FastSelectField

NOTE_MAX = 10_000

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


def refusal_message(exc: IllegalTransition) -> str:
    action = ACTION_LABELS.get(exc.action, exc.action)
    status = STATUS_LABELS.get(exc.status, exc.status)
    if exc.manager_only:
        return str(_("Only an OIA manager can do this: %(action)s.", action=action))
    return str(_("“%(action)s” is not possible while the request is “%(status)s”.",
             action=action, status=status))


def decline_choices() -> list[tuple[str, str]]:
    return [(code, _(label)) for code, label in DECLINE_REASONS.items()]


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class TriageForm(FlaskForm):  # type: ignore[misc]
    """A form of the package page, whose controls' ids start with ``id_prefix``
    (``"refer"``: ``refer-note``, ``refer-csrf_token``). Several forms on that page post a field
    of the same name (``note``); the names stay, each control gets an id of its own, so each
    label, hint and error message points at its own control."""

    def __init__(self, *args: Any, id_prefix: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if id_prefix:
            for f in self:
                f.id = f"{id_prefix}-{f.short_name}"
                f.label.field_id = f.id


class NoteForm(TriageForm):
    """An action with OIA's two kinds of text: what the requester reads, and what stays in OIA
    (the internal actions, open and start execution, render only the internal note)."""

    message = TextAreaField(
        _l("Message to the requester"),
        description=_l("Shown to the requesting authority as written, on a page in their "
                       "language."),
        validators=[Optional(), Length(max=NOTE_MAX)])
    note = TextAreaField(_l("Internal note (OIA only)"),
                         description=_l("Never shown to the requesting authority."),
                         validators=[Optional(), Length(max=NOTE_MAX)])


class AssignForm(TriageForm):
    # (FastSelect: the same HTML as WTForms' select, without its per-option work)
    assignee = FastSelectField(_l("Attorney"),
                               validators=[DataRequired(_l("Choose an attorney."))],
                               widget=FastSelect())
    note = TextAreaField(_l("Why (for OIA only)"), validators=[Optional(), Length(max=NOTE_MAX)])


class ReturnForm(TriageForm):
    findings = MultiCheckboxField(_l("Findings to return"), validate_choice=True,
                                  description=_l("The requester sees each finding explained "
                                                 "in their language."))
    notes = TextAreaField(_l("Notes to the requester"), validators=[Optional(),
                                                                    Length(max=NOTE_MAX)])

    def validate(self, extra_validators: Any = None) -> bool:
        ok = bool(super().validate(extra_validators))
        if ok and not self.findings.data and not (self.notes.data or "").strip():
            self.findings.errors.append(_("Choose at least one finding or write a note."))
            return False
        return ok


class ReferForm(TriageForm):
    district = FastSelectField(_l("U.S. Attorney's Office (district)"),
                               validators=[DataRequired(_l("Choose a district."))],
                               widget=FastSelect())  # ninety-odd districts
    due = DateField(_l("Due date"), validators=[DataRequired(_l("Give a due date."))])
    note = TextAreaField(_l("Note (for OIA only)"), validators=[Optional(), Length(max=NOTE_MAX)])


class DeclineForm(TriageForm):
    reason = RadioField(_l("Reason"), validators=[DataRequired(_l("Choose a reason."))])
    text = TextAreaField(_l("Explanation to the requester"),
                         validators=[Optional(), Length(max=NOTE_MAX)])

    def validate(self, extra_validators: Any = None) -> bool:
        ok = bool(super().validate(extra_validators))
        if ok and self.reason.data == "other" and not (self.text.data or "").strip():
            self.text.errors.append(_("Explain the reason."))
            return False
        return ok


class ReopenForm(TriageForm):
    note = TextAreaField(_l("Why the request is reopened"), validators=[
        DataRequired(_l("Say why the request is reopened.")), Length(max=NOTE_MAX)])


class ReplyForm(TriageForm):
    body = TextAreaField(_l("Your message to the requesting authority"), validators=[
        DataRequired(_l("Write your message.")), Length(max=NOTE_MAX)])


class PortfolioForm(FlaskForm):  # type: ignore[misc]
    countries = StringField(_l("Countries"), description=_l(
        "Two-letter country codes separated by commas; * for every country."),
        validators=[Optional(), Length(max=2000)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the portfolios page renders this form's hidden token once per attorney: without an
        # id (the widget leaves out an attribute whose value is False), not one id many times
        self.csrf_token.id = False
