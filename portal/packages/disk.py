"""Files written for good: created exclusively, flushed to disk with their directories, built in
a temporary directory next to their final place, and hashed."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from portal.storage.directory import fsync_dir

#: The directory under a packages (or output) folder where bags are assembled.
TEMP_DIR_NAME = ".tmp"


def write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (readable by the owner only; never an existing file) holding ``data``."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def fsync_tree(root: Path) -> None:
    """Flush every file and directory of ``root`` to disk (before it is renamed into place)."""
    for directory, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(directory, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(directory))



def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def new_temp_dir(parent: Path, stem: str) -> Path:
    """A new empty directory ``parent/.tmp/<stem>.<pid>.<random>``."""
    temp_root = parent / TEMP_DIR_NAME
    temp_root.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = temp_root / f"{stem}.{os.getpid()}.{secrets.token_hex(6)}"
    path.mkdir(mode=0o700)
    return path
