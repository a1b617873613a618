"""Forms of the wizard besides the generated section forms."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from portal.contract.model import ATTACHMENT_KINDS, Request
from portal.requests.choices import for_request
from portal.requests.labels import choice_label
from portal.translation import gettext as _
from portal.translation import lazy_gettext as _l
from portal.web.forms import PortalForm
from portal.web.i18n import current_locale_code


class AcknowledgementForm(PortalForm):
    """The check page: one tick box and one justification per warning, read by name."""


class ImportForm(PortalForm):
    file = FileField(_l("Request file (JSON)"), description=_l(
        "A file exported from this portal, or written to the published request contract."),
        validators=[FileRequired(_l("Choose a JSON file to import."))])


class MessageForm(PortalForm):
    body = TextAreaField(_l("Your message to OIA"), validators=[
        DataRequired(_l("Write your message.")), Length(max=10_000)])


class WithdrawForm(PortalForm):
    reason = TextAreaField(_l("Why the request is withdrawn"), validators=[
        DataRequired(_l("Give the reason for the withdrawal.")), Length(max=10_000)])


class AnswerForm(PortalForm):
    """The message sent with the documents OIA asked for (portal.asks)."""

    answer = TextAreaField(_l("Your message to OIA about these documents"), validators=[
        DataRequired(_l("Write your message.")), Length(max=10_000)])


class UploadForm(PortalForm):
    file = FileField(_l("PDF document"), validators=[FileRequired(_l("Choose a PDF file."))])
    document_kind = SelectField(_l("Type of document"), choices=[
        SelectChoice("", _l("Choose…")),
        *[SelectChoice(kind, choice_label(kind)) for kind in ATTACHMENT_KINDS]],
        validators=[DataRequired(_l("Choose the type of document."))])
    language = SelectField(
        _l("Language of the document"), choices=[],
        description=_l("A letter of request that is not in English needs its English "
                       "translation, attached as a document of the type \"Translation\"."),
        validators=[DataRequired(_l("Choose the language of the document."))])


def upload_form(content: Request) -> UploadForm:
    """The upload form, its languages in the user's language (English first)."""
    form = UploadForm()
    languages = for_request(content, current_locale_code()).languages
    english = [item for item in languages if item[0] == "en"]
    form.language.choices = [SelectChoice("", _("Choose…")),
                             *[SelectChoice(code, name) for code, name in english],
                             *[SelectChoice(code, name) for code, name in languages
                               if code != "en"]]
    return form
