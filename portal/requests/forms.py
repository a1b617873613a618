"""Forms of the wizard besides the generated section forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.contract.model import ATTACHMENT_KINDS
from portal.requests.labels import choice_label


class AcknowledgementForm(FlaskForm):  # type: ignore[misc]
    """The check page: one tick box and one justification per warning, read by name."""


class ImportForm(FlaskForm):  # type: ignore[misc]
    file = FileField(_l("Request file (JSON)"), description=_l(
        "A file exported from this portal, or written to the published request contract."),
        validators=[FileRequired(_l("Choose a JSON file to import."))])


class MessageForm(FlaskForm):  # type: ignore[misc]
    body = TextAreaField(_l("Your message to OIA"), validators=[
        DataRequired(_l("Write your message.")), Length(max=10_000)])


class WithdrawForm(FlaskForm):  # type: ignore[misc]
    reason = TextAreaField(_l("Why the request is withdrawn"), validators=[
        DataRequired(_l("Give the reason for the withdrawal.")), Length(max=10_000)])


class UploadForm(FlaskForm):  # type: ignore[misc]
    file = FileField(_l("PDF document"), validators=[FileRequired(_l("Choose a PDF file."))])
    document_kind = SelectField(_l("Type of document"), choices=[
        ("", _l("Choose…")), *[(kind, choice_label(kind)) for kind in ATTACHMENT_KINDS]],
        validators=[DataRequired(_l("Choose the type of document."))])
