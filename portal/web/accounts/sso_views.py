"""Single sign-on of staff, trainers and administrators through the Department's OpenID
provider: the sign-in button's redirect, the provider's callback, the one-time confirmation
that links an account in use, and re-authentication for sensitive actions. Off (404) while
``PORTAL_OIDC_ISSUER`` is unset."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from portal.accounts import auth, sso
from portal.accounts.models import SessionMethod, User
from portal.audit.log import record
from portal.db import utcnow
from portal.sso_settings import OidcSettings
from portal.translation import gettext as _
from portal.translation import lazy_gettext as _l
from portal.web.access import public, safe_redirect_target
from portal.web.accounts import devices, sso_client
from portal.web.accounts.forms import LoginForm, ReauthForm
from portal.web.accounts.views import complete_login, hasher
from portal.web.context import SESSION_TOKEN_KEY, client_ip, settings
from portal.web.rate_limits import ACCOUNT_ATTEMPTS, TOO_MANY_ATTEMPTS, refusal

bp = Blueprint("sso", __name__)

LINK_KEY = "sso_link"
LINK_SECONDS = 300

CANNOT_TAKE_UP = _l("Your Department account cannot be used for the portal account that has "
                    "the same e-mail address. Ask your administrator for help.")
REFUSALS = {
    sso.Refusal.NO_ROLE: _l("Your Department account does not give you a role in this portal. "
                            "Ask your administrator to add you to one of the portal's groups."),
    sso.Refusal.NO_EMAIL: _l("The Department's sign-in service did not send your e-mail "
                             "address, which the portal needs. Ask your administrator for "
                             "help."),
    # the same words for both: which of the two it is tells a stranger about the account
    sso.Refusal.NOT_STAFF: CANNOT_TAKE_UP,
    sso.Refusal.LINKED_ELSEWHERE: CANNOT_TAKE_UP,
    sso.Refusal.UNVERIFIED_EMAIL: _l("Your Department account's e-mail address is not "
                                     "verified, so it cannot take up the portal account that "
                                     "has this address. Ask your administrator for help."),
    sso.Refusal.DISABLED: _l("This portal account is disabled. Ask your administrator for "
                             "help."),
}
FAILED = _l("Signing in with the Department's account did not succeed. Please try again.")
UNAVAILABLE = _l("The Department's sign-in service cannot be reached right now. Please try "
                 "again in a few minutes.")
WRONG_PERSON = _l("The Department's account you confirmed with is not the one signed in "
                  "here. Please try again.")


def _config() -> OidcSettings:
    config = settings().oidc
    if not config.enabled:
        abort(404)
    return config


def _redirect_uri(config: OidcSettings) -> str:
    return f"{config.redirect_base}/login/sso/callback"


def _login_page(message: object, status: int) -> tuple[str, int]:
    """The sign-in page with a message in place of the button's usual welcome."""
    return render_template("accounts/login.html", form=LoginForm(formdata=None), next_url=None,
                           expired=False, sso_enabled=True, sso_error=message), status


def _failed(error: sso_client.SsoError) -> tuple[str, int]:
    sso.refuse(g.db, "", client_ip(), error.reason)
    if error.unavailable:
        return _login_page(UNAVAILABLE, 503)
    return _login_page(FAILED, 400)


@bp.route("/login/sso")
@public
def start() -> Response | tuple[str, int]:
    config = _config()
    reauth = request.args.get("reauth") == "1" and g.user is not None
    if g.user is not None and not reauth:
        return redirect(url_for("main.home"))
    next_url = safe_redirect_target(request.args.get("next"), "")
    # a re-authentication asks the provider to confirm the person now, whatever its session
    params: dict[str, Any] = {"prompt": "login", "max_age": 0} if reauth else {}
    try:
        url = sso_client.start(config, _redirect_uri(config), params, next=next_url,
                               reauth=g.user.id if reauth else None, started=int(time.time()))
    except sso_client.SsoError as error:
        return _failed(error)
    return redirect(url)


