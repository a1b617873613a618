"""Login (password, then second factor), logout, invitations, account settings, re-auth."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from portal.accounts import auth, operations, passwords, tokens, totp
from portal.accounts.models import SECOND_FACTOR_ROLES, Role, SessionMethod, User
from portal.audit.log import record
from portal.db import utcnow
from portal.notify.preferences import KINDS
from portal.translation import gettext as _
from portal.web.access import ANY_ROLE, public, require_user, roles, safe_redirect_target
from portal.web.accounts import devices, sso_client
from portal.web.accounts.forms import (
    ApiTokenForm,
    ChangePasswordForm,
    CodeForm,
    EmptyForm,
    LoginForm,
    ReauthForm,
    SetPasswordForm,
    TotpEnrolForm,
)
from portal.web.context import (
    SESSION_EXPIRED_KEY,
    SESSION_TOKEN_KEY,
    client_ip,
    keyring,
    settings,
)
from portal.web.rate_limits import ACCOUNT_ATTEMPTS, TOO_MANY_ATTEMPTS, refusal
from portal.web.triage import notification_views

bp = Blueprint("accounts", __name__)
F = TypeVar("F", bound=Callable[..., Any])

PENDING_KEY = "pending_login"
PENDING_SECONDS = 300
ENROL_SECRET_KEY = "enrol_totp_secret"  # noqa: S105 - a session key name


def hasher() -> PasswordHasher:
    return cast(PasswordHasher, current_app.extensions["portal.hasher"])


def password_errors(password: str, user: User | None = None) -> list[str]:
    cfg = settings()
    context: tuple[str, ...] = ()
    if user is not None:
        context = (user.email.split("@")[0], *user.name.split())
    return [_(message, **params) for message, params in passwords.policy_problems(
        password, min_length=cfg.password_min_length, max_length=cfg.password_max_length,
        context=context)]


def _return_after_reauth() -> str:
    """A page to come back to: this one for a GET; for a form post (often a POST-only
    action), the page the form was on, where the user can send it again."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
        return safe_redirect_target(path, url_for("main.home"))
    return url_for("main.home")


