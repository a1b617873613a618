"""Packages shared between machines. With ``PORTAL_STORAGE=s3`` each built bag is also kept in
the bucket (``<prefix>packages/<bag name>.zip``, zipped and encrypted with the attachment key
ring), and a machine whose package folder lacks a bag fetches it from there: the package folder
of each machine is then a copy, and any web node can serve any package. With the directory
backend the package folder is the only copy (one machine, or a shared file system)."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path, PurePosixPath

from portal.attachments.crypto import KeyRing
from portal.config import Settings
from portal.packages.archive import write_zip
from portal.packages.disk import fsync_tree, new_temp_dir
from portal.storage.base import BlobNotFound, BlobStore
from portal.storage.factory import open_store

PREFIX = "packages"
#: Bound to every shared bag's encryption (with the bag's name): a blob cannot pass for another.
_PURPOSE = "package"
_COMPLETE = "tagmanifest-sha256.txt"


def shared_store(settings: Settings) -> BlobStore | None:
    return open_store(settings, PREFIX) if settings.storage == "s3" else None


def _key(name: str) -> str:
    return f"{name}.zip"


def publish(settings: Settings, bag: Path) -> None:
    """Keep a copy of a built bag in the shared storage (nothing without one)."""
    store = shared_store(settings)
    if store is None:
        return
    buffer = io.BytesIO()
    write_zip(bag, buffer)
    blob = KeyRing.from_settings(settings).encrypt(buffer.getvalue(), request_id=bag.name,
                                                   attachment_id=_PURPOSE)
    store.put(_key(bag.name), blob, replace=True)


def available(settings: Settings, name: str) -> bool:
    """Whether the bag is complete in this machine's folder or kept in the shared storage."""
    if (settings.packages_path / name / _COMPLETE).is_file():
        return True
    store = shared_store(settings)
    return store is not None and store.exists(_key(name))


def local_bag(settings: Settings, name: str) -> Path | None:
    """The bag in this machine's package folder, fetched from the shared storage when it is
    only there; None when it is nowhere (a worker builds it)."""
    path = settings.packages_path / name
    if (path / _COMPLETE).is_file():
        return path
    store = shared_store(settings)
    if store is None:
        return None
    try:
        blob = store.get(_key(name))
    except BlobNotFound:
        return None
    data = KeyRing.from_settings(settings).decrypt(blob, request_id=name,
                                                   attachment_id=_PURPOSE)
    temp = new_temp_dir(settings.packages_path, name)
    _extract(data, name, temp)
    fsync_tree(temp)
    try:
        os.rename(temp / name, path)
    except OSError:  # another request fetched it first: theirs is the same bag
        if not (path / _COMPLETE).is_file():
            raise
    return path


def _extract(data: bytes, name: str, into: Path) -> None:
    """The zip's files under ``into/<name>``: only plain paths inside the bag's folder (the
    blob is authenticated, but a name is checked before it becomes a path all the same)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            parts = PurePosixPath(member.filename).parts
            if (member.is_dir() or len(parts) < 2 or parts[0] != name
                    or any(part in ("", ".", "..") for part in parts)):
                raise ValueError(f"unexpected entry {member.filename!r} in the shared bag")
            target = into.joinpath(*parts)
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with archive.open(member) as source, target.open("xb") as out:
                while chunk := source.read(1024 * 1024):
                    out.write(chunk)


def discard(settings: Settings, name: str) -> bool:
    """Delete the shared copy of a bag (retention); whether there was one."""
    store = shared_store(settings)
    return store is not None and store.delete(_key(name))
