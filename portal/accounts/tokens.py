"""Personal API tokens: created for submitters and triage staff only, shown once, kept as the
SHA-256 hash of the whole token with a visible prefix to find it by; verified in constant
time; expired, revoked, or whose account is disabled or changed role, they are refused.

A token reads ``mlap_<prefix>_<secret>``: the prefix (12 hex characters) is public, shown in
lists and in the audit log; the secret (32 random bytes) is never stored."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from portal.accounts.models import ApiToken, Role, User
from portal.accounts.operations import AccountError, Actor
from portal.audit.log import record
from portal.db import utcnow
from portal.i18n_core import N_

#: The roles whose accounts may hold tokens in v1.
TOKEN_ROLES = frozenset({Role.SUBMITTER, Role.TRIAGE})
TOKEN_PREFIX = "mlap_"  # noqa: S105 - the public start of every token, not a secret
NAME_LENGTH = 100
MAX_ACTIVE_TOKENS = 20
MAX_EXPIRY_DAYS = 730
DEFAULT_EXPIRY_DAYS = 90
#: ``last_used_at`` is written at most this often (not one write per call).
USE_RESOLUTION = timedelta(minutes=1)
_FORMAT = re.compile(r"mlap_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
#: Compared with when no token has the prefix, so that an unknown prefix costs the same.
_DUMMY_HASH = hashlib.sha256(b"no such token").hexdigest()


class Refusal(StrEnum):
    """Why a token was refused (kept in the audit log, never told to the caller)."""

    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    EXPIRED = "expired"
    ACCOUNT = "account"  # disabled, or no longer in a role that may hold tokens


@dataclass(frozen=True)
class Verified:
    token: ApiToken | None
    refusal: Refusal | None = None
    prefix: str = ""


def secret_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def may_hold_tokens(user: User) -> bool:
    return user.active and user.role_enum in TOKEN_ROLES


def tokens_of(db: Session, user: User) -> list[ApiToken]:
    """The account's tokens, the newest first (revoked and expired ones included)."""
    return list(db.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                           .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def is_active(token: ApiToken, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > now)


def create(db: Session, actor: Actor, user: User, *, name: str = "",
           expires_days: int | None = DEFAULT_EXPIRY_DAYS) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with the only copy of its secret. Audited."""
    if not may_hold_tokens(user):
        raise AccountError(N_("Only submitters and OIA triage staff can have API tokens."))
    name = " ".join(name.split())[:NAME_LENGTH] or "API token"
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise AccountError(N_("A token expires after 1 to 730 days."))
    now = utcnow()
    if sum(1 for t in tokens_of(db, user) if is_active(t, now)) >= MAX_ACTIVE_TOKENS:
        raise AccountError(N_("This account has as many API tokens as it may have: revoke "
                              "one first."))
    prefix = secrets.token_hex(6)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(user_id=user.id, name=name, prefix=prefix, secret_hash=secret_hash(raw),
                     created_at=now,
                     expires_at=now + timedelta(days=expires_days) if expires_days else None)
    db.add(token)
    db.flush()
    record(db, "api_token.created", actor_id=actor.id, actor=actor.email, ip=actor.ip,
           object_type="user", object_id=user.public_id,
           details={"token": prefix, "name": name, "expires_days": expires_days})
    return token, raw


def revoke(db: Session, actor: Actor, token: ApiToken) -> bool:
    """Revoke ``token`` (audited); False when it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    token.revoked_by_id = actor.id
    record(db, "api_token.revoked", actor_id=actor.id, actor=actor.email, ip=actor.ip,
           object_type="user", object_id=token.user.public_id, details={"token": token.prefix})
    return True


def find_own(db: Session, user: User, public_id: str) -> ApiToken | None:
    """One of ``user``'s tokens by its public id."""
    return db.scalar(select(ApiToken).where(ApiToken.public_id == public_id,
                                            ApiToken.user_id == user.id))


def verify(db: Session, raw: str, now: datetime | None = None) -> Verified:
    """The token ``raw`` names if it may be used now, with its user loaded; else why not."""
    match = _FORMAT.fullmatch(raw)
    if match is None:
        return Verified(None, Refusal.MALFORMED)
    prefix = match[1]
    token = db.scalar(select(ApiToken).where(ApiToken.prefix == prefix)
                      .options(joinedload(ApiToken.user)))
    expected = token.secret_hash if token is not None else _DUMMY_HASH
    if not hmac.compare_digest(secret_hash(raw), expected) or token is None:
        return Verified(None, Refusal.UNKNOWN, prefix)
    now = now or utcnow()
    if token.revoked_at is not None:
        return Verified(None, Refusal.REVOKED, prefix)
    if token.expires_at is not None and token.expires_at <= now:
        return Verified(None, Refusal.EXPIRED, prefix)
    if not may_hold_tokens(token.user):
        return Verified(None, Refusal.ACCOUNT, prefix)
    if token.last_used_at is None or now - token.last_used_at >= USE_RESOLUTION:
        token.last_used_at = now
    return Verified(token, None, prefix)
