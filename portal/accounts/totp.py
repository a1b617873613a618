"""Time-based one-time passwords (RFC 6238) with replay protection, and the enrolment QR code."""

from __future__ import annotations

import io
import time

import pyotp
import segno

ISSUER = "MLA Portal"
VALID_WINDOW = 1  # accept the previous and next 30-second step (clock drift)


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
