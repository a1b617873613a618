"""Forms of the reference-data editor: every change says why and from which source."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.translation import lazy_gettext as _l
from portal.web.forms import PortalForm


class ChangeForm(PortalForm):
    """Why and from which source (asked on every save), and the version it is based on."""

    reason = StringField(_l("Why this change"), description=_l(
        "Recorded in the history with your name and the date."), validators=[
        DataRequired(_l("Say why you make this change.")), Length(max=2000)])
    source = StringField(_l("Source"), description=_l(
        "Where the facts come from: a treaty text, a list published by the State Department, "
        "a provider's own statement (a link or a citation)."), validators=[
        DataRequired(_l("Name the source of this change.")), Length(max=1000)])
    based_on = HiddenField()


class EntryForm(ChangeForm):
    entry = TextAreaField(_l("Entry (JSON)"), render_kw={"rows": 18, "spellcheck": "false"},
                          validators=[DataRequired(_l("Enter the entry as a JSON object.")),
                                      Length(max=200_000)])


class ImportForm(ChangeForm):
    file = FileField(_l("Reference data file (JSON export)"), validators=[
        FileRequired(_l("Choose a JSON file exported from this page."))])


class ConfirmImportForm(ChangeForm):
    payload = HiddenField()