def reauth_required(view: F) -> F:
    """Sensitive actions need a password (and code) entered within the last minutes."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        row = g.get("user_session")
        if row is None or auth.needs_reauth(row, settings()):
            return redirect(url_for("accounts.reauth", next=_return_after_reauth()))
        return view(*args, **kwargs)

    return cast(F, wrapper)


def complete_login(user: User, next_url: str | None,
                   method: SessionMethod = SessionMethod.PASSWORD) -> Response:
    token = auth.start_session(g.db, user, client_ip(), method)
    locale = session.get("locale")
    session.clear()  # rotate: nothing from before the login survives, except the language
    if locale:
        session["locale"] = locale
    session[SESSION_TOKEN_KEY] = token
    if method is SessionMethod.PASSWORD and must_set_up_second_factor(user):
        target = url_for("accounts.enrol_totp")
    else:
        target = safe_redirect_target(next_url, url_for("main.home"))
    # this browser's sign-ins to the account are now counted apart (portal.accounts.auth)
    return devices.remember(redirect(target), user.email)


def must_set_up_second_factor(user: User) -> bool:
    """The account must have a second factor (its role, or PORTAL_SUBMITTER_2FA_REQUIRED for
    submitters) and has none yet."""
    return user.second_factor_required(settings().submitter_2fa_required) \
        and not user.has_second_factor


def pending_login() -> tuple[dict[str, Any], User] | None:
    """The sign-in waiting for its second factor (the password was right), with its user;
    None (and forgotten) when there is none, it took too long, or the account cannot sign
    in."""
    pending = session.get(PENDING_KEY)
    if not pending or utcnow().timestamp() - float(pending["at"]) > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    user = g.db.get(User, int(pending["user"]))
    if user is None or not user.can_log_in or staff_password_refused(user):
        session.pop(PENDING_KEY, None)
        return None
    return pending, user


def staff_password_refused(user: User) -> bool:
    """With single sign-on on, staff, trainers and administrators sign in only through the
    Department's provider (which then vouches for their second factor); submitters keep
    their passwords. Audited."""
    if not settings().oidc.enabled or user.role_enum is Role.SUBMITTER:
        return False
    record(g.db, "login.refused", actor_id=user.id, actor=user.email, ip=client_ip(),
           details={"reason": "staff sign in with the Department's account"})
    return True


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Response | str | tuple[str, int]:
    if g.user is not None:
        return redirect(url_for("main.home"))
    form = LoginForm()
    next_url = request.args.get("next") or request.form.get("next")
    if form.validate_on_submit():
        check = auth.check_password(g.db, hasher(), settings(), form.email.data,
                                    form.password.data, client_ip(),
                                    devices.device_of(form.email.data))
        if check.outcome is auth.Outcome.RATE_LIMITED:
            return refusal(check.retry_after,
                           ACCOUNT_ATTEMPTS if check.account_limited else TOO_MANY_ATTEMPTS)
        if check.outcome in (auth.Outcome.LOCKED, auth.Outcome.INVALID) or check.user is None:
            # One answer for a wrong password, an unknown address and a locked account: it
            # neither confirms that an account exists nor that a guess during a lock was right.
            form.email.errors.append(_(
                "The e-mail address or the password is not correct, or the account is locked "
                "for %(minutes)d minutes after too many failed attempts.",
                minutes=settings().login_lockout_minutes))
        elif staff_password_refused(check.user):
            form.email.errors.append(_("Staff of the Department sign in with the Department's "
                                       "account: use the button “Sign in with the "
                                       "Department's account”."))
        elif check.outcome is auth.Outcome.NEEDS_SECOND_FACTOR:
            session[PENDING_KEY] = {"user": check.user.id, "at": utcnow().timestamp(),
                                    "next": safe_redirect_target(next_url, "")}
            return redirect(url_for("accounts.login_code"))
        else:
            return complete_login(check.user, next_url)
    status = 200 if not form.errors else 400
    expired = bool(session.pop(SESSION_EXPIRED_KEY, False)) or g.session_expired
    return render_template("accounts/login.html", form=form, next_url=next_url,
                           expired=expired, sso_enabled=settings().oidc.enabled), status


@bp.route("/login/code", methods=["GET", "POST"])
@public
def login_code() -> Response | str | tuple[str, int]:
    """The second factor of a sign-in: a code, or a security key (keys_views.login_key); the
    person chooses when the account has both."""
    found = pending_login()
    if found is None:
        flash(_("Your sign-in took too long. Please start again."), "warning")
        return redirect(url_for("accounts.login"))
    pending, user = found
    form = CodeForm()
    if user.has_totp and form.validate_on_submit():
        outcome = auth.check_totp(g.db, settings(), user, form.code.data, client_ip())
        if outcome is auth.Outcome.RATE_LIMITED:
            limited = auth.rate_limited(g.db, client_ip(), settings())
            return refusal(limited.retry_after if limited else
                           settings().login_rate_window_seconds, TOO_MANY_ATTEMPTS)
        if outcome is auth.Outcome.OK:
            return complete_login(user, pending.get("next"))
        if outcome is auth.Outcome.LOCKED:
            session.pop(PENDING_KEY, None)
            flash(_("This account is locked for %(minutes)d minutes after too many failed "
                    "attempts. Try again later.", minutes=settings().login_lockout_minutes),
                  "error")
            return redirect(url_for("accounts.login"))
        form.code.errors.append(_("The code is not correct or has already been used. Enter "
                                  "the current code from your authenticator app."))
    status = 200 if not form.errors else 400
    return render_template("accounts/login_code.html", form=form, user=user), status


@bp.route("/logout", methods=["POST"])
@roles(*ANY_ROLE)
def logout() -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    token = session.get(SESSION_TOKEN_KEY)
    user = require_user()
    if token:
        auth.end_session(g.db, str(token))
    config = settings().oidc
    provider_logout = None
    if config.enabled and g.user_session is not None and g.user_session.via_sso:
        # the provider's session ends too (else its button would sign the person straight in)
        provider_logout = sso_client.logout_url(config, f"{config.redirect_base}/login")
    record(g.db, "logout", actor_id=user.id, actor=user.email, ip=client_ip(),
           details={"method": SessionMethod.SSO.value, "provider": provider_logout is not None}
           if g.user_session is not None and g.user_session.via_sso else None)
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You have signed out."), "info")
    return redirect(provider_logout or url_for("accounts.login"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def invitation(token: str) -> Response | str | tuple[str, int]:
    state, invite = operations.find_invitation(g.db, token)
    if state is not operations.InvitationState.VALID or invite is None:
        return render_template("accounts/invitation_invalid.html", state=state.value), 410
    user = invite.user
    secret = session.get(ENROL_SECRET_KEY)
    if not secret or request.method == "GET":
        secret = totp.new_secret()
        session[ENROL_SECRET_KEY] = secret
    form = SetPasswordForm()
    if form.validate_on_submit():
        problems = password_errors(form.password.data, user)
        form.password.errors.extend(problems)
        code = (form.code.data or "").strip()
        use_totp = user.role_enum in SECOND_FACTOR_ROLES or bool(code)
        step = totp.matching_step(secret, code, 0) if use_totp else None
        if use_totp and step is None:
            form.code.errors.append(_("Enter the current 6-digit code that your authenticator "
                                      "app shows after you scan the QR code."))
        if not form.errors:
            operations.accept_invitation(g.db, hasher(), keyring(), invite,
                                         password=form.password.data,
                                         totp_secret=secret if use_totp else None,
                                         totp_step=step, ip=client_ip())
            session.pop(ENROL_SECRET_KEY, None)
            flash(_("Your account is ready. Sign in with your e-mail address and your new "
                    "password."), "success")
            return redirect(url_for("accounts.login"))
    uri = totp.provisioning_uri(secret, user.email)
    status = 200 if not form.errors else 400
    return render_template(
        "accounts/invitation.html", form=form, user=user, secret=secret, qr=totp.qr_svg(uri),
        totp_required=user.role_enum in SECOND_FACTOR_ROLES,
        second_factor_required=user.second_factor_required(settings().submitter_2fa_required)
    ), status


@bp.route("/account")
@roles(*ANY_ROLE)
def account() -> str:
    return account_page()


def account_page(token_form: ApiTokenForm | None = None) -> str:
    """The account page; ``token_form`` brings back a refused token form with its errors."""
    user = require_user()
    return render_template("accounts/account.html", user=user, form=EmptyForm(),
                           notification_form=notification_views.preferences_form()
                           if user.role_enum is Role.TRIAGE else None,
                           notification_kinds=KINDS,
                           api_tokens=tokens.tokens_of(g.db, user)
                           if tokens.may_hold_tokens(user) else None,
                           token_form=token_form or ApiTokenForm(), now=utcnow(),
                           via_sso=g.user_session is not None and g.user_session.via_sso,
                           may_remove_totp=user.role_enum is Role.SUBMITTER and (
                               user.security_keys > 0 or not user.second_factor_required(
                                   settings().submitter_2fa_required)))


@bp.route("/account/password", methods=["GET", "POST"])
@roles(*ANY_ROLE)
def change_password() -> Response | str | tuple[str, int]:
    user = require_user()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not passwords.verify(hasher(), user.password_hash, form.current.data):
            form.current.errors.append(_("Your current password is not correct."))
        else:
            form.password.errors.extend(password_errors(form.password.data, user))
        if not form.errors:
            operations.change_password(g.db, hasher(), settings(), user, form.password.data,
                                       str(session.get(SESSION_TOKEN_KEY, "")), client_ip())
            flash(_("Your password has been changed. Your other sessions were signed out."),
                  "success")
            return redirect(url_for("accounts.account"))
    status = 200 if not form.errors else 400
    return render_template("accounts/change_password.html", form=form), status


@bp.route("/account/totp", methods=["GET", "POST"])
@roles(*ANY_ROLE)
def enrol_totp() -> Response | str | tuple[str, int]:
    user = require_user()
    secret = session.get(ENROL_SECRET_KEY)
    if not secret or request.method == "GET":
        secret = totp.new_secret()
        session[ENROL_SECRET_KEY] = secret
    form = TotpEnrolForm()
    if form.validate_on_submit():
        step = totp.matching_step(secret, form.code.data, 0)
        if step is None:
            form.code.errors.append(_("Enter the current 6-digit code that your authenticator "
                                      "app shows after you scan the QR code."))
        else:
            operations.set_totp(g.db, keyring(), user, secret, client_ip(), used_step=step)
            session.pop(ENROL_SECRET_KEY, None)
            flash(_("Your second factor is set up. You will be asked for a code at each "
                    "sign-in."), "success")
            return redirect(url_for("accounts.account"))
    status = 200 if not form.errors else 400
    return render_template("accounts/enrol_totp.html", form=form, secret=secret,
                           qr=totp.qr_svg(totp.provisioning_uri(secret, user.email)),
                           must_set_up=must_set_up_second_factor(user)), status


@bp.route("/account/totp/remove", methods=["POST"])
@roles(Role.SUBMITTER)
@reauth_required
def remove_totp() -> Response:
    user = require_user()
    if not EmptyForm().validate_on_submit():
        abort(400)
    if user.security_keys == 0 and user.second_factor_required(
            settings().submitter_2fa_required):
        flash(_("Your account needs a second factor: set up another one before you remove "
                "this one."), "error")
        return redirect(url_for("accounts.account"))
    operations.set_totp(g.db, keyring(), user, None, client_ip())
    flash(_("The authenticator app was removed from your account."), "info")
    return redirect(url_for("accounts.account"))


@bp.route("/reauth", methods=["GET", "POST"])
@roles(*ANY_ROLE)
def reauth() -> Response | str | tuple[str, int]:
    user = require_user()
    next_url = safe_redirect_target(request.args.get("next"), url_for("main.home"))
    if settings().oidc.enabled and g.user_session is not None and g.user_session.via_sso:
        # the person confirms again at the provider (there is no portal password to enter)
        return redirect(url_for("sso.start", reauth="1", next=next_url))
    form = ReauthForm()
    if form.validate_on_submit():
        ok = passwords.verify(hasher(), user.password_hash, form.password.data)
        password_ok = ok
        if ok and user.has_totp:
            outcome = auth.check_totp(g.db, settings(), user, form.code.data or "", client_ip())
            ok = outcome is auth.Outcome.OK
        elif ok and user.security_keys:  # a key's signature comes through keys_views.reauth_key
            form.password.errors.append(_("Confirm with your security key."))
            return render_template("accounts/reauth.html", form=form, user=user,
                                   next_url=next_url), 400
        if ok:
            g.user_session.authenticated_at = utcnow()
            record(g.db, "reauth.success", actor_id=user.id, actor=user.email, ip=client_ip())
            return redirect(next_url)
        if not password_ok:  # a wrong code was already counted by check_totp
            auth.register_failure(g.db, user, settings(), utcnow())
        form.password.errors.append(_("The password or the code is not correct."))
    status = 200 if not form.errors else 400
    return render_template("accounts/reauth.html", form=form, user=user,
                           next_url=next_url), status
