"""Encrypted attachment files under random names (never the user's file name), kept in the
storage backend the settings choose (:mod:`portal.storage`): in the directory backend at
``<data_dir>/attachments/<2 hex>/<32 hex>``, in a bucket at
``<PORTAL_S3_PREFIX>attachments/<2 hex>/<32 hex>``."""

# Names are checked against their pattern before they become a storage key, and the backend
# checks the key again (the directory backend: the resolved path must stay inside the store), so
# a name taken from the database can never reach another file. Every write is atomic (see the
# backends): a crash leaves the old file or the new one, never half of one.

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from portal.attachments.crypto import KeyRing
from portal.config import Settings
from portal.storage.base import BlobStore, StoreError
from portal.storage.directory import DirectoryStore
from portal.storage.factory import open_store

STORE_DIR_NAME = "attachments"
_NAME = re.compile(r"[0-9a-f]{32}")


class IntegrityError(Exception):
    """The decrypted content does not have the SHA-256 recorded for it."""


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    key_id: str
    sha256: str
    size: int


class AttachmentStore:
    """Attachments encrypted with the key ring, in one storage backend."""

    def __init__(self, blobs: BlobStore, keyring: KeyRing) -> None:
        self.blobs = blobs
        self.keyring = keyring

    @classmethod
    def for_data_dir(cls, data_dir: Path, keyring: KeyRing) -> AttachmentStore:
        """The directory backend under ``data_dir`` (tests and tools that name a directory)."""
        return cls(DirectoryStore(Path(data_dir) / STORE_DIR_NAME), keyring)

    @staticmethod
    def key_of(storage_name: str) -> str:
        """The storage key of a name (``ab/ab...``), after the name check."""
        if not isinstance(storage_name, str) or not _NAME.fullmatch(storage_name):
            raise StoreError("invalid storage name")
        return f"{storage_name[:2]}/{storage_name}"

    @staticmethod
    def new_name() -> str:
        return secrets.token_hex(16)

    def put(self, plaintext: bytes, *, request_id: str, attachment_id: str) -> StoredFile:
        """Encrypt under the current key and store under a new random name."""
        name = self.new_name()
        blob = self.keyring.encrypt(plaintext, request_id=request_id, attachment_id=attachment_id)
        self.write_raw(name, blob, replace=False)
        return StoredFile(name, self.keyring.current_id, hashlib.sha256(plaintext).hexdigest(),
                          len(plaintext))

    def get(self, storage_name: str, *, request_id: str, attachment_id: str,
            sha256: str) -> bytes:
        """Decrypt (authenticating the place) and verify the recorded SHA-256."""
        plaintext = self.keyring.decrypt(self.read_raw(storage_name), request_id=request_id,
                                         attachment_id=attachment_id)
        if hashlib.sha256(plaintext).hexdigest() != sha256:
            raise IntegrityError(f"attachment {attachment_id}: SHA-256 does not match")
        return plaintext

    def delete(self, storage_name: str) -> bool:
        """Remove the file; False when it was already gone."""
        return self.blobs.delete(self.key_of(storage_name))

    def exists(self, storage_name: str) -> bool:
        return self.blobs.exists(self.key_of(storage_name))

    def read_raw(self, storage_name: str) -> bytes:
        """The stored (encrypted) bytes; ``BlobNotFound``, a ``FileNotFoundError``, when none."""
        return self.blobs.get(self.key_of(storage_name))

    def write_raw(self, storage_name: str, blob: bytes, *, replace: bool) -> None:
        """Write ``blob`` atomically; ``replace=False`` refuses to overwrite a file."""
        self.blobs.put(self.key_of(storage_name), blob, replace=replace)

    def names(self) -> list[str]:
        """Every stored name (for audits of orphans)."""
        names = []
        for key in self.blobs.list_keys():
            directory, _, name = key.partition("/")
            if _NAME.fullmatch(name) and directory == name[:2]:
                names.append(name)
        return sorted(names)


def attachment_store(settings: Settings) -> AttachmentStore:
    """The attachment store of these settings (``PORTAL_STORAGE``): every caller builds its
    store here."""
    return AttachmentStore(open_store(settings, STORE_DIR_NAME), KeyRing.from_settings(settings))
