"""Re-encrypting stored attachments under the key ring's current key."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from portal.attachments.crypto import DecryptionError, KeyRing
from portal.attachments.store import AttachmentStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileRef:
    """What rotation needs to know about one stored file."""

    storage_name: str
    request_id: str
    attachment_id: str


@dataclass
class RotationResult:
    rotated: int = 0
    current: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def rotate(store: AttachmentStore, keyring: KeyRing, files: Iterable[FileRef], *,
           on_rotated: Callable[[FileRef, str], None] | None = None) -> RotationResult:
    """Re-encrypt every file not under the current key, each replaced atomically (old or new
    both decrypt: the header names the key), so it can run again after an interruption;
    ``on_rotated(ref, key_id)`` follows each replaced file (to update the database)."""
    result = RotationResult()
    for ref in files:
        try:
            blob = store.read_raw(ref.storage_name)
            if not keyring.needs_rotation(blob):
                result.current += 1
                continue
            plaintext = keyring.decrypt(blob, request_id=ref.request_id,
                                        attachment_id=ref.attachment_id)
            store.write_raw(ref.storage_name, keyring.encrypt(
                plaintext, request_id=ref.request_id, attachment_id=ref.attachment_id),
                replace=True)
        except (OSError, DecryptionError, ValueError) as exc:
            log.error("attachment %s not rotated: %s", ref.attachment_id, exc)
            result.failed.append((ref.attachment_id, str(exc)))
            continue
        result.rotated += 1
        if on_rotated is not None:
            on_rotated(ref, keyring.current_id)
    return result
