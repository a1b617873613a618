"""Encryption at rest of attachment files: AES-256-GCM under a key ring whose first key
encrypts and whose every key decrypts, bound to the file's request and attachment."""

# A stored file is header || ciphertext-with-tag, where the header is
#     b"MLAE" | version (1 byte, 1) | key id length (1 byte) | key id (ASCII) | nonce (12 bytes)
#
# The nonce is random for every encryption (a file is encrypted once per key, so 96 random bits
# stay far from the collision bound). The associated data binds the ciphertext to its place: the
# header itself, the request's public id and the attachment's public id. A file copied over
# another attachment's file, or moved to another request, fails to decrypt.
#
# The key ring comes from Settings.attachment_keys (id:base64key,...). Rotation: put a new key
# first, keep the old ones, run `portal attachments rotate-keys` (portal.attachments.rotation),
# then drop the old keys.

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from portal.config import ConfigError, load_or_create_attachment_keys, parse_attachment_keys

if TYPE_CHECKING:
    from portal.config import Settings

log = logging.getLogger(__name__)

MAGIC = b"MLAE"
VERSION = 1
NONCE_BYTES = 12
_AD_PREFIX = b"mla-portal attachment v1\x00"


class DecryptionError(Exception):
    """The file cannot be decrypted: tampered, swapped, truncated or under an unknown key."""


class UnknownKey(DecryptionError):
    """The file names a key id that is not in the key ring."""


@dataclass(frozen=True)
class Header:
    key_id: str
    nonce: bytes
    raw: bytes


def parse_header(blob: bytes) -> Header:
    if len(blob) < 6 or blob[:4] != MAGIC:
        raise DecryptionError("not an encrypted attachment (bad magic)")
    if blob[4] != VERSION:
        raise DecryptionError(f"unsupported format version {blob[4]}")
    id_length = blob[5]
    end = 6 + id_length + NONCE_BYTES
    if id_length == 0 or len(blob) < end + 16:
        raise DecryptionError("truncated header")
    try:
        key_id = blob[6:6 + id_length].decode("ascii")
    except UnicodeDecodeError as exc:
        raise DecryptionError("bad key id") from exc
    return Header(key_id, blob[6 + id_length:end], blob[:end])


def associated_data(header: bytes, request_id: str, attachment_id: str) -> bytes:
    return b"".join([_AD_PREFIX, header, b"\x00", request_id.encode("utf-8"), b"\x00",
                     attachment_id.encode("utf-8")])


@dataclass(frozen=True)
class KeyRing:
    """Named AES-256 keys; the first is current. Its repr never shows key material."""

    keys: tuple[tuple[str, bytes], ...] = field(repr=False)

    def __post_init__(self) -> None:
        if not self.keys:
            raise ConfigError("the attachment key ring is empty")

    @classmethod
    def parse(cls, raw: str) -> KeyRing:
        return cls(tuple(parse_attachment_keys(raw)))

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        raw = settings.attachment_keys
        if not raw:
            if settings.is_production:
                raise ConfigError("production needs PORTAL_ATTACHMENT_KEYS")
            raw = load_or_create_attachment_keys(settings.data_dir)
        return cls.parse(raw)

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(key_id for key_id, _ in self.keys)

    def _key(self, key_id: str) -> bytes:
        for candidate, key in self.keys:
            if candidate == key_id:
                return key
        raise UnknownKey(f"key {key_id!r} is not in the key ring")

    def encrypt(self, plaintext: bytes, *, request_id: str, attachment_id: str) -> bytes:
        key_id, key = self.keys[0]
        encoded_id = key_id.encode("ascii")
        header = MAGIC + bytes([VERSION, len(encoded_id)]) + encoded_id + os.urandom(NONCE_BYTES)
        nonce = header[-NONCE_BYTES:]
        sealed = AESGCM(key).encrypt(nonce, plaintext,
                                     associated_data(header, request_id, attachment_id))
        return header + sealed

    def decrypt(self, blob: bytes, *, request_id: str, attachment_id: str) -> bytes:
        header = parse_header(blob)
        key = self._key(header.key_id)
        try:
            return AESGCM(key).decrypt(header.nonce, blob[len(header.raw):],
                                       associated_data(header.raw, request_id, attachment_id))
        except InvalidTag as exc:
            raise DecryptionError("authentication failed: the file was altered, swapped or "
                                  "belongs to another attachment") from exc

    def needs_rotation(self, blob: bytes) -> bool:
        return parse_header(blob).key_id != self.current_id
