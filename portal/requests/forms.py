"""Forms of the wizard besides the generated section forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class AcknowledgementForm(FlaskForm):  # type: ignore[misc]
    """The check page: one tick box and one justification per warning, read by name."""


class ImportForm(FlaskForm):  # type: ignore[misc]
    file = FileField(_l("Request file (JSON)"), description=_l(
        "A file exported from this portal, or written to the published request contract."),
        validators=[FileRequired(_l("Choose a JSON file to import."))])
