"""Signing secrets: ``whsec_`` and the base64 of 32 random bytes (the specification asks for 24
to 64), shown once to the admin and kept sealed under the attachment key ring (AES-256-GCM,
bound to the endpoint's public id, as the accounts' TOTP secrets are); the signature of a body
per Standard Webhooks."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from portal.crypto import DecryptionError, KeyRing

PREFIX = "whsec_"
SECRET_BYTES = 32
SEAL_LABEL = b"mla-portal webhook secret v1\x00"


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def display(key: bytes) -> str:
    """The secret as the receiver configures it: ``whsec_<base64>``."""
    return PREFIX + base64.b64encode(key).decode("ascii")


def seal(keyring: KeyRing, endpoint_public_id: str, key: bytes) -> str:
    sealed = keyring.seal(key, label=SEAL_LABEL, ids=(endpoint_public_id,))
    return base64.b64encode(sealed).decode("ascii")


def unseal(keyring: KeyRing, endpoint_public_id: str, sealed: str) -> bytes:
    """The key of :func:`seal`; DecryptionError when it cannot be read."""
    try:
        blob = base64.b64decode(sealed, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("the sealed webhook secret is not base64") from exc
    return keyring.unseal(blob, label=SEAL_LABEL, ids=(endpoint_public_id,))


def signature(key: bytes, event_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``."""
    digest = hmac.new(key, f"{event_id}.{timestamp}.".encode("ascii") + body,
                      hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def new_event_id() -> str:
    """``msg_`` and 24 random URL-safe characters (no ``.``: the id is part of what is signed)."""
    return "msg_" + secrets.token_urlsafe(18)
