"""Security keys and passkeys (WebAuthn) as a second factor: registration, use at sign-in and
re-authentication, removal. py_webauthn checks the browser's answers (signature, challenge,
origin, RP ID, signature counter); this module keeps the keys and the challenges, each challenge
single use, for one ceremony of one account, and found only through a handle kept in the
person's session cookie. Every registration, use, failure and removal is audited."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from portal.accounts.auth import (
    Outcome,
    count_failure,
    rate_limited,
    register_failure,
    token_hash,
)
from portal.accounts.models import SecurityKey, User, WebauthnChallenge
from portal.audit.log import record
from portal.config import Settings
from portal.db import utcnow
from portal.i18n_core import N_

log = logging.getLogger(__name__)

RP_NAME = "MLA Portal"
#: How long a ceremony may take, from the options to the browser's answer.
CHALLENGE_SECONDS = 300
NAME_MAX = 100
#: A credential's JSON as the page script sends it is a few kilobytes at most.
CREDENTIAL_MAX_CHARS = 16_000


class Purpose(StrEnum):
    REGISTER = "register"
    LOGIN = "login"
    REAUTH = "reauth"


class SecurityKeyError(ValueError):
    """A refused registration or removal; ``message`` is an untranslated, user-facing text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RelyingParty:
    """Who the keys are registered with: the portal's origin and host (the RP ID), both from
    PORTAL_BASE_URL, so that a page served under another name cannot use them."""

    id: str
    origin: str
    name: str = RP_NAME

    @classmethod
    def from_settings(cls, settings: Settings) -> RelyingParty:
        parts = urlsplit(settings.base_url)
        return cls(id=parts.hostname or "", origin=f"{parts.scheme}://{parts.netloc}")


def keys_of(db: Session, user: User) -> list[SecurityKey]:
    return list(db.scalars(select(SecurityKey).where(SecurityKey.user_id == user.id)
                           .order_by(SecurityKey.created_at, SecurityKey.id)))


def clean_name(name: Any) -> str:
    """The key's name as the person gave it, trimmed; SecurityKeyError when empty or too long."""
    text = " ".join(name.split()) if isinstance(name, str) else ""
    if not text:
        raise SecurityKeyError(N_("Give the key a name, for example “Blue key” or “My phone”."))
    if len(text) > NAME_MAX:
        raise SecurityKeyError(N_("The name of the key is too long (100 characters at most)."))
    return text


# Challenges ----------------------------------------------------------------------------------

def _new_challenge(db: Session, user: User, purpose: Purpose) -> tuple[str, bytes]:
    """A fresh challenge for ``user``'s ceremony and the handle that finds it (for the
    session cookie); expired challenges of anyone are swept."""
    now = utcnow()
    db.execute(delete(WebauthnChallenge).where(WebauthnChallenge.expires_at < now))
    handle = secrets.token_urlsafe(32)
    challenge = secrets.token_bytes(32)
    db.add(WebauthnChallenge(handle_hash=token_hash(handle), user_id=user.id,
                             purpose=purpose.value, challenge=challenge,
                             expires_at=now + timedelta(seconds=CHALLENGE_SECONDS)))
    return handle, challenge


def _take_challenge(db: Session, handle: str | None, user: User, purpose: Purpose
                    ) -> bytes | None:
    """The challenge of the handle, deleted so that it serves once; None when there is none,
    it is another account's or ceremony's, it expired or another request took it first."""
    if not handle:
        return None
    row = db.scalar(select(WebauthnChallenge)
                    .where(WebauthnChallenge.handle_hash == token_hash(handle)))
    if row is None:
        return None
    taken = db.execute(delete(WebauthnChallenge).where(WebauthnChallenge.id == row.id)
                       .execution_options(synchronize_session=False))
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    if row.user_id != user.id or row.purpose != purpose.value or row.expires_at < utcnow():
        return None
    return row.challenge


def _descriptors(keys: list[SecurityKey]) -> list[PublicKeyCredentialDescriptor]:
    known = {t.value for t in AuthenticatorTransport}
    return [PublicKeyCredentialDescriptor(
        id=key.credential_id,
        transports=[AuthenticatorTransport(t) for t in key.transports.split() if t in known]
        or None) for key in keys]


