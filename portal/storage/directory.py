"""Files in a local directory: a key ``ab/cd`` is the file ``<root>/ab/cd``.

The resolved path must be the key's own path under the root (no symlink may lead elsewhere),
so a key taken from the database can never reach another file. Writes go to a temporary file in
the same directory, are fsynced and renamed into place (then the directory is fsynced): a crash
leaves the old file or the new one, never half of one. Directories are 0700, files 0600.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from portal.storage.base import BlobExists, BlobNotFound, StoreError, check_key

_TEMP_PREFIX = ".tmp-"


class DirectoryStore:
    """The :class:`~portal.storage.base.BlobStore` of one machine's disk."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"DirectoryStore({str(self.root)!r})"

    def path_of(self, key: str) -> Path:
        """The file's path, after the key and containment checks."""
        parts = check_key(key).split("/")
        expected = self.root.joinpath(*parts)
        path = expected.resolve()
        if path != expected or not path.is_relative_to(self.root):
            raise StoreError("storage key escapes the store")
        return path

    def put(self, key: str, data: bytes, *, replace: bool) -> None:
        path = self.path_of(key)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        directory = self.root
        for part in key.split("/")[:-1]:
            directory = directory / part
            directory.mkdir(mode=0o700, exist_ok=True)
        path = self.path_of(key)  # again: a directory made meanwhile must not be a symlink
        if not replace and path.exists():
            raise BlobExists("storage name already in use")
        temp = path.parent / f"{_TEMP_PREFIX}{secrets.token_hex(8)}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if replace:
                os.replace(temp, path)
            else:
                try:
                    os.link(temp, path)  # fails if the name appeared meanwhile
                except FileExistsError as exc:
                    raise BlobExists("storage name already in use") from exc
                temp.unlink()
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        fsync_dir(path.parent)

    def get(self, key: str) -> bytes:
        try:
            return self.path_of(key).read_bytes()
        except FileNotFoundError as exc:
            raise BlobNotFound(f"nothing stored under {key}") from exc

    def delete(self, key: str) -> bool:
        path = self.path_of(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        fsync_dir(path.parent)
        return True

    def exists(self, key: str) -> bool:
        return self.path_of(key).is_file()

    def list_keys(self) -> list[str]:
        if not self.root.is_dir():
            return []
        found = []
        for directory, subdirectories, files in os.walk(self.root):
            subdirectories[:] = [d for d in subdirectories if not d.startswith(".")]
            relative = Path(directory).relative_to(self.root)
            for name in files:
                key = (relative / name).as_posix()
                try:
                    check_key(key)
                except StoreError:
                    continue  # a temporary file, or one the store did not write
                found.append(key)
        return sorted(found)


def fsync_dir(directory: Path) -> None:
    """Flush a directory's entries (a file just renamed or linked into it) to disk."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
