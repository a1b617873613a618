"""Authentication services: password and second-factor checks, lockout, rate limit, sessions.

Framework-free apart from SQLAlchemy: the views call these and translate the outcomes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from portal.accounts import passwords, totp
from portal.accounts.models import LoginAttempt, SessionMethod, User, UserSession
from portal.audit.log import record
from portal.config import Settings
from portal.db import utcnow
from portal.db_reads import Entity

SESSION_TOUCH_SECONDS = 60


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


class Outcome(StrEnum):
    OK = "ok"
    NEEDS_TOTP = "needs_totp"
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


def _attempt(db: Session, ip: str, email: str, success: bool) -> None:
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
        _attempt(db, ip, email, False)
        record(db, "login.locked", actor_id=user.id, actor=email, ip=ip)
        return PasswordCheck(Outcome.LOCKED)
    valid = passwords.verify(hasher, user.password_hash if user else None, password)
    if user is None or not valid or not user.can_log_in:
        _attempt(db, ip, email, False)
        if user is not None:
            register_failure(db, user, settings, now)
        record(db, "login.failed", actor_id=user.id if user else None, actor=email, ip=ip,
               details={"step": "password"})
        return PasswordCheck(Outcome.INVALID)
    if user.totp_secret:
        return PasswordCheck(Outcome.NEEDS_TOTP, user)
    return PasswordCheck(Outcome.OK, user)


def register_failure(db: Session, user: User, settings: Settings, now: datetime) -> None:
    user.failed_logins += 1
    if user.failed_logins >= settings.login_max_failures:
        user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
        user.failed_logins = 0
        record(db, "account.locked", actor_id=user.id, actor=user.email,
               object_type="user", object_id=user.public_id)


def check_totp(db: Session, settings: Settings, user: User, code: str, ip: str) -> Outcome:
    """Second login step: a valid, unused code for the user's secret."""
    now = utcnow()
    if rate_limited(db, ip, settings, now):
        return Outcome.RATE_LIMITED
    if user.locked_until is not None and user.locked_until > now:
        return Outcome.LOCKED
    step = totp.matching_step(user.totp_secret or "", code, user.totp_last_step)
    if step is None:
        _attempt(db, ip, user.email, False)
        register_failure(db, user, settings, now)
        record(db, "login.failed", actor_id=user.id, actor=user.email, ip=ip,
               details={"step": "totp"})
        return Outcome.INVALID
    # one use per code: the step is taken only if no other sign-in took it (or a later one)
    # first; the database decides between sign-ins racing with the same code (the second
    # waits for the first's row lock, then finds the step taken)
    taken = db.execute(update(User).where(User.id == user.id, User.totp_last_step < step)
                       .values(totp_last_step=step).execution_options(synchronize_session=False))
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        _attempt(db, ip, user.email, False)
        record(db, "login.failed", actor_id=user.id, actor=user.email, ip=ip,
               details={"step": "totp", "reason": "code already used"})
        return Outcome.INVALID
    set_committed_value(user, "totp_last_step", step)
    return Outcome.OK


def start_session(db: Session, user: User, ip: str,
                  method: SessionMethod = SessionMethod.PASSWORD) -> str:
    """Record a successful login and open a new server-side session; returns its token."""
    now = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    _attempt(db, ip, user.email, True)
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