def _credential(raw: Any) -> dict[str, Any] | None:
    """The browser's credential as a JSON object, or None when it is not one."""
    if isinstance(raw, str) and len(raw) <= CREDENTIAL_MAX_CHARS:
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    if not isinstance(raw, Mapping) or len(json.dumps(raw)) > CREDENTIAL_MAX_CHARS:
        return None
    return dict(raw)


# Registration --------------------------------------------------------------------------------

def registration_options(db: Session, rp: RelyingParty, user: User) -> tuple[str, str]:
    """(handle, options as JSON) for navigator.credentials.create(); keys the account has
    already are excluded (the browser then says so instead of registering one twice)."""
    handle, challenge = _new_challenge(db, user, Purpose.REGISTER)
    options = generate_registration_options(
        rp_id=rp.id, rp_name=rp.name, user_id=user.public_id.encode("ascii"),
        user_name=user.email, user_display_name=user.name, challenge=challenge,
        timeout=CHALLENGE_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=_descriptors(keys_of(db, user)))
    return handle, options_to_json(options)


def register(db: Session, rp: RelyingParty, user: User, handle: str | None, credential: Any,
             name: Any, ip: str) -> SecurityKey:
    """Verify the browser's new credential against the challenge of ``handle`` and keep it as
    the account's key ``name``. SecurityKeyError (audited) when refused."""
    name = clean_name(name)
    challenge = _take_challenge(db, handle, user, Purpose.REGISTER)
    data = _credential(credential)
    if challenge is None or data is None:
        _refused(db, user, ip, "security_key.register_failed",
                 "no valid challenge" if challenge is None else "malformed credential")
        raise SecurityKeyError(N_("The security key could not be registered: the request "
                                  "expired or was already used. Try again."))
    try:
        verified = verify_registration_response(
            credential=data, expected_challenge=challenge, expected_rp_id=rp.id,
            expected_origin=rp.origin)
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        _refused(db, user, ip, "security_key.register_failed", str(exc))
        raise SecurityKeyError(N_("The security key could not be registered. Try again, "
                                  "or use another key.")) from exc
    if db.scalar(select(SecurityKey.id)
                 .where(SecurityKey.credential_id == verified.credential_id)) is not None:
        _refused(db, user, ip, "security_key.register_failed", "credential already registered")
        raise SecurityKeyError(N_("This security key is already registered."))
    transports = data.get("response", {}).get("transports") if isinstance(
        data.get("response"), Mapping) else None
    key = SecurityKey(user_id=user.id, name=name, credential_id=verified.credential_id,
                      public_key=verified.credential_public_key, sign_count=verified.sign_count,
                      transports=" ".join(t for t in transports if isinstance(t, str))[:200]
                      if isinstance(transports, list) else "")
    db.add(key)
    db.flush()
    _count_keys(db, user)
    record(db, "security_key.registered", actor_id=user.id, actor=user.email, ip=ip,
           object_type="user", object_id=user.public_id,
           details={"key": key.public_id, "name": name, "aaguid": verified.aaguid,
                    "user_verified": verified.user_verified})
    return key


def _count_keys(db: Session, user: User) -> None:
    user.security_keys = db.scalar(select(func.count(SecurityKey.id))
                                   .where(SecurityKey.user_id == user.id)) or 0


def remove(db: Session, user: User, key_public_id: str, ip: str, *, required: bool) -> str:
    """Remove one of the account's keys (only its own); its name. SecurityKeyError when it is
    the last second factor of an account that must have one; LookupError when not found."""
    key = db.scalar(select(SecurityKey).where(SecurityKey.public_id == key_public_id,
                                              SecurityKey.user_id == user.id))
    if key is None:
        raise LookupError(key_public_id)
    if required and not user.has_totp and user.security_keys <= 1:
        raise SecurityKeyError(N_("Your account needs a second factor: set up another one "
                                  "before you remove this one."))
    name = key.name
    db.delete(key)
    db.flush()
    _count_keys(db, user)
    record(db, "security_key.removed", actor_id=user.id, actor=user.email, ip=ip,
           object_type="user", object_id=user.public_id,
           details={"key": key_public_id, "name": name})
    return name


