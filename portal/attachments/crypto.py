"""Encryption at rest of attachment files (portal.crypto's key ring), each file bound to its
request and attachment: a file copied over another attachment's file, or moved to another
request, fails to decrypt. The format (the header and AES-GCM) is portal.crypto's; the associated
data is ``b"mla-portal attachment v1\\x00" || header || NUL request id || NUL attachment id``."""

from __future__ import annotations

from portal.crypto import (
    MAGIC,
    NONCE_BYTES,
    VERSION,
    DecryptionError,
    Header,
    UnknownKey,
    parse_header,
)
from portal.crypto import KeyRing as BaseKeyRing

__all__ = ["MAGIC", "NONCE_BYTES", "VERSION", "DecryptionError", "Header", "KeyRing",
           "UnknownKey", "parse_header"]

_AD_PREFIX = b"mla-portal attachment v1\x00"


class KeyRing(BaseKeyRing):
    """The key ring with the attachments' binding (request and attachment public ids)."""

    def encrypt(self, plaintext: bytes, *, request_id: str, attachment_id: str) -> bytes:
        return self.seal(plaintext, label=_AD_PREFIX, ids=(request_id, attachment_id))

    def decrypt(self, blob: bytes, *, request_id: str, attachment_id: str) -> bytes:
        return self.unseal(blob, label=_AD_PREFIX, ids=(request_id, attachment_id))
