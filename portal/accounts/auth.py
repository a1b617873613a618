"""Authentication services: password and second-factor checks, lockout, rate limit, sessions.

Framework-free apart from SQLAlchemy: the views call these and translate the outcomes.

Failed sign-ins are counted in portal.limits (shared by every process and machine), so that no
one can lock everyone out from one address:

- per address (``PORTAL_LOGIN_RATE_LIMIT`` per ``PORTAL_LOGIN_RATE_WINDOW_SECONDS``): past it,
  the address is refused (429) for every account: it stops a guesser, and only that guesser;
- per account and client (``PORTAL_LOGIN_MAX_FAILURES`` per ``PORTAL_LOGIN_LOCKOUT_MINUTES``):
  past it, the account is locked *for that address* (or that browser, below) only, answered
  like a wrong password; its owner elsewhere is not locked out;
- per account from browsers where it never signed in (``PORTAL_LOGIN_ACCOUNT_RATE_LIMIT`` per
  ``PORTAL_LOGIN_RATE_WINDOW_SECONDS``): past it, such browsers wait for the window's end (429):
  it bounds the guesses of many addresses together, and only slows. A browser where the
  account signed in before carries a device cookie (portal.web.accounts.devices): it is
  counted apart, as its own client, and never held up by failures from elsewhere.

Wrong second-factor codes (which need the password) and wrong passwords given by a signed-in
person (re-authentication) still lock the account itself (``users.locked_until``).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from portal.accounts import passwords, totp
from portal.accounts.models import LoginAttempt, SessionMethod, TotpUsedStep, User, UserSession
from portal.audit.log import record
from portal.config import Settings
from portal.crypto import DecryptionError, KeyRing
from portal.db import utcnow
from portal.db_reads import Entity
from portal.instruments import FAILED_SIGN_INS
from portal.limits import counters

SESSION_TOUCH_SECONDS = 60
log = logging.getLogger(__name__)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


class Outcome(StrEnum):
    OK = "ok"
    NEEDS_SECOND_FACTOR = "needs_second_factor"
    INVALID = "invalid"
    LOCKED = "locked"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class PasswordCheck:
    outcome: Outcome
    user: User | None = None
    #: RATE_LIMITED: the seconds until the limit's window ends.
    retry_after: int = 0
    #: RATE_LIMITED by the account's limit (browsers where it never signed in), not the
    #: address's.
    account_limited: bool = False


def _address_key(ip: str) -> str:
    return f"login.address:{counters.address_group(ip)}"


def note_attempt(db: Session, ip: str, email: str, success: bool) -> None:
    db.add(LoginAttempt(ip=ip, email=email[:254], success=success))
    if not success:
        FAILED_SIGN_INS.inc()


def count_failure(db: Session, settings: Settings, ip: str, email: str,
                  now: datetime) -> None:
    """A failed second step (a wrong code or key answer, after the password): counted for the
    address (the account's own lock is :func:`register_failure`)."""
    _failed(db, settings, ip, email, now=now, guess=False)


def _pair_key(email: str, ip: str, device: str | None) -> str:
    client = f"device:{device}" if device else f"address:{counters.address_group(ip)}"
    return f"login.pair:{counters.account_key(email)}:{client}"


def _account_key(email: str) -> str:
    return f"login.account:{counters.account_key(email)}"


def rate_limited(db: Session, ip: str, settings: Settings,
                 now: datetime | None = None) -> counters.Count | None:
    """The address's count of failed sign-ins when it has reached its limit, else None."""
    count = counters.peek(db, _address_key(ip), settings.login_rate_window_seconds, now)
    return count if count.count >= settings.login_rate_limit else None


def _failed(db: Session, settings: Settings, ip: str, email: str, *, now: datetime,
            device: str | None = None, guess: bool = True) -> None:
    """Count a failed sign-in: for the address always; for the account from this client and
    (from a browser where it never signed in) across clients when a password was tried. Each
    limit reached is audited once (the refusals that follow are not: an attack would flood the
    log)."""
    note_attempt(db, ip, email, False)
    address = counters.hit(db, _address_key(ip), settings.login_rate_window_seconds, now)
    if address.count == settings.login_rate_limit:
        record(db, "login.rate_limited", actor=email, ip=ip, details={"limit": "address"})
    if not guess:
        return
    pair = counters.hit(db, _pair_key(email, ip, device), settings.login_lockout_minutes * 60,
                        now)
    if pair.count == settings.login_max_failures:
        record(db, "account.locked", actor=email, ip=ip,
               details={"for": "browser" if device else "address"})
    if device is None:
        across = counters.hit(db, _account_key(email), settings.login_rate_window_seconds, now)
        if across.count == settings.limits.login_account_failures:
            record(db, "login.rate_limited", actor=email, ip=ip, details={"limit": "account"})


def check_password(db: Session, hasher: PasswordHasher, settings: Settings, email: str,
                   password: str, ip: str, device: str | None = None) -> PasswordCheck:
    """First login step. ``device``: the id of this browser's device cookie for this account
    (portal.web.accounts.devices), None without one. Failures count toward the limits above."""
    email = normalize_email(email)
    now = utcnow()
    limited = rate_limited(db, ip, settings, now)
    if limited is not None:
        return PasswordCheck(Outcome.RATE_LIMITED, retry_after=limited.retry_after)
    if device is None:
        across = counters.peek(db, _account_key(email), settings.login_rate_window_seconds, now)
        if across.count >= settings.limits.login_account_failures:
            return PasswordCheck(Outcome.RATE_LIMITED, retry_after=across.retry_after,
                                 account_limited=True)
    user = db.scalar(select(User).where(User.email == email))
    pair = counters.peek(db, _pair_key(email, ip, device), settings.login_lockout_minutes * 60,
                         now)
    if pair.count >= settings.login_max_failures or (
            user is not None and user.locked_until is not None and user.locked_until > now):
        # The password is not checked while the account is locked (no guess can succeed or
        # be confirmed); the web page answers a lock like a wrong password (see views.login).
        passwords.verify(hasher, None, password)  # same cost as a real check
        _failed(db, settings, ip, email, now=now, device=device, guess=False)
        record(db, "login.locked", actor_id=user.id if user else None, actor=email, ip=ip)
        return PasswordCheck(Outcome.LOCKED)
    valid = passwords.verify(hasher, user.password_hash if user else None, password)
    if user is None or not valid or not user.can_log_in:
        _failed(db, settings, ip, email, now=now, device=device)
        record(db, "login.failed", actor_id=user.id if user else None, actor=email, ip=ip,
               details={"step": "password"})
        return PasswordCheck(Outcome.INVALID)
    if user.has_second_factor:
        return PasswordCheck(Outcome.NEEDS_SECOND_FACTOR, user)
    return PasswordCheck(Outcome.OK, user)


def register_failure(db: Session, user: User, settings: Settings, now: datetime) -> None:
    """A wrong code, or a wrong password of a signed-in person: toward the account's own lock
    (these need the password, or the session, first)."""
    user.failed_logins += 1
    if user.failed_logins >= settings.login_max_failures:
        user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
        user.failed_logins = 0
        record(db, "account.locked", actor_id=user.id, actor=user.email,
               object_type="user", object_id=user.public_id)


def check_totp(db: Session, settings: Settings, user: User, code: str, ip: str) -> Outcome:
    """Second login step: a valid code of the user's secret, used once."""
    now = utcnow()
    if rate_limited(db, ip, settings, now) is not None:
        return Outcome.RATE_LIMITED
    if user.locked_until is not None and user.locked_until > now:
        return Outcome.LOCKED
    secret = totp_secret(settings, user)
    if secret is None:
        return Outcome.INVALID
    latest = db.scalar(select(func.max(TotpUsedStep.step))
                       .where(TotpUsedStep.user_id == user.id)) or 0
    step = totp.matching_step(secret, code, latest)
    if step is None:
        _failed(db, settings, ip, user.email, now=now, guess=False)
        register_failure(db, user, settings, now)
        record(db, "login.failed", actor_id=user.id, actor=user.email, ip=ip,
               details={"step": "totp"})
        return Outcome.INVALID
    if not take_step(db, user, step):
        _failed(db, settings, ip, user.email, now=now, guess=False)
        record(db, "login.failed", actor_id=user.id, actor=user.email, ip=ip,
               details={"step": "totp", "reason": "code already used"})
        return Outcome.INVALID
    return Outcome.OK


def totp_secret(settings: Settings, user: User) -> str | None:
    """The user's TOTP secret in clear (None: none, or it cannot be decrypted, which is
    logged: its key left the key ring)."""
    if not user.totp_secret_encrypted:
        return None
    try:
        return totp.open_secret(KeyRing.from_settings(settings), user.public_id,
                                user.totp_secret_encrypted)
    except DecryptionError as exc:
        log.error("the TOTP secret of user %s cannot be decrypted: %s", user.public_id, exc)
        return None


def take_step(db: Session, user: User, step: int) -> bool:
    """Record the use of a time step by the user: False when it was used already. The unique
    (user, step) row decides between sign-ins racing with the same code: the second insert
    waits for the first's transaction, then finds the row and inserts nothing."""
    make = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    taken = db.scalar(make(TotpUsedStep).values(user_id=user.id, step=step, used_at=utcnow())
                      .on_conflict_do_nothing(index_elements=["user_id", "step"])
                      .returning(TotpUsedStep.id))
    if taken is None:
        return False
    # steps too old for any code to match again are of no more use
    db.execute(delete(TotpUsedStep).where(TotpUsedStep.user_id == user.id,
                                          TotpUsedStep.step < step - 2 * totp.VALID_WINDOW))
    return True


def start_session(db: Session, user: User, ip: str,
                  method: SessionMethod = SessionMethod.PASSWORD) -> str:
    """Record a successful login and open a new server-side session; returns its token."""
    now = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    note_attempt(db, ip, user.email, True)
    token = secrets.token_urlsafe(32)
    db.add(UserSession(token_hash=token_hash(token), user_id=user.id, created_at=now,
                       last_seen_at=now, authenticated_at=now, ip=ip[:64],
                       method=method.value))
    record(db, "login.success", actor_id=user.id, actor=user.email, ip=ip,
           details={"method": method.value} if method is not SessionMethod.PASSWORD else None)
    return token


#: A session and its user as plain columns (portal.db_reads), one row by a cookie token's hash
#: (parameter ``token_hash``), to read with a page's first other reads (portal.web.context);
#: :func:`session_of` makes the instances.
SESSION_COLUMNS = Entity.of(UserSession, "session_")
USER_COLUMNS = Entity.of(User, "user_")
SESSION_ROWS = (select(*SESSION_COLUMNS.columns, *USER_COLUMNS.columns)
                .select_from(UserSession).join(User, User.id == UserSession.user_id)
                .where(UserSession.token_hash == bindparam("token_hash")))


def session_of(db: Session, row: Any) -> UserSession | None:
    """The session of a row read by :data:`SESSION_ROWS` (None for none), with its user, as
    though a query had loaded them into ``db``."""
    if row is None:
        return None
    found = SESSION_COLUMNS.load(db, row)
    # its user as its loaded ``user`` (the session holds an unchanged instance weakly: left
    # alone, the user would be gone, and read again, by the time it is asked for)
    set_committed_value(found, "user", USER_COLUMNS.load(db, row))
    return found


def check_session(db: Session, row: UserSession | None, settings: Settings
                  ) -> tuple[UserSession | None, int | None]:
    """The live session of a row (:func:`session_of`; None when there was none), or
    None when it is idle, too old or its account disabled (the row is then deleted); with the
    id of the user whose session just ended (None when there was no session)."""
    if row is None:
        return None, None
    now = utcnow()
    idle = now - row.last_seen_at > timedelta(minutes=settings.session_idle_minutes)
    too_old = now - row.created_at > timedelta(hours=settings.session_absolute_hours)
    if idle or too_old or not row.user.active:
        ended_for = row.user_id if row.user.active else None
        db.delete(row)
        return None, ended_for
    if (now - row.last_seen_at).total_seconds() > SESSION_TOUCH_SECONDS:
        row.last_seen_at = now
    return row, None


def end_session(db: Session, token: str) -> None:
    db.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))


def end_all_sessions(db: Session, user: User, keep_token: str | None = None) -> None:
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_token is not None:
        query = query.where(UserSession.token_hash != token_hash(keep_token))
    db.execute(query)


def needs_reauth(row: UserSession, settings: Settings) -> bool:
    return utcnow() - row.authenticated_at > timedelta(minutes=settings.reauth_minutes)
