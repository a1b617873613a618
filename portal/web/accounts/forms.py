"""Account forms (WTForms through Flask-WTF, so every form carries a CSRF token)."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional

from portal.accounts.models import Role
from portal.translation import lazy_gettext as _l
from portal.web.forms import PortalForm


class LoginForm(PortalForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter your password.")), Length(max=256)])


class CodeForm(PortalForm):
    code = StringField(_l("Security code"), description=_l(
        "The 6-digit code shown by your authenticator app."), validators=[
        DataRequired(_l("Enter the 6-digit code from your authenticator app.")),
        Length(max=12)])


class SetPasswordForm(PortalForm):
    password = PasswordField(_l("New password"), description=_l(
        "At least 12 characters. A long phrase of several words is easy to remember and hard "
        "to guess."), validators=[DataRequired(_l("Enter a new password.")), Length(max=256)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the new password.")),
        EqualTo("password", _l("The two passwords are not the same."))])
    code = StringField(_l("Security code from your authenticator app"), validators=[
        Optional(), Length(max=12)])


class ChangePasswordForm(PortalForm):
    current = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password.")), Length(max=256)])
    password = PasswordField(_l("New password"), description=_l(
        "At least 12 characters. A long phrase of several words is easy to remember and hard "
        "to guess."), validators=[DataRequired(_l("Enter a new password.")), Length(max=256)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the new password.")),
        EqualTo("password", _l("The two passwords are not the same."))])


class ReauthForm(PortalForm):
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter your password.")), Length(max=256)])
    code = StringField(_l("Security code"), validators=[Optional(), Length(max=12)])


class TotpEnrolForm(PortalForm):
    code = StringField(_l("Security code from your authenticator app"), validators=[
        DataRequired(_l("Enter the 6-digit code from your authenticator app.")),
        Length(max=12)])


class EmptyForm(PortalForm):
    """A form with only the CSRF token, for buttons that change state."""


def role_choices() -> list[tuple[str, Any]]:
    return [
        (Role.SUBMITTER.value, _l("Submitter (foreign authority)")),
        (Role.TRIAGE.value, _l("OIA triage")),
        (Role.TRAINER.value, _l("Trainer")),
        (Role.ADMIN.value, _l("Administrator")),
    ]


class InviteForm(PortalForm):
    name = StringField(_l("Full name"), validators=[
        DataRequired(_l("Enter the person's name.")), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter the e-mail address.")),
        Email(_l("Enter an e-mail address in the correct format, like name@example.org."),
              check_deliverability=False), Length(max=254)])
    role = SelectField(_l("Role"), validators=[InputRequired()])
    authority = SelectField(_l("Foreign authority"), description=_l(
        "Required for submitters; ignored for other roles."), validators=[Optional()])
    is_manager = BooleanField(_l("OIA manager (triage only)"))
    locale = SelectField(_l("Language of the invitation e-mail"), validators=[InputRequired()])


class RoleForm(PortalForm):
    role = SelectField(_l("Role"), validators=[InputRequired()])
    authority = SelectField(_l("Foreign authority"), validators=[Optional()])
    is_manager = BooleanField(_l("OIA manager (triage only)"))


class AuthorityForm(PortalForm):
    name = StringField(_l("Name of the authority"), validators=[
        DataRequired(_l("Enter the name of the authority.")), Length(max=200)])
    country = SelectField(_l("Country"), validators=[
        InputRequired(_l("Choose the country."))])


class ApiTokenForm(PortalForm):
    name = StringField(_l("Name of the token"), description=_l(
        "What the token is for, such as the case-management system that uses it."),
        validators=[DataRequired(_l("Enter a name for the token.")), Length(max=100)])
    expires_days = SelectField(_l("Expires after"), default="90", choices=[
        SelectChoice("30", _l("30 days")), SelectChoice("90", _l("90 days")),
        SelectChoice("180", _l("180 days")), SelectChoice("365", _l("1 year")),
        SelectChoice("730", _l("2 years"))])
