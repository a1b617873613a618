"""State-changing account operations: invitations, enrolment, roles, deactivation.

Each writes an audit record in the same transaction as the change.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.accounts import totp
from portal.accounts.auth import end_all_sessions, normalize_email, take_step, token_hash
from portal.accounts.models import (
    Authority,
    Invitation,
    Role,
    SecurityKey,
    TotpUsedStep,
    User,
    WebauthnChallenge,
)
from portal.audit.log import record
from portal.config import Settings
from portal.crypto import KeyRing
from portal.db import utcnow
from portal.i18n_core import N_
from portal.mail import messages, outbox


class AccountError(ValueError):
    """A refused account operation; ``message`` is an untranslated, user-facing text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Actor:
    id: int | None
    email: str
    ip: str = ""


def invite(db: Session, settings: Settings, actor: Actor, *, email: str, name: str, role: Role,
           authority_id: int | None, is_manager: bool = False, locale: str = "en") -> str:
    """Create the account (without password) and its invitation; queue the e-mail.

    Returns the raw invitation token (only its hash is stored).
    """
    email = normalize_email(email)
    if db.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(N_("An account with this e-mail address already exists."))
    if role is Role.SUBMITTER and authority_id is None:
        raise AccountError(N_("A submitter must belong to a foreign authority."))
    if role is not Role.SUBMITTER:
        authority_id = None
    user = User(email=email, name=name.strip(), role=role.value, authority_id=authority_id,
                is_manager=is_manager and role is Role.TRIAGE, locale=locale)
    db.add(user)
    db.flush()
    token = issue_invitation(db, settings, actor, user)
    record(db, "user.invited", actor_id=actor.id, actor=actor.email, ip=actor.ip,
           object_type="user", object_id=user.public_id, details={"role": role.value})
    return token


def issue_invitation(db: Session, settings: Settings, actor: Actor, user: User) -> str:
    """A new invitation link; earlier unused links of the user stop working."""
    retire_invitations(db, user)
    token = secrets.token_urlsafe(32)
    hours = settings.invitation_valid_hours
    db.add(Invitation(user_id=user.id, token_hash=token_hash(token), created_by_id=actor.id,
                      expires_at=utcnow() + timedelta(hours=hours)))
    locale = user.locale or "en"
    mail = messages.invitation(locale, name=user.name,
                               link=f"{settings.base_url}/invitation/{token}", hours=hours)
    outbox.queue(db, to=user.email, subject=mail.subject, body=mail.body, locale=locale,
                 kind="invitation")
    return token


def retire_invitations(db: Session, user: User) -> None:
    now = utcnow()
    db.execute(update(Invitation).where(Invitation.user_id == user.id,
                                        Invitation.used_at.is_(None),
                                        Invitation.expires_at > now)
               .values(expires_at=now))


class InvitationState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"
    UNKNOWN = "unknown"


def find_invitation(db: Session, token: str) -> tuple[InvitationState, Invitation | None]:
    invitation = db.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    if invitation is None:
        return InvitationState.UNKNOWN, None
    if invitation.used_at is not None:
        return InvitationState.USED, invitation
    if invitation.expires_at <= utcnow() or not invitation.user.active:
        return InvitationState.EXPIRED, invitation
    return InvitationState.VALID, invitation


def accept_invitation(db: Session, hasher: PasswordHasher, keyring: KeyRing,
                      invitation: Invitation, *, password: str, totp_secret: str | None,
                      totp_step: int | None = None, ip: str) -> User:
    """Set the password (and second factor, whose confirming code's ``totp_step`` is then
    used), use up the invitation, end open sessions. A re-invitation resets the account: its
    security keys go too (one may be lost or in other hands)."""
    now = utcnow()
    user = invitation.user
    invitation.used_at = now
    db.flush()
    retire_invitations(db, user)
    end_all_sessions(db, user)  # a re-invitation resets the account: old sessions end
    user.password_hash = hasher.hash(password)
    user.password_changed_at = now
    _store_totp(db, keyring, user, totp_secret, totp_step)
    keys_removed = db.execute(delete(SecurityKey).where(SecurityKey.user_id == user.id)
                              ).rowcount  # type: ignore[attr-defined]
    db.execute(delete(WebauthnChallenge).where(WebauthnChallenge.user_id == user.id))
    user.security_keys = 0
    user.failed_logins = 0
    user.locked_until = None
    record(db, "user.enrolled", actor_id=user.id, actor=user.email, ip=ip, object_type="user",
           object_id=user.public_id, details={"totp": totp_secret is not None,
                                              "security_keys_removed": keys_removed})
    return user


