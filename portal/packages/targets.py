"""Where packages are handed over: a drop folder, or OIA's case system over HTTP; either
deduplicates a repeated hand-off of the same package."""

# A delivery can succeed at the receiver and still look failed here (the connection dropped
# after the receiver accepted, or the forwarder died before recording success); it is then
# repeated with the same identity, which the receiver deduplicates:
#
# * HTTP: a multipart POST of the zipped bag with Idempotency-Key: <package id>/v<version> (and
#   the X-MLA-* headers); any 2xx is success (a receiver answers 2xx to a key it has already
#   accepted); 408, 409, 425, 429, 5xx and network errors are retried with backoff up to
#   PORTAL_FORWARD_MAX_ATTEMPTS, other 4xx fail at once (a configuration problem for OIA staff
#   to fix, then "retry").
# * Drop folder: the bag is copied to .tmp-<name>.<random> in the folder, fsynced, renamed to
#   <name>, then <name>.done (written under a temporary name and renamed) marks it complete: a
#   reader takes only folders with their .done marker. A repeated hand-off finds the same bag
#   (same tag-manifest hash) already there and only completes the marker.
# * Storage (PORTAL_FORWARD_TO_STORAGE): the zipped bag is written as dropbox/<name>.zip, then
#   dropbox/<name>.done (the same marker): each object appears whole or not at all, so a
#   repeated hand-off writes the same two objects again; a reader takes only zips with their
#   marker and tells repeats by the marker's idempotency key.

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Protocol
from urllib.parse import urlsplit

from portal.config import Settings
from portal.packages.archive import write_zip
from portal.packages.claims import Claim, DeliveryError
from portal.packages.disk import TEMP_DIR_NAME, fsync_tree, sha256_file
from portal.storage.base import BlobStore, StorageFailure
from portal.storage.directory import fsync_dir
from portal.storage.factory import open_store

#: HTTP statuses worth retrying; other 4xx fail the hand-off at once.
RETRYABLE_STATUS = frozenset({408, 409, 425, 429})
#: The storage area of hand-offs with PORTAL_FORWARD_TO_STORAGE.
DROP_AREA = "dropbox"


class Target(Protocol):
    """Where hand-offs go: ``describe`` names it (never with credentials), ``deliver`` hands
    over one bag or raises :class:`DeliveryError`."""

    def describe(self) -> str: ...

    def deliver(self, bag: Path, claim: Claim) -> None: ...


