"""The storage interface: bytes put, read, checked and deleted under a key, and the keys
listed (for key rotation and audits of orphans).

A key is a relative path of one to eight segments separated by ``/``; each segment is letters,
digits, ``_``, ``-`` and ``.`` and starts with a letter or a digit, so a key can never name a
parent directory or a hidden (temporary) file. Backends add their own checks on top.
"""

from __future__ import annotations

import re
from typing import Protocol

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}(?:/[A-Za-z0-9][A-Za-z0-9_.-]{0,127}){0,7}")


class StoreError(Exception):
    """A key is invalid, points outside the store, or is already taken."""


class BlobExists(StoreError):
    """``put(..., replace=False)`` found the key already in use."""


class BlobNotFound(FileNotFoundError):
    """Nothing is stored under the key (a ``FileNotFoundError``, as a missing file is)."""


class StorageFailure(OSError):
    """The backend could not be reached or refused the operation (an ``OSError``, as a disk's
    failure is, so that callers handle both alike)."""


def check_key(key: object) -> str:
    """``key`` when it is a valid key, else :class:`StoreError`."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise StoreError("invalid storage key")
    return key


class BlobStore(Protocol):
    """Bytes under keys. Each ``put`` is atomic: a reader sees the old bytes or the new ones,
    never part of either."""

    def put(self, key: str, data: bytes, *, replace: bool) -> None:
        """Store ``data``; ``replace=False`` raises :class:`BlobExists` when the key is in use
        (also when another writer takes it at the same time)."""

    def get(self, key: str) -> bytes:
        """The bytes; :class:`BlobNotFound` when the key holds nothing."""

    def delete(self, key: str) -> bool:
        """Remove the bytes; False when there were none."""

    def exists(self, key: str) -> bool:
        """Whether the key holds bytes."""

    def list_keys(self) -> list[str]:
        """Every stored key, sorted."""
