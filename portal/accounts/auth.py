"""Authentication services: password and second-factor checks, lockout, rate limit, sessions.

Framework-free apart from SQLAlchemy: the views call these and translate the outcomes.
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


def rate_limited(db: Session, ip: str, settings: Settings, now: datetime | None = None) -> bool:
    now = now or utcnow()
    since = now - timedelta(seconds=settings.login_rate_window_seconds)
    count = db.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.ip == ip, LoginAttempt.at >= since, LoginAttempt.success.is_(False)
        )
    )
    return (count or 0) >= settings.login_rate_limit


def note_attempt(db: Session, ip: str, email: str, success: bool) -> None:
    db.add(LoginAttempt(ip=ip, email=email[:254], success=success))


def check_password(db: Session, hasher: PasswordHasher, settings: Settings, email: str,
                   password: str, ip: str) -> PasswordCheck:
    """First login step. Failures count toward the account lockout and the address limit."""
    email = normalize_email(email)
    now = utcnow()
    if rate_limited(db, ip, settings, now):
        record(db, "login.rate_limited", actor=email, ip=ip)
        return PasswordCheck(Outcome.RATE_LIMITED)
    user = db.scalar(select(User).where(User.email == email))
    if user is not None and user.locked_until is not None and user.locked_until > now:
        # The password is not checked while the account is locked (no guess can succeed or
        # be confirmed); the web page answers a lock like a wrong password (see views.login).
        passwords.verify(hasher, None, password)  # same cost as a real check
        note_attempt(db, ip, email, False)
        record(db, "login.locked", actor_id=user.id, actor=email, ip=ip)
        return PasswordCheck(Outcome.LOCKED)
    valid = passwords.verify(hasher, user.password_hash if user else None, password)
    if user is None or not valid or not user.can_log_in:
        note_attempt(db, ip, email, False)
        if user is not None:
            register_failure(db, user, settings, now)
        record(db, "login.failed", actor_id=user.id if user else None, actor=email, ip=ip,
               details={"step": "password"})
        return PasswordCheck(Outcome.INVALID)
    if user.has_second_factor:
        return PasswordCheck(Outcome.NEEDS_SECOND_FACTOR, user)
    return PasswordCheck(Outcome.OK, user)


def register_failure(db: Session, user: User, settings: Settings, now: datetime) -> None:
    user.failed_logins += 1
    if user.failed_logins >= settings.login_max_failures:
        user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
        user.failed_logins = 0
        record(db, "account.locked", actor_id=user.id, actor=user.email,
               object_type="user", object_id=user.public_id)


def check_totp(db: Session, settings: Settings, user: User, code: str, ip: str) -> Outcome:
    """Second login step: a valid code of the user's secret, used once."""
    now = utcnow()
    if rate_limited(db, ip, settings, now):
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
        note_attempt(db, ip, user.email, False)
        register_failure(db, user, settings, now)
        record(db, "login.failed", actor_id=user.id, actor=user.email, ip=ip,
               details={"step": "totp"})
        return Outcome.INVALID
    if not take_step(db, user, step):
        note_attempt(db, ip, user.email, False)
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
