"""Forms of the triage pages: one per action of the package page, the reply, the portfolio."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.contract.vocabulary import ATTACHMENT_KINDS
from portal.notify.preferences import DIGEST, IMMEDIATE, KINDS, OFF, Preference
from portal.requests.labels import choice_label
from portal.retention.hold import REASON_MAX
from portal.translation import gettext as _
from portal.translation import lazy_gettext as _l
from portal.triage.actions import Answers
from portal.triage.operations import Action
from portal.web.forms import PortalForm

NOTE_MAX = 10_000


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class TriageForm(PortalForm):
    """A form of the package page whose controls' ids start with ``id_prefix`` (several forms
    post a field of the same name, ``note``; each control gets an id of its own)."""

    def __init__(self, *args: Any, id_prefix: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if id_prefix:
            for f in self:
                f.id = f"{id_prefix}-{f.short_name}"
                f.label.field_id = f.id

    def answers(self) -> Answers:
        """The answers the action reads (fields this form lacks are left empty)."""
        def text(name: str) -> str:
            found = getattr(self, name, None)
            return (found.data or "") if found is not None else ""

        findings = getattr(self, "findings", None)
        due = getattr(self, "due", None)
        return Answers(note=text("note"), message=text("message"), assignee=text("assignee"),
                       findings=list(findings.data or []) if findings is not None else [],
                       notes=text("notes"), district=text("district"),
                       due=due.data if due is not None else None, reason=text("reason"),
                       text=text("text"))


class NoteForm(TriageForm):
    """An action with what the requester reads and what stays in OIA (the internal actions,
    open and start execution, render only the internal note)."""

    message = TextAreaField(
        _l("Message to the requester"),
        description=_l("Shown to the requesting authority as written, on a page in their "
                       "language."),
        validators=[Optional(), Length(max=NOTE_MAX)])
    note = TextAreaField(_l("Internal note (OIA only)"),
                         description=_l("Never shown to the requesting authority."),
                         validators=[Optional(), Length(max=NOTE_MAX)])


class AssignForm(TriageForm):
    assignee = SelectField(_l("Attorney"), validators=[DataRequired(_l("Choose an attorney."))])
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
    district = SelectField(_l("U.S. Attorney's Office (district)"),
                           validators=[DataRequired(_l("Choose a district."))])
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


class AskForm(TriageForm):
    """OIA asks the requesting authority for documents (portal.asks)."""

    body = TextAreaField(_l("Which documents, and why"), description=_l(
        "Shown to the requesting authority as written, with the types of document chosen "
        "below. They answer with PDF files, which make a new minor version of the request."),
        validators=[DataRequired(_l("Say which documents are needed.")),
                    Length(max=NOTE_MAX)])
    kinds = MultiCheckboxField(_l("Types of document wanted (optional)"), validate_choice=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds.choices = [(kind, choice_label(kind)) for kind in ATTACHMENT_KINDS]


class HoldForm(TriageForm):
    reason = TextAreaField(_l("Reason for the legal hold"), description=_l(
        "For OIA only, kept in the audit log. While the hold stands, nothing is purged."),
        validators=[DataRequired(_l("Give the reason for the legal hold.")),
                    Length(max=REASON_MAX)])


class LiftHoldForm(TriageForm):
    reason = TextAreaField(_l("Why the legal hold is lifted"), description=_l(
        "For OIA only, kept in the audit log. The retention schedule applies again."),
        validators=[DataRequired(_l("Say why the legal hold is lifted.")),
                    Length(max=REASON_MAX)])


class PortfolioForm(PortalForm):
    countries = StringField(_l("Countries"), description=_l(
        "Two-letter country codes separated by commas; * for every country."),
        validators=[Optional(), Length(max=2000)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # rendered once per attorney on the portfolios page: its hidden token gets no id
        self.csrf_token.id = False


#: The form of each action with one of its own; the others take a :class:`NoteForm`.
FORM_OF: dict[Action, str] = {
    Action.ASSIGN: "assign", Action.RETURN: "return", Action.REFER: "refer",
    Action.DECLINE: "decline", Action.REOPEN: "reopen",
}
FORM_CLASSES: dict[str, type[TriageForm]] = {
    "assign": AssignForm, "return": ReturnForm, "refer": ReferForm, "decline": DeclineForm,
    "reopen": ReopenForm, "reply": ReplyForm, "hold": HoldForm, "lift_hold": LiftHoldForm,
    "ask": AskForm,
}
#: The actions whose form is a note only (one NoteForm each).
NOTE_ACTIONS = [a for a in Action if a not in FORM_OF]


def form_key(action: Action) -> str:
    """The key of the action's form on the package page, also the prefix of its controls' ids
    (``assign-note``, ``action-complete-note``)."""
    return FORM_OF.get(action) or f"action-{action.value}"


def new_form(key: str, *, posted: bool = False) -> TriageForm:
    """The form of ``key``, empty or with the request's posted answers."""
    cls = FORM_CLASSES.get(key, NoteForm)
    if posted:
        return cls(id_prefix=key)
    return cls(formdata=None, id_prefix=key)


class NotificationPreferencesForm(PortalForm):
    """For each kind of notification (portal.notify.preferences.KINDS): when, and whether by
    e-mail too (``delivery_<kind>`` and ``email_<kind>``, added below)."""

    @classmethod
    def of(cls, chosen: dict[str, Preference], **kwargs: Any) -> NotificationPreferencesForm:
        data: dict[str, object] = {}
        for kind, preference in chosen.items():
            data[f"delivery_{kind}"] = preference.delivery
            data[f"email_{kind}"] = preference.email
        return cls(data=data, **kwargs)

    def chosen(self) -> dict[str, Preference]:
        return {kind: Preference(self[f"delivery_{kind}"].data, bool(self[f"email_{kind}"].data))
                for kind in KINDS}


DELIVERY_CHOICES = [SelectChoice(IMMEDIATE, _l("At once")),
                    SelectChoice(DIGEST, _l("In a daily digest")),
                    SelectChoice(OFF, _l("Not at all"))]
for _kind in KINDS:
    setattr(NotificationPreferencesForm, f"delivery_{_kind}", SelectField(
        _l("Notify me"), choices=DELIVERY_CHOICES, validators=[DataRequired()]))
    setattr(NotificationPreferencesForm, f"email_{_kind}", BooleanField(_l("Also by e-mail")))
