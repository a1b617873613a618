"""Security keys and passkeys (WebAuthn): the account's keys page (register, list, remove), and
a key as the second factor of a sign-in or a re-authentication.

The page script (static/js/webauthn.js) asks for options, hands them to
navigator.credentials.create() or .get(), and posts the answer as JSON with the form token in
its X-CSRFToken header; each JSON answer is ``{"redirect": url}`` or ``{"error": message}``.
The challenge's handle is kept in the person's session cookie, the challenge in the database
(portal.accounts.security_keys): single use, for this browser's ceremony only."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask import Response as FlaskResponse
from werkzeug.wrappers import Response

from portal.accounts import auth, passwords, security_keys
from portal.accounts.security_keys import Purpose, RelyingParty, SecurityKeyError
from portal.audit.log import record
from portal.db import utcnow
from portal.translation import gettext as _
from portal.web.access import ANY_ROLE, public, require_user, roles, safe_redirect_target
from portal.web.accounts.forms import EmptyForm
from portal.web.accounts.views import (
    PENDING_KEY,
    complete_login,
    hasher,
    must_set_up_second_factor,
    pending_login,
    reauth_required,
)
from portal.web.context import client_ip, settings

bp = Blueprint("keys", __name__)

#: The Flask session's key for the handle of the ceremony under way.
HANDLE_KEY = "webauthn_handle"
JSON = "application/json"


def _rp() -> RelyingParty:
    return RelyingParty.from_settings(settings())


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _error(message: str, status: int = 400, **extra: str) -> tuple[Response, int]:
    return jsonify(error=message, **extra), status


def _too_many() -> str:
    return _("There have been too many attempts from your connection. Wait a few minutes, "
             "then try again.")


def _options(handle: str, options: str) -> Response:
    session[HANDLE_KEY] = handle
    return FlaskResponse(options, mimetype=JSON)


def _reauth_due() -> tuple[Response, int] | None:
    """Registering a key is sensitive: the password (and factor) within the last minutes."""
    row = g.get("user_session")
    if row is None or auth.needs_reauth(row, settings()):
        return _error(_("Confirm it is you first."), 403,
                      redirect=url_for("accounts.reauth", next=url_for("keys.manage")))
    return None


# The account's keys ----------------------------------------------------------------------------

@bp.route("/account/keys")
@roles(*ANY_ROLE)
def manage() -> str:
    user = require_user()
    return render_template("accounts/keys.html", user=user, form=EmptyForm(),
                           keys=security_keys.keys_of(g.db, user),
                           must_set_up=must_set_up_second_factor(user),
                           via_sso=g.user_session is not None and g.user_session.via_sso)


@bp.route("/account/keys/options", methods=["POST"])
@roles(*ANY_ROLE)
def register_options() -> Response | tuple[Response, int]:
    user = require_user()
    due = _reauth_due()
    if due is not None:
        return due
    try:
        security_keys.clean_name(_body().get("name"))
    except SecurityKeyError as exc:
        return _error(_(exc.message))
    return _options(*security_keys.registration_options(g.db, _rp(), user))


@bp.route("/account/keys/register", methods=["POST"])
@roles(*ANY_ROLE)
def register() -> Response | tuple[Response, int]:
    user = require_user()
    due = _reauth_due()
    if due is not None:
        return due
    body = _body()
    try:
        key = security_keys.register(g.db, _rp(), user, session.pop(HANDLE_KEY, None),
                                     body.get("credential"), body.get("name"), client_ip())
    except SecurityKeyError as exc:
        return _error(_(exc.message))
    flash(_("The security key “%(name)s” is registered. You can use it at your next sign-in.",
            name=key.name), "success")
    return jsonify(redirect=url_for("keys.manage"))


@bp.route("/account/keys/<public_id>/remove", methods=["POST"])
@roles(*ANY_ROLE)
@reauth_required
def remove(public_id: str) -> Response:
    user = require_user()
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        name = security_keys.remove(g.db, user, public_id, client_ip(), required=(
            user.second_factor_required(settings().submitter_2fa_required)))
    except LookupError:
        abort(404)
    except SecurityKeyError as exc:
        flash(_(exc.message), "error")
        return redirect(url_for("keys.manage"))
    flash(_("The security key “%(name)s” was removed from your account.", name=name), "info")
    return redirect(url_for("keys.manage"))


# A key as the second factor of a sign-in ---------------------------------------------------

def _expired() -> tuple[Response, int]:
    flash(_("Your sign-in took too long. Please start again."), "warning")
    return _error(_("Your sign-in took too long. Please start again."), 400,
                  redirect=url_for("accounts.login"))


@bp.route("/login/key/options", methods=["POST"])
@public
def login_options() -> Response | tuple[Response, int]:
    found = pending_login()
    if found is None:
        return _expired()
    _pending, user = found
    if not user.security_keys:
        return _error(_("This account has no security key."))
    return _options(*security_keys.authentication_options(g.db, _rp(), user, Purpose.LOGIN))


@bp.route("/login/key", methods=["POST"])
@public
def login_key() -> Response | tuple[Response, int]:
    found = pending_login()
    if found is None:
        return _expired()
    pending, user = found
    outcome = security_keys.authenticate(g.db, settings(), _rp(), user,
                                         session.pop(HANDLE_KEY, None),
                                         _body().get("credential"), Purpose.LOGIN, client_ip())
    if outcome is auth.Outcome.RATE_LIMITED:
        return _error(_too_many(), 429)
    if outcome is auth.Outcome.LOCKED:
        session.pop(PENDING_KEY, None)
        flash(_("This account is locked for %(minutes)d minutes after too many failed "
                "attempts. Try again later.", minutes=settings().login_lockout_minutes), "error")
        return jsonify(redirect=url_for("accounts.login"))
    if outcome is not auth.Outcome.OK:
        return _error(_("The security key was not accepted. Try again, or use another key."))
    return jsonify(redirect=complete_login(user, pending.get("next")).location)


# A key to confirm it is you (re-authentication) ------------------------------------------------

@bp.route("/reauth/key/options", methods=["POST"])
@roles(*ANY_ROLE)
def reauth_options() -> Response | tuple[Response, int]:
    user = require_user()
    if not user.security_keys:
        return _error(_("This account has no security key."))
    return _options(*security_keys.authentication_options(g.db, _rp(), user, Purpose.REAUTH))


@bp.route("/reauth/key", methods=["POST"])
@roles(*ANY_ROLE)
def reauth_key() -> Response | tuple[Response, int]:
    """The password and a key's signature: the session counts as freshly authenticated."""
    user = require_user()
    body = _body()
    password = body.get("password")
    handle = session.pop(HANDLE_KEY, None)
    if not isinstance(password, str) or not password or len(password) > 256:
        return _error(_("Enter your password."))
    if auth.rate_limited(g.db, client_ip(), settings()):
        return _error(_too_many(), 429)
    if not passwords.verify(hasher(), user.password_hash, password):
        auth.register_failure(g.db, user, settings(), utcnow())
        return _error(_("The password or the security key is not correct."))
    outcome = security_keys.authenticate(g.db, settings(), _rp(), user, handle,
                                         body.get("credential"), Purpose.REAUTH, client_ip())
    if outcome is not auth.Outcome.OK:
        return _error(_("The password or the security key is not correct."))
    g.user_session.authenticated_at = utcnow()
    record(g.db, "reauth.success", actor_id=user.id, actor=user.email, ip=client_ip(),
           details={"method": "security_key"})
    return jsonify(redirect=safe_redirect_target(body.get("next") if isinstance(
        body.get("next"), str) else None, url_for("main.home")))