def change_password(db: Session, hasher: PasswordHasher, settings: Settings, user: User,
                    new_password: str, keep_session_token: str, ip: str) -> None:
    user.password_hash = hasher.hash(new_password)
    user.password_changed_at = utcnow()
    end_all_sessions(db, user, keep_token=keep_session_token)
    mail = messages.password_changed(user.locale or "en", name=user.name,
                                     link=f"{settings.base_url}/login")
    outbox.queue(db, to=user.email, subject=mail.subject, body=mail.body,
                 locale=user.locale or "en", kind="password_changed")
    record(db, "user.password_changed", actor_id=user.id, actor=user.email, ip=ip,
           object_type="user", object_id=user.public_id)


def _store_totp(db: Session, keyring: KeyRing, user: User, secret: str | None,
                used_step: int | None) -> None:
    """The secret sealed on the account; the old secret's used steps go, the confirming code's
    step is used."""
    user.totp_secret_encrypted = totp.seal_secret(keyring, user.public_id, secret) \
        if secret else None
    db.execute(delete(TotpUsedStep).where(TotpUsedStep.user_id == user.id))
    if secret and used_step is not None:
        take_step(db, user, used_step)


def set_totp(db: Session, keyring: KeyRing, user: User, secret: str | None, ip: str,
             used_step: int | None = None) -> None:
    """Set up (or replace, or with None remove) the account's authenticator app; ``used_step``:
    the time step of the code that confirmed it, which cannot sign in again."""
    _store_totp(db, keyring, user, secret, used_step)
    record(db, "user.totp_changed", actor_id=user.id, actor=user.email, ip=ip,
           object_type="user", object_id=user.public_id, details={"enabled": secret is not None})


def deactivate(db: Session, actor: Actor, user: User) -> None:
    if user.id == actor.id:
        raise AccountError(N_("You cannot deactivate your own account."))
    user.active = False
    end_all_sessions(db, user)
    record(db, "user.deactivated", actor_id=actor.id, actor=actor.email, ip=actor.ip,
           object_type="user", object_id=user.public_id)


def reactivate(db: Session, actor: Actor, user: User) -> None:
    user.active = True
    record(db, "user.reactivated", actor_id=actor.id, actor=actor.email, ip=actor.ip,
           object_type="user", object_id=user.public_id)


def change_role(db: Session, actor: Actor, user: User, role: Role, *, authority_id: int | None,
                is_manager: bool) -> None:
    if user.id == actor.id:
        raise AccountError(N_("You cannot change your own role."))
    if role is Role.SUBMITTER and authority_id is None:
        raise AccountError(N_("A submitter must belong to a foreign authority."))
    before = {"role": user.role, "manager": user.is_manager, "authority": user.authority_id}
    user.role = role.value
    user.is_manager = is_manager and role is Role.TRIAGE
    user.authority_id = authority_id if role is Role.SUBMITTER else None
    end_all_sessions(db, user)  # new rights take effect at the next login
    record(db, "user.role_changed", actor_id=actor.id, actor=actor.email, ip=actor.ip,
           object_type="user", object_id=user.public_id,
           details={"before": before, "after": {"role": role.value,
                                                "manager": user.is_manager,
                                                "authority": user.authority_id}})


def create_authority(db: Session, actor: Actor, *, name: str, country: str) -> Authority:
    authority = Authority(name=name.strip(), country=country.upper())
    db.add(authority)
    db.flush()
    record(db, "authority.created", actor_id=actor.id, actor=actor.email, ip=actor.ip,
           object_type="authority", object_id=authority.public_id,
           details={"name": authority.name, "country": authority.country})
    return authority


def create_user(db: Session, hasher: PasswordHasher, actor: Actor, *, email: str, name: str,
                role: Role, password: str, authority_id: int | None = None,
                is_manager: bool = False, totp_secret: str | None = None,
                keyring: KeyRing | None = None, locale: str = "en") -> User:
    """Create an account with a password directly (CLI and demo data only); a ``totp_secret``
    is sealed under ``keyring``."""
    if totp_secret and keyring is None:
        raise ValueError("a TOTP secret is stored sealed: give the key ring")
    user = User(email=normalize_email(email), name=name, role=role.value,
                authority_id=authority_id if role is Role.SUBMITTER else None,
                is_manager=is_manager and role is Role.TRIAGE, password_hash=hasher.hash(password),
                password_changed_at=utcnow(), locale=locale)
    db.add(user)
    db.flush()
    if totp_secret and keyring is not None:
        user.totp_secret_encrypted = totp.seal_secret(keyring, user.public_id, totp_secret)
    record(db, "user.created", actor_id=actor.id, actor=actor.email, object_type="user",
           object_id=user.public_id, details={"role": role.value})
    return user
