"""The account's API tokens: create, list, revoke (submitters and triage staff; an
administrator revokes anyone's on the user's page, portal.web.accounts.admin). Creating and
revoking are sensitive: the password (and factor) within the last minutes, like the other
account changes; every change is audited by portal.accounts.tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal.accounts import tokens
from portal.accounts.models import User
from portal.accounts.operations import AccountError, Actor
from portal.translation import gettext as _
from portal.web.access import require_user, roles
from portal.web.accounts.forms import ApiTokenForm, EmptyForm
from portal.web.accounts.views import account_page, reauth_required
from portal.web.context import client_ip, db

bp = Blueprint("tokens", __name__)
TOKEN_ROLES = tuple(tokens.TOKEN_ROLES)


def _actor(user: User) -> Actor:
    return Actor(user.id, user.email, client_ip())


@bp.route("/account/tokens", methods=["POST"])
@roles(*TOKEN_ROLES)
@reauth_required
def create() -> Response | tuple[str, int]:
    """A new token, shown on the page that answers this post and never again."""
    user = require_user()
    form = ApiTokenForm()
    if not form.validate_on_submit():  # (what was typed comes back, with the reasons)
        return account_page(token_form=form), 400
    try:
        token, raw = tokens.create(db(), _actor(user), user, name=form.name.data or "",
                                   expires_days=int(form.expires_days.data))
    except AccountError as error:
        form.name.errors = [*form.name.errors, _(error.message)]
        return account_page(token_form=form), 400
    return render_template("accounts/api_token_created.html", token=token, raw=raw), 201


@bp.route("/account/tokens/<token_id>/revoke", methods=["POST"])
@roles(*TOKEN_ROLES)
@reauth_required
def revoke(token_id: str) -> Response:
    user = require_user()
    if not EmptyForm().validate_on_submit():
        abort(400)
    token = tokens.find_own(db(), user, token_id)
    if token is None:
        abort(404)
    tokens.revoke(db(), _actor(user), token)
    flash(_("The token %(name)s was revoked: it no longer works.", name=token.name), "info")
    return redirect(url_for("accounts.account") + "#api-tokens")