@bp.route("/login/sso/callback")
@public
def callback() -> Response | tuple[str, int]:
    config = _config()
    try:
        claims, kept = sso_client.finish(config, request.args)
    except sso_client.SsoError as error:
        return _failed(error)
    identity = sso.Identity.from_claims(claims, config.role_claim)
    if kept.get("reauth"):
        return _reauthenticated(config, identity, claims, kept)
    grant = sso.grant_for(identity.role_values, config.mapping)
    resolution = sso.resolve(g.db, identity, grant, client_ip())
    if resolution.outcome is sso.Outcome.REFUSED:
        assert resolution.refusal is not None
        return _login_page(REFUSALS[resolution.refusal], 403)
    assert resolution.user is not None
    if resolution.outcome is sso.Outcome.CONFIRM:
        session[LINK_KEY] = {"user": resolution.user.id, "at": utcnow().timestamp(),
                             "next": kept.get("next") or "",
                             "identity": [identity.issuer, identity.subject, identity.email,
                                          identity.email_verified, identity.name,
                                          list(identity.role_values)]}
        return redirect(url_for("sso.confirm_link"))
    _end_current_session()
    return complete_login(resolution.user, kept.get("next"), SessionMethod.SSO)


def _end_current_session() -> None:
    """A sign-in over an open session (another tab) ends that one first."""
    token = session.get(SESSION_TOKEN_KEY)
    if token:
        auth.end_session(g.db, str(token))


def _reauthenticated(config: OidcSettings, identity: sso.Identity, claims: dict[str, Any],
                     kept: dict[str, Any]) -> Response | tuple[str, int]:
    """The signed-in person confirmed again at the provider: the same linked identity,
    authenticated after the confirmation was asked for."""
    user = g.user
    row = g.user_session
    linked = sso.identity_of(g.db, identity.issuer, identity.subject)
    auth_time = claims.get("auth_time")
    fresh = isinstance(auth_time, int | float) and \
        auth_time >= int(kept.get("started", 0)) - config.clock_skew_seconds
    if user is None or row is None or user.id != kept.get("reauth") or linked is None \
            or linked.user_id != user.id or not fresh:
        sso.refuse(g.db, identity.who, client_ip(), "re-authentication by another identity "
                   "or not fresh", issuer=identity.issuer, subject=identity.subject, user=user)
        flash(str(WRONG_PERSON), "error")
        return redirect(url_for("main.home"))
    row.authenticated_at = utcnow()
    record(g.db, "reauth.success", actor_id=user.id, actor=user.email, ip=client_ip(),
           details={"method": SessionMethod.SSO.value})
    return redirect(safe_redirect_target(kept.get("next"), url_for("main.home")))


def _pending_link() -> tuple[dict[str, Any], User] | None:
    pending = session.get(LINK_KEY)
    if not pending or utcnow().timestamp() - float(pending["at"]) > LINK_SECONDS:
        return None
    user = g.db.get(User, int(pending["user"]))
    if user is None or not user.active:
        return None
    return pending, user


@bp.route("/login/sso/link", methods=["GET", "POST"])
@public
def confirm_link() -> Response | str | tuple[str, int]:
    """An account in use has the provider's e-mail address: its password (and code) prove
    once that it is the person's; then it is linked to the provider's identity."""
    config = _config()
    found = _pending_link()
    if found is None:
        session.pop(LINK_KEY, None)
        flash(_("Your sign-in took too long. Please start again."), "warning")
        return redirect(url_for("accounts.login"))
    pending, user = found
    form = ReauthForm()
    if form.validate_on_submit():
        check = auth.check_password(g.db, hasher(), settings(), user.email,
                                    form.password.data, client_ip(), devices.device_of(user.email))
        if check.outcome is auth.Outcome.RATE_LIMITED:
            return refusal(check.retry_after,
                           ACCOUNT_ATTEMPTS if check.account_limited else TOO_MANY_ATTEMPTS)
        ok = check.outcome in (auth.Outcome.OK, auth.Outcome.NEEDS_SECOND_FACTOR)
        if ok and user.has_second_factor:
            # the code confirms it (an account with security keys only has no code to give:
            # the link is refused rather than made on the password alone)
            ok = user.has_totp and auth.check_totp(g.db, settings(), user, form.code.data or "",
                                                   client_ip()) is auth.Outcome.OK
        if ok:
            issuer, subject, email, verified, name, values = pending["identity"]
            identity = sso.Identity(issuer, subject, email, bool(verified), name, tuple(values))
            grant = sso.grant_for(identity.role_values, config.mapping)
            if grant is None:  # the mapping changed meanwhile
                session.pop(LINK_KEY, None)
                return _login_page(REFUSALS[sso.Refusal.NO_ROLE], 403)
            sso.link(g.db, user, identity, grant, client_ip())
            session.pop(LINK_KEY, None)
            _end_current_session()
            return complete_login(user, pending.get("next"), SessionMethod.SSO)
        form.password.errors.append(_("The password or the code is not correct."))
    status = 200 if not form.errors else 400
    return render_template("accounts/sso_link.html", form=form, user=user), status
