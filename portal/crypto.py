"""Encryption at rest under a key ring: AES-256-GCM, the ring's first key encrypts and every
key decrypts. Used by the attachments (their files) and the accounts (TOTP secrets); each use
binds its ciphertext to its place with a label and the ids of what it belongs to."""

# A sealed value is header || ciphertext-with-tag, where the header is
#     b"MLAE" | version (1 byte, 1) | key id length (1 byte) | key id (ASCII) | nonce (12 bytes)
#
# The nonce is random for every encryption (a value is encrypted once per key, so 96 random bits
# stay far from the collision bound). The associated data is the use's label, the header itself
# and the ids the value belongs to, each after a NUL: a value copied to another place fails to
# decrypt.
#
# The key ring comes from Settings.attachment_keys (id:base64key,...). Rotation: put a new key
# first, keep the old ones, run `portal attachments rotate-keys` (files and TOTP secrets), then
# drop the old keys.

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Self

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from portal.config import ConfigError, load_or_create_attachment_keys, parse_attachment_keys

if TYPE_CHECKING:
    from pathlib import Path

    from portal.config import Settings

MAGIC = b"MLAE"
VERSION = 1
NONCE_BYTES = 12


class DecryptionError(Exception):
    """The value cannot be decrypted: tampered, swapped, truncated or under an unknown key."""


class UnknownKey(DecryptionError):
    """The value names a key id that is not in the key ring."""


@dataclass(frozen=True)
class Header:
    key_id: str
    nonce: bytes
    raw: bytes


def parse_header(blob: bytes) -> Header:
    if len(blob) < 6 or blob[:4] != MAGIC:
        raise DecryptionError("not an encrypted value (bad magic)")
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


def associated_data(label: bytes, header: bytes, ids: tuple[str, ...]) -> bytes:
    """``label || header`` then each id after a NUL."""
    return b"".join([label, header, *(b"\x00" + part.encode("utf-8") for part in ids)])


@dataclass(frozen=True)
class RingKind:
    """What a key ring is called, the setting and Settings field that hold it, how it is
    read, and how one is generated into the data folder outside production."""

    name: str
    setting: str
    field: str
    read: Callable[[str], list[tuple[str, bytes]]]
    generated: Callable[[Path], str]


@dataclass(frozen=True)
class NamedKeys:
    """Named keys of an ``id:base64key,...`` setting: the first is current, every one is kept
    for what it protected before (rotation). Its repr never shows key material. Subclasses
    give their KIND."""

    keys: tuple[tuple[str, bytes], ...] = field(repr=False)
    KIND: ClassVar[RingKind]

    def __post_init__(self) -> None:
        if not self.keys:
            raise ConfigError(f"the {self.KIND.name} key ring is empty")

    @classmethod
    def parse(cls, raw: str) -> Self:
        return cls(tuple(cls.KIND.read(raw)))

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """The ring of the settings; outside production one generated into the data folder
        when none is set."""
        raw: str = getattr(settings, cls.KIND.field)
        if not raw:
            if settings.is_production:
                raise ConfigError(f"production needs {cls.KIND.setting}")
            raw = cls.KIND.generated(settings.data_dir)
        return cls.parse(raw)

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(key_id for key_id, _ in self.keys)

    def find(self, key_id: str) -> bytes | None:
        return next((key for candidate, key in self.keys if candidate == key_id), None)


@dataclass(frozen=True)
class KeyRing(NamedKeys):
    """Named AES-256 keys (``PORTAL_ATTACHMENT_KEYS``): attachments and TOTP secrets."""

    KIND: ClassVar[RingKind] = RingKind("attachment", "PORTAL_ATTACHMENT_KEYS", "attachment_keys",
                                        parse_attachment_keys, load_or_create_attachment_keys)

    def _key(self, key_id: str) -> bytes:
        key = self.find(key_id)
        if key is None:
            raise UnknownKey(f"key {key_id!r} is not in the key ring")
        return key

    def seal(self, plaintext: bytes, *, label: bytes, ids: tuple[str, ...]) -> bytes:
        """``plaintext`` under the current key, bound to ``label`` and ``ids``."""
        key_id, key = self.keys[0]
        encoded_id = key_id.encode("ascii")
        header = MAGIC + bytes([VERSION, len(encoded_id)]) + encoded_id + os.urandom(NONCE_BYTES)
        nonce = header[-NONCE_BYTES:]
        return header + AESGCM(key).encrypt(nonce, plaintext,
                                            associated_data(label, header, ids))

    def unseal(self, blob: bytes, *, label: bytes, ids: tuple[str, ...]) -> bytes:
        """The plaintext of a value sealed with the same ``label`` and ``ids``."""
        header = parse_header(blob)
        key = self._key(header.key_id)
        try:
            return AESGCM(key).decrypt(header.nonce, blob[len(header.raw):],
                                       associated_data(label, header.raw, ids))
        except InvalidTag as exc:
            raise DecryptionError("authentication failed: the value was altered, swapped or "
                                  "belongs to another place") from exc

    def needs_rotation(self, blob: bytes) -> bool:
        return parse_header(blob).key_id != self.current_id