class DropFolder:
    """Copy, fsync, rename, then the ``.done`` marker (see the comment at the top)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def describe(self) -> str:
        return f"folder {self.folder}"

    def deliver(self, bag: Path, claim: Claim) -> None:
        try:
            self._deliver(bag, claim)
        except OSError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc

    def _deliver(self, bag: Path, claim: Claim) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self.folder / claim.bag_name
        marker = self.folder / f"{claim.bag_name}.done"
        manifest = "tagmanifest-sha256.txt"
        if final.is_dir():
            there = final / manifest
            if there.is_file() and sha256_file(there) == sha256_file(bag / manifest):
                if not marker.is_file():
                    self._mark(marker, claim)
                return
            # a different or broken copy (never written by a complete hand-off): replace it
            marker.unlink(missing_ok=True)
            shutil.rmtree(final)
        temp = self.folder / f".tmp-{claim.bag_name}.{secrets.token_hex(6)}"
        try:
            shutil.copytree(bag, temp)
            fsync_tree(temp)
            os.rename(temp, final)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
        fsync_dir(self.folder)
        self._mark(marker, claim)

    def _mark(self, marker: Path, claim: Claim) -> None:
        body = marker_text(claim)
        temp = self.folder / f".tmp-{marker.name}.{secrets.token_hex(6)}"
        with temp.open("w", encoding="utf-8") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(temp, marker)
        fsync_dir(self.folder)


class HttpEndpoint:
    """A multipart/form-data POST of the zipped bag (part ``package``) with an idempotency
    key; the body is streamed from a temporary file (unlinked at once, so never orphaned)."""

    def __init__(self, url: str, *, timeout: float, temp_dir: Path) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("PORTAL_FORWARD_URL must be an http(s) URL")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.auth = None
        if parts.username is not None:
            token = f"{parts.username}:{parts.password or ''}".encode()
            self.auth = "Basic " + base64.b64encode(token).decode("ascii")
        self.timeout = timeout
        self.temp_dir = temp_dir

    def describe(self) -> str:  # never the credentials
        port = f":{self.port}" if self.port else ""
        return f"{self.scheme}://{self.host}{port}{self.path}"

    def deliver(self, bag: Path, claim: Claim) -> None:
        self.temp_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=self.temp_dir) as archive:
            write_zip(bag, archive)
            archive.flush()
            size = archive.tell()
            archive.seek(0)
            digest = hashlib.sha256()
            for block in iter(lambda: archive.read(1024 * 1024), b""):
                digest.update(block)
            archive.seek(0)
            self._post(archive, size, digest.hexdigest(), claim)

    def _post(self, archive: IO[bytes], size: int, sha256: str, claim: Claim) -> None:
        boundary = f"mla-package-{secrets.token_hex(12)}"
        fields = {"reference": claim.reference, "version": claim.label,
                  "package_id": claim.package_public_id,
                  "idempotency_key": claim.idempotency_key,
                  "tagmanifest_sha256": claim.tagmanifest_sha256, "zip_sha256": sha256}
        head = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            .encode() for name, value in fields.items())
        head += (f'--{boundary}\r\nContent-Disposition: form-data; name="package"; '
                 f'filename="{claim.bag_name}.zip"\r\nContent-Type: application/zip\r\n\r\n'
                 ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        connection: http.client.HTTPConnection
        if self.scheme == "https":
            connection = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout)
        else:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + size + len(tail)),
            "Idempotency-Key": claim.idempotency_key,
            "X-MLA-Reference": claim.reference,
            "X-MLA-Version": claim.label,
            "X-MLA-Package-SHA256": sha256,
            "User-Agent": "mla-portal-forwarder",
        }
        if self.auth:
            headers["Authorization"] = self.auth

        def body() -> Iterator[bytes]:
            yield head
            yield from iter(lambda: archive.read(1024 * 1024), b"")
            yield tail

        try:
            connection.request("POST", self.path, body=body(), headers=headers,
                               encode_chunked=False)
            response = connection.getresponse()
            text = response.read(4096).decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            connection.close()
        if 200 <= response.status < 300:
            return
        message = f"HTTP {response.status} {response.reason}: {' '.join(text.split())[:300]}"
        permanent = 400 <= response.status < 500 and response.status not in RETRYABLE_STATUS
        raise DeliveryError(message, permanent=permanent)


class StorageDrop:
    """The zipped bag, then its marker, in a store shared by every machine (see the comment at
    the top)."""

    def __init__(self, store: BlobStore) -> None:
        self.store = store

    def describe(self) -> str:
        return f"storage {self.store!r}"

    def deliver(self, bag: Path, claim: Claim) -> None:
        archive = io.BytesIO()
        write_zip(bag, archive)
        try:
            self.store.put(f"{claim.bag_name}.zip", archive.getvalue(), replace=True)
            self.store.put(f"{claim.bag_name}.done", marker_text(claim).encode("utf-8"),
                           replace=True)
        except (StorageFailure, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def marker_text(claim: Claim) -> str:
    """The ``.done`` marker of a hand-off: what a reader needs to tell a repeat."""
    return json.dumps({"reference": claim.reference,
                       "version": claim.label if claim.minor else claim.version,
                       "package_id": claim.package_public_id,
                       "idempotency_key": claim.idempotency_key,
                       "tagmanifest_sha256": claim.tagmanifest_sha256}, indent=2) + "\n"


class DropCopies(Protocol):
    """The copies a hand-off left where the case system reads them (drop folder or storage),
    for the retention schedule: whether a bag's copy is there, and its removal (the marker
    first: a reader takes only marked copies)."""

    def present(self, bag_name: str) -> bool: ...

    def remove(self, bag_name: str) -> None: ...


class FolderCopies:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _paths(self, bag_name: str) -> list[Path]:
        return [p for p in (self.folder / f"{bag_name}.done", self.folder / bag_name)
                if p.exists()]

    def present(self, bag_name: str) -> bool:
        return bool(self._paths(bag_name))

    def remove(self, bag_name: str) -> None:
        for path in self._paths(bag_name):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()


class StoredCopies:
    def __init__(self, store: BlobStore) -> None:
        self.store = store

    def present(self, bag_name: str) -> bool:
        return any(self.store.exists(f"{bag_name}{end}") for end in (".done", ".zip"))

    def remove(self, bag_name: str) -> None:
        for end in (".done", ".zip"):
            self.store.delete(f"{bag_name}{end}")


def drop_copies(settings: Settings) -> DropCopies:
    """Where this deployment's hand-offs leave copies (none over HTTP: the receiver keeps
    them; the folder's copies of earlier hand-offs are still looked for)."""
    if settings.forward_to_storage:
        return StoredCopies(open_store(settings, DROP_AREA))
    return FolderCopies(settings.dropbox_path)


def target_for(settings: Settings) -> Target:
    """``PORTAL_FORWARD_URL`` when set, the storage with ``PORTAL_FORWARD_TO_STORAGE``, else
    the drop folder."""
    if settings.forward_url:
        return HttpEndpoint(settings.forward_url, timeout=settings.forward_timeout_seconds,
                            temp_dir=settings.packages_path / TEMP_DIR_NAME)
    if settings.forward_to_storage:
        return StorageDrop(open_store(settings, DROP_AREA))
    return DropFolder(settings.dropbox_path)

