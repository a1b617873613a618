"""Administration: users (invite, deactivate, change role, re-invite), authorities, audit log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from portal.accounts import operations, tokens
from portal.accounts.models import ApiToken, Authority, Role, User
from portal.audit.log import latest_events, record
from portal.audit.verify import verify_with_checkpoints
from portal.db import utcnow
from portal.i18n_core import locale_info, supported_locales
from portal.reference import current_reference
from portal.training.sandbox import not_sandbox
from portal.translation import gettext as _
from portal.web.access import require_user, roles
from portal.web.accounts.forms import AuthorityForm, EmptyForm, InviteForm, RoleForm, role_choices
from portal.web.accounts.views import reauth_required
from portal.web.context import client_ip, db, settings

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _actor() -> operations.Actor:
    user = require_user()
    return operations.Actor(user.id, user.email, client_ip())


def _authority_choices() -> list[tuple[str, Any]]:
    authorities = g.db.scalars(select(Authority).where(Authority.active.is_(True))
                               .order_by(Authority.name)).all()
    return [("", _("None"))] + [(a.public_id, f"{a.name} ({a.country})") for a in authorities]


def _authority_id(public_id: str | None) -> int | None:
    if not public_id:
        return None
    authority = db().scalar(select(Authority).where(Authority.public_id == public_id))
    if authority is None:
        abort(400)
    return authority.id


def _user_or_404(public_id: str) -> User:
    user = db().scalar(select(User).where(User.public_id == public_id))
    if user is None:
        abort(404)
    return user


@bp.route("/users")
@roles(Role.ADMIN)
def users() -> str:
    rows = g.db.scalars(select(User).options(selectinload(User.authority))
                        .order_by(User.role, User.name)).all()
    return render_template("admin/users.html", users=rows)


@bp.route("/users/invite", methods=["GET", "POST"])
@roles(Role.ADMIN)
@reauth_required
def invite() -> Response | str | tuple[str, int]:
    form = InviteForm()
    form.role.choices = role_choices()
    form.authority.choices = _authority_choices()
    form.locale.choices = [(info.code, info.name) for info in supported_locales()]
    if form.validate_on_submit():
        try:
            operations.invite(g.db, settings(), _actor(), email=form.email.data,
                              name=form.name.data, role=Role(form.role.data),
                              authority_id=_authority_id(form.authority.data),
                              is_manager=bool(form.is_manager.data), locale=form.locale.data)
        except operations.AccountError as error:
            form.email.errors.append(_(error.message))
        else:
            flash(_("The invitation was sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("admin.users"))
    status = 200 if not form.errors else 400
    return render_template("admin/invite.html", form=form), status


@bp.route("/users/<public_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
@reauth_required
def user_detail(public_id: str) -> Response | str | tuple[str, int]:
    user = _user_or_404(public_id)
    form = RoleForm(obj=None)
    form.role.choices = role_choices()
    form.authority.choices = _authority_choices()
    if request.method == "GET":
        form.role.data = user.role
        form.authority.data = user.authority.public_id if user.authority else ""
        form.is_manager.data = user.is_manager
    if form.validate_on_submit():
        try:
            operations.change_role(g.db, _actor(), user, Role(form.role.data),
                                   authority_id=_authority_id(form.authority.data),
                                   is_manager=bool(form.is_manager.data))
        except operations.AccountError as error:
            form.role.errors.append(_(error.message))
        else:
            flash(_("The role of %(name)s was changed.", name=user.name), "success")
            return redirect(url_for("admin.user_detail", public_id=user.public_id))
    status = 200 if not form.errors else 400
    return render_template("admin/user.html", user=user, form=form, action_form=EmptyForm(),
                           api_tokens=tokens.tokens_of(g.db, user), now=utcnow(),
                           locale_name=locale_info(user.locale or "en").name), status


@bp.route("/users/<public_id>/<any(deactivate, reactivate, reinvite):action>",
          methods=["POST"])
@roles(Role.ADMIN)
@reauth_required
def user_action(public_id: str, action: str) -> Response:
    user = _user_or_404(public_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        if action == "deactivate":
            operations.deactivate(g.db, _actor(), user)
            message = _("%(name)s can no longer sign in.", name=user.name)
        elif action == "reactivate":
            operations.reactivate(g.db, _actor(), user)
            message = _("%(name)s can sign in again.", name=user.name)
        else:
            operations.issue_invitation(g.db, settings(), _actor(), user)
            record(g.db, "user.reinvited", actor_id=_actor().id, actor=_actor().email,
                   ip=client_ip(), object_type="user", object_id=user.public_id)
            message = _("A new invitation was sent to %(email)s.", email=user.email)
    except operations.AccountError as error:
        flash(_(error.message), "error")
    else:
        flash(message, "success")
    return redirect(url_for("admin.user_detail", public_id=user.public_id))


@bp.route("/users/<public_id>/tokens/<token_id>/revoke", methods=["POST"])
@roles(Role.ADMIN)
@reauth_required
def revoke_token(public_id: str, token_id: str) -> Response:
    """Revoke any account's API token (audited by portal.accounts.tokens)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    token = db().scalar(select(ApiToken).join(User, ApiToken.user_id == User.id)
                        .where(User.public_id == public_id, ApiToken.public_id == token_id))
    if token is None:
        abort(404)
    tokens.revoke(db(), _actor(), token)
    flash(_("The token %(name)s was revoked: it no longer works.", name=token.name), "info")
    return redirect(url_for("admin.user_detail", public_id=public_id) + "#api-tokens")


@bp.route("/authorities", methods=["GET", "POST"])
@roles(Role.ADMIN)
def authorities() -> Response | str | tuple[str, int]:
    form = AuthorityForm()
    reference = current_reference()
    countries = sorted(((c.code, c.name) for c in reference.countries.values()),
                       key=lambda item: item[1])
    form.country.choices = [("", _("Choose a country")), *countries]
    if form.validate_on_submit():
        operations.create_authority(g.db, _actor(), name=form.name.data,
                                    country=form.country.data)
        flash(_("The authority %(name)s was added.", name=form.name.data), "success")
        return redirect(url_for("admin.authorities"))
    rows = g.db.scalars(select(Authority).where(not_sandbox())
                        .order_by(Authority.country, Authority.name)).all()
    status = 200 if not form.errors else 400
    return render_template("admin/authorities.html", form=form, authorities=rows,
                           countries=reference.countries), status


@bp.route("/audit")
@roles(Role.ADMIN)
def audit() -> str:
    user = require_user()
    events = latest_events(g.db, limit=200)
    verification = verify_with_checkpoints(g.db, settings())
    record(g.db, "audit.viewed", actor_id=user.id, actor=user.email, ip=client_ip())
    return render_template("admin/audit.html", events=events, verification=verification)
