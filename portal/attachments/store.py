"""Encrypted attachment files on disk, outside the web root, at
``<data_dir>/attachments/<2 hex>/<32 hex>`` (a random name, never the user's file name)."""

# Names are checked against their pattern and the resolved path must stay inside the store, so a
# name taken from the database can never reach another file. Writes go to a temporary file in the
# same directory, are fsynced and renamed into place (then the directory is fsynced): a crash
# leaves the old file or the new one, never half of one. Directories are 0700, files 0600.

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from portal.attachments.crypto import KeyRing

STORE_DIR_NAME = "attachments"
_NAME = re.compile(r"[0-9a-f]{32}")


class StoreError(Exception):
    """A storage name is invalid or points outside the store."""


class IntegrityError(Exception):
    """The decrypted content does not have the SHA-256 recorded for it."""


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    key_id: str
    sha256: str
    size: int


class AttachmentStore:
    def __init__(self, root: Path, keyring: KeyRing) -> None:
        self.root = Path(root).resolve()
        self.keyring = keyring

    @classmethod
    def for_data_dir(cls, data_dir: Path, keyring: KeyRing) -> AttachmentStore:
        return cls(Path(data_dir) / STORE_DIR_NAME, keyring)

    def path_of(self, storage_name: str) -> Path:
        """The file's path, after the name and containment checks."""
        if not isinstance(storage_name, str) or not _NAME.fullmatch(storage_name):
            raise StoreError("invalid storage name")
        path = (self.root / storage_name[:2] / storage_name).resolve()
        if not path.is_relative_to(self.root) or path.parent.parent != self.root:
            raise StoreError("storage name escapes the store")
        return path

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
        path = self.path_of(storage_name)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        _fsync_dir(path.parent)
        return True

    def exists(self, storage_name: str) -> bool:
        return self.path_of(storage_name).is_file()

    def read_raw(self, storage_name: str) -> bytes:
        return self.path_of(storage_name).read_bytes()

    def write_raw(self, storage_name: str, blob: bytes, *, replace: bool) -> None:
        """Write ``blob`` atomically; ``replace=False`` refuses to overwrite a file."""
        path = self.path_of(storage_name)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        if not replace and path.exists():
            raise StoreError("storage name already in use")
        temp = path.parent / f".tmp-{secrets.token_hex(8)}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
                handle.flush()
                os.fsync(handle.fileno())
            if replace:
                os.replace(temp, path)
            else:
                os.link(temp, path)  # fails if the name appeared meanwhile
                temp.unlink()
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)

    def names(self) -> list[str]:
        """Every stored name (for audits of orphans)."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.glob("??/*") if _NAME.fullmatch(p.name))


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
