"""Authorities, users, invitations, single sign-on identities, server-side sessions, login
attempts, and the second factors: used TOTP steps, security keys and their challenges."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, utcnow


def new_public_id() -> str:
    """A random, URL-safe identifier: URLs never expose sequential ids."""
    return secrets.token_urlsafe(12)


class Role(StrEnum):
    SUBMITTER = "submitter"
    TRIAGE = "triage"
    TRAINER = "trainer"
    ADMIN = "admin"


#: Roles for which a second factor is always mandatory (submitters: PORTAL_SUBMITTER_2FA_REQUIRED).
SECOND_FACTOR_ROLES = frozenset({Role.TRIAGE, Role.TRAINER, Role.ADMIN})


class Authority(Base):
    """A foreign authority (an organization of a country) whose users submit requests."""

    __tablename__ = "authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="authority")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    is_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: The TOTP secret sealed under the key ring (portal.accounts.totp.seal_secret), never in
    #: clear; its codes' use is in totp_used_steps.
    totp_secret_encrypted: Mapped[str | None] = mapped_column(String(255), nullable=True)
    #: How many security keys the account has (kept with them: read with the session's user,
    #: so no page asks the database whether there is one).
    security_keys: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    authority: Mapped[Authority | None] = relationship(back_populates="users")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def has_totp(self) -> bool:
        return bool(self.totp_secret_encrypted)

    @property
    def has_second_factor(self) -> bool:
        """An authenticator app or at least one security key."""
        return self.has_totp or self.security_keys > 0

    def second_factor_required(self, submitters: bool) -> bool:
        """Whether the account must have a second factor (``submitters``: the setting
        PORTAL_SUBMITTER_2FA_REQUIRED)."""
        return self.role_enum in SECOND_FACTOR_ROLES or (
            submitters and self.role_enum is Role.SUBMITTER)

    @property
    def can_log_in(self) -> bool:
        return self.active and self.password_hash is not None


class Invitation(Base):
    """A single-use, expiring link that lets an invited person set a password."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class SsoIdentity(Base):
    """A person's account at the Department's OpenID provider, linked to a portal account by the
    provider's stable (issuer, subject) pair, never by e-mail address (portal.accounts.sso)."""

    __tablename__ = "sso_identities"
    __table_args__ = (
        UniqueConstraint("issuer", "subject", name="uq_sso_identities_issuer_subject"),
        UniqueConstraint("user_id", "issuer", name="uq_sso_identities_user_id_issuer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user: Mapped[User] = relationship()


class SessionMethod(StrEnum):
    """How a session was opened: the portal's password (and code), or the Department's
    provider (which then also confirms the person again for sensitive actions)."""

    PASSWORD = "password"  # noqa: S105 - a method's name, not a password
    SSO = "sso"


class UserSession(Base):
    """A server-side session: the cookie holds only a random token whose hash is stored here."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    authenticated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip: Mapped[str] = mapped_column(String(64), default="")
    method: Mapped[str] = mapped_column(String(16), default=SessionMethod.PASSWORD.value,
                                        server_default=SessionMethod.PASSWORD.value)

    user: Mapped[User] = relationship()

    @property
    def via_sso(self) -> bool:
        return self.method == SessionMethod.SSO.value


class LoginAttempt(Base):
    """Every sign-in attempt, kept for 90 days (portal.accounts.housekeeping); the limits count
    in portal.limits."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_ip_at", "ip", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ip: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    success: Mapped[bool] = mapped_column(Boolean, default=False)


class TotpUsedStep(Base):
    """A TOTP time step used by an account: one row per (account, step), inserted when a code
    is accepted; the unique constraint refuses the same code a second time, whichever sign-in
    gets there first."""

    __tablename__ = "totp_used_steps"
    __table_args__ = (UniqueConstraint("user_id", "step", name="uq_totp_used_steps_user_id_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    step: Mapped[int] = mapped_column(BigInteger)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SecurityKey(Base):
    """A security key or passkey (a WebAuthn credential) registered by its owner as a second
    factor: its public key and the last signature counter it reported."""

    __tablename__ = "security_keys"
    __table_args__ = (Index("ix_security_keys_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1023), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(2048))
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    #: The transports the browser reported (``usb internal``), as hints for the next sign-in.
    transports: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class WebauthnChallenge(Base):
    """A challenge handed to the browser for one ceremony: found by the hash of a handle kept in
    the person's session cookie, deleted when used (single use), refused after it expires."""

    __tablename__ = "webauthn_challenges"
    __table_args__ = (Index("ix_webauthn_challenges_expires_at", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handle_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: ``register``, ``login`` or ``reauth``: a challenge serves only its own ceremony.
    purpose: Mapped[str] = mapped_column(String(16))
    challenge: Mapped[bytes] = mapped_column(LargeBinary(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """A personal API token (portal.accounts.tokens): the API acts as its user. Only a SHA-256
    hash of the secret is kept; the visible prefix names the token in lists and logs."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
