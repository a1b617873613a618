"""The form that registers a webhook endpoint (the URL's own checks are portal.webhooks')."""

from __future__ import annotations

from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.translation import lazy_gettext as _l
from portal.web.forms import PortalForm
from portal.webhooks.addresses import MAX_URL
from portal.webhooks.endpoints import MAX_DESCRIPTION


class EndpointForm(PortalForm):
    authority = SelectField(_l("Authority"), validators=[
        DataRequired(_l("Choose the authority whose events the endpoint receives."))])
    url = StringField(_l("Endpoint URL"), description=_l(
        "The HTTPS address of the authority's system that receives the events, for example "
        "https://cases.example.org/mla/webhooks."), validators=[
        DataRequired(_l("Enter the endpoint's URL.")),
        Length(max=MAX_URL, message=_l("The URL is too long."))])
    description = StringField(_l("Description (optional)"), description=_l(
        "What the endpoint is, for the administrators: the system and who runs it."),
        validators=[Optional(), Length(max=MAX_DESCRIPTION, message=_l(
            "The description is too long."))])