# Authentication ------------------------------------------------------------------------------

def authentication_options(db: Session, rp: RelyingParty, user: User, purpose: Purpose
                           ) -> tuple[str, str]:
    """(handle, options as JSON) for navigator.credentials.get() with the account's keys."""
    handle, challenge = _new_challenge(db, user, purpose)
    options = generate_authentication_options(
        rp_id=rp.id, challenge=challenge, timeout=CHALLENGE_SECONDS * 1000,
        allow_credentials=_descriptors(keys_of(db, user)),
        user_verification=UserVerificationRequirement.PREFERRED)
    return handle, options_to_json(options)


def authenticate(db: Session, settings: Settings, rp: RelyingParty, user: User,
                 handle: str | None, credential: Any, purpose: Purpose, ip: str) -> Outcome:
    """A second factor by key: the browser's signature of the challenge of ``handle`` by one of
    the account's keys, whose counter must move forward. Failures count toward the lockout
    and the address limit, like wrong codes."""
    now = utcnow()
    if rate_limited(db, ip, settings, now):
        return Outcome.RATE_LIMITED
    if user.locked_until is not None and user.locked_until > now:
        return Outcome.LOCKED
    challenge = _take_challenge(db, handle, user, purpose)
    data = _credential(credential)
    key = _key_of(db, user, data)
    if challenge is None or data is None or key is None:
        reason = ("no valid challenge" if challenge is None else "malformed credential"
                  if data is None else "not a key of this account")
        return _failed(db, settings, user, ip, purpose, reason)
    try:
        verified = verify_authentication_response(
            credential=data, expected_challenge=challenge, expected_rp_id=rp.id,
            expected_origin=rp.origin, credential_public_key=key.public_key,
            credential_current_sign_count=key.sign_count)
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        if "sign count" in str(exc):
            log.warning("security key %s of user %s: the signature counter went back (%s); "
                        "the key may have been cloned", key.public_id, user.public_id, exc)
        return _failed(db, settings, user, ip, purpose, str(exc), key)
    # the counter moves forward once: a concurrent use of the same reading loses
    moved = db.execute(update(SecurityKey).where(SecurityKey.id == key.id,
                                                 SecurityKey.sign_count == key.sign_count)
                       .values(sign_count=verified.new_sign_count, last_used_at=now)
                       .execution_options(synchronize_session=False))
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return _failed(db, settings, user, ip, purpose, "used concurrently", key)
    record(db, "security_key.used", actor_id=user.id, actor=user.email, ip=ip,
           object_type="user", object_id=user.public_id,
           details={"key": key.public_id, "purpose": purpose.value})
    return Outcome.OK


def _key_of(db: Session, user: User, data: dict[str, Any] | None) -> SecurityKey | None:
    raw_id = data.get("rawId") or data.get("id") if data else None
    if not isinstance(raw_id, str):
        return None
    try:
        credential_id = base64url_to_bytes(raw_id)
    except ValueError:
        return None
    return db.scalar(select(SecurityKey).where(SecurityKey.user_id == user.id,
                                               SecurityKey.credential_id == credential_id))


def _failed(db: Session, settings: Settings, user: User, ip: str, purpose: Purpose,
            reason: str, key: SecurityKey | None = None) -> Outcome:
    now = utcnow()
    count_failure(db, settings, ip, user.email, now)
    register_failure(db, user, settings, now)
    details = {"step": "security_key", "purpose": purpose.value, "reason": reason[:200]}
    if key is not None:
        details["key"] = key.public_id
    record(db, "login.failed", actor_id=user.id, actor=user.email, ip=ip, details=details)
    return Outcome.INVALID


def _refused(db: Session, user: User, ip: str, action: str, reason: str) -> None:
    record(db, action, actor_id=user.id, actor=user.email, ip=ip, object_type="user",
           object_id=user.public_id, details={"reason": reason[:200]})
