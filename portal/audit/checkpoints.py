"""Checkpoints of the audit log: its head (the newest row's id and hash) at a time, signed with
the audit key, appended as one JSON line to a file outside the database (and e-mailed when an
address is set). A checkpoint anchors the chain: rows deleted from its end, or rewritten with
their hashes recomputed, no longer match it. Written by ``portal audit checkpoint`` and by a
scheduled job every ``PORTAL_AUDIT_CHECKPOINT_MINUTES``."""

from __future__ import annotations

import hmac
import json
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from portal.audit.hashing import compute_hash
from portal.audit.keys import AuditKeys, keys_for
from portal.audit.log import record
from portal.audit.models import AuditEvent
from portal.config import Settings
from portal.db import transaction, utcnow
from portal.i18n_core import default_locale
from portal.jobs import schedule
from portal.jobs.queue import JobContext, handler
from portal.mail import messages, outbox
from portal.storage.directory import fsync_dir

FILE_NAME = "checkpoints.jsonl"
VERSION = 1
_PREFIX = b"mla-portal audit checkpoint v1\x00"
_SIGNED = ("at", "event_id", "hash", "key_id", "v")


@dataclass(frozen=True)
class Checkpoint:
    event_id: int
    hash: str
    at: str
    key_id: str
    signature: str
    #: Where it was read (``file:line``), for messages; not signed.
    source: str = ""

    def signed_fields(self) -> dict[str, Any]:
        return {"at": self.at, "event_id": self.event_id, "hash": self.hash,
                "key_id": self.key_id, "v": VERSION}

    def line(self) -> str:
        return json.dumps({**self.signed_fields(), "signature": self.signature},
                          sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class CheckpointProblem:
    source: str
    problem: str


class CheckpointRefused(RuntimeError):
    """The head of the log does not verify: it is not checkpointed (``portal audit verify``
    tells what is wrong)."""


def _message(fields: dict[str, Any]) -> bytes:
    return _PREFIX + json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(keys: AuditKeys, event_id: int, row_hash: str, at: str) -> Checkpoint:
    unsigned = Checkpoint(event_id, row_hash, at, keys.current_id, "")
    return Checkpoint(event_id, row_hash, at, keys.current_id,
                      keys.sign(_message(unsigned.signed_fields())))


def signature_problem(checkpoint: Checkpoint, keys: AuditKeys) -> str | None:
    """Why the checkpoint's signature does not hold, or None."""
    try:
        expected = keys.sign(_message(checkpoint.signed_fields()), checkpoint.key_id)
    except KeyError:
        return (f"signed with key {checkpoint.key_id!r}, which is not in PORTAL_AUDIT_KEYS "
                "(an old key was dropped, or the checkpoint is forged)")
    if not hmac.compare_digest(expected, checkpoint.signature):
        return ("its signature is wrong: the checkpoint was edited or forged, or the key "
                f"{checkpoint.key_id!r} is not the one it was signed with")
    return None


def parse(line: str, source: str) -> Checkpoint | CheckpointProblem:
    try:
        data = json.loads(line)
    except ValueError:
        return CheckpointProblem(source, "not a checkpoint (unreadable JSON)")
    if not isinstance(data, dict) or data.get("v") != VERSION or set(data) != {
            *_SIGNED, "signature"}:
        return CheckpointProblem(source, "not a checkpoint (unexpected fields or version)")
    event_id, texts = data["event_id"], [data[n] for n in ("hash", "at", "key_id", "signature")]
    if type(event_id) is not int or event_id < 1 or not all(isinstance(t, str) for t in texts):
        return CheckpointProblem(source, "not a checkpoint (a field has the wrong type)")
    return Checkpoint(event_id, data["hash"], data["at"], data["key_id"], data["signature"],
                      source)


def read(paths: Iterable[Path]) -> tuple[list[Checkpoint], list[CheckpointProblem]]:
    """The checkpoints in these files (a missing file holds none), and the lines that are not
    checkpoints or the files that cannot be read."""
    found: list[Checkpoint] = []
    problems: list[CheckpointProblem] = []
    for path in paths:
        try:
            if not path.exists():
                continue
            with path.open(encoding="utf-8", errors="replace") as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    parsed = parse(line, f"{path}:{number}")
                    if isinstance(parsed, Checkpoint):
                        found.append(parsed)
                    else:
                        problems.append(parsed)
        except OSError as exc:
            problems.append(CheckpointProblem(str(path), "the file cannot be read "
                                                         f"({exc.strerror or exc})"))
    return found, problems


def checkpoint_file(settings: Settings) -> Path:
    return settings.audit_checkpoints_path / FILE_NAME


def append(path: Path, checkpoint: Checkpoint) -> None:
    """Append the checkpoint's line and flush it to disk (the file 0600, its folder 0700)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (checkpoint.line() + "\n").encode("utf-8"))  # one write: one whole line
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)


def write_checkpoint(engine: Engine, settings: Settings) -> Checkpoint | None:
    """Checkpoint the head of the log: append it to the checkpoint file, then record it (and
    queue its e-mail) in the log. None when the log is empty."""
    keys = keys_for(engine)
    with transaction(engine) as db:
        head = db.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
        if head is None:
            return None
        try:
            intact = hmac.compare_digest(compute_hash(head, keys), head.hash)
        except KeyError:
            intact = False
        if not intact:
            raise CheckpointRefused(f"the newest row of the audit log ({head.id}) does not "
                                    "match its hash: run portal audit verify")
        checkpoint = sign(keys, head.id, head.hash, utcnow().isoformat(timespec="seconds"))
    path = checkpoint_file(settings)
    append(path, checkpoint)  # first: a recorded checkpoint is always in the file
    with transaction(engine) as db:
        record(db, "audit.checkpoint", actor="system", object_type="audit_event",
               object_id=checkpoint.event_id,
               details={"hash": checkpoint.hash, "file": str(path), "host": socket.gethostname(),
                        "emailed_to": settings.audit_checkpoint_email or ""})
        if settings.audit_checkpoint_email:
            mail = messages.audit_checkpoint(default_locale(), position=checkpoint.event_id,
                                             time=checkpoint.at, line=checkpoint.line())
            outbox.queue(db, to=settings.audit_checkpoint_email, subject=mail.subject,
                         body=mail.body, locale=default_locale(), kind="audit.checkpoint")
    return checkpoint


CHECKPOINT = "audit.checkpoint"


@handler(CHECKPOINT)
def _checkpoint(context: JobContext, _payload: dict[str, object]) -> None:
    write_checkpoint(context.engine, context.settings)


schedule.every(CHECKPOINT, lambda settings: settings.audit_checkpoint_minutes * 60)
