"""Time-based one-time passwords (RFC 6238), their secrets sealed at rest under the key ring,
and the enrolment QR code. (One use per code: portal.accounts.auth.check_totp.)"""

from __future__ import annotations

import base64
import binascii
import io
import time

import pyotp
import segno

from portal.crypto import DecryptionError, KeyRing

ISSUER = "MLA Portal"
VALID_WINDOW = 1  # accept the previous and next 30-second step (clock drift)
#: The associated data's label of a sealed secret, bound to its account's public id: a sealed
#: secret copied to another account does not decrypt (migration 0018 has its own copy).
SEAL_LABEL = b"mla-portal totp v1\x00"


def seal_secret(keyring: KeyRing, user_public_id: str, secret: str) -> str:
    """The secret encrypted under the current key, as text for users.totp_secret_encrypted."""
    sealed = keyring.seal(secret.encode("ascii"), label=SEAL_LABEL, ids=(user_public_id,))
    return base64.b64encode(sealed).decode("ascii")


def open_secret(keyring: KeyRing, user_public_id: str, sealed: str) -> str:
    """The secret of :func:`seal_secret`; DecryptionError when it cannot be read."""
    try:
        blob = base64.b64decode(sealed, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("the sealed TOTP secret is not base64") from exc
    return keyring.unseal(blob, label=SEAL_LABEL, ids=(user_public_id,)).decode("ascii")


def needs_rotation(keyring: KeyRing, sealed: str) -> bool:
    return keyring.needs_rotation(base64.b64decode(sealed))


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code as an inline SVG element (no XML declaration, no inline style)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(
        buffer, kind="svg", xmldecl=False, svgns=True, scale=4, border=2,
        title="QR code", svgclass="totp-qr", lineclass=None,
    )
    return buffer.getvalue().decode("utf-8")


def matching_step(secret: str, code: str, last_step: int, now: float | None = None) -> int | None:
    """The time step the code belongs to, if valid and not already used; else None."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    moment = time.time() if now is None else now
    current = int(moment // totp.interval)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if step <= last_step:
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def current_code(secret: str, now: float | None = None) -> str:
    """The code for now (used by the demo command's printout and by tests)."""
    return pyotp.TOTP(secret).at(time.time() if now is None else now)
