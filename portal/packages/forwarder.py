"""The forwarder: hands each queued package to OIA's case system, never losing or duplicating one.

Claiming
--------
A forwarder claims a due hand-off (``queued`` and ``next_attempt_at`` passed, or ``sending``
with an expired lease) by setting ``state='sending'``, ``owner`` (its own random id) and
``lease_until`` in a short transaction, with the attempt row (``in_progress``):

* PostgreSQL: the candidates are selected ``FOR UPDATE SKIP LOCKED``, so two forwarders never
  pick the same row, and never wait for each other;
* SQLite (one writer at a time): the claim is a compare-and-set ``UPDATE ... WHERE id = :id AND
  <still due>``; a row another forwarder claimed first no longer matches (rowcount 0).

It then delivers outside any transaction and finishes with ``UPDATE ... WHERE owner = :me AND
state = 'sending'``: if its lease had expired and another forwarder took over, it records its
attempt but leaves the hand-off alone. The lease (``PORTAL_FORWARD_LEASE_SECONDS``) is more than
twice the delivery timeout, so a live forwarder finishes within it; only a forwarder that died
mid-delivery loses its claim (its attempt is then marked ``interrupted``).

Exactly once at the receiver
----------------------------
A delivery can succeed at the receiver and still look failed here (the connection dropped after
the receiver accepted, or the forwarder died before recording success). The hand-off is then
repeated with the same identity, which the receiver deduplicates:

* HTTP: a multipart POST of the zipped bag with ``Idempotency-Key: <package id>/v<version>``
  (also the ``X-MLA-*`` headers); any 2xx is success (a receiver answers 2xx to a key it has
  already accepted); 408, 409, 425, 429, 5xx and network errors are retried with exponential
  backoff and jitter up to ``PORTAL_FORWARD_MAX_ATTEMPTS``, other 4xx fail at once (a
  configuration problem for OIA staff to fix, then "retry").
* Drop folder: the bag is copied to ``.tmp-<name>.<random>`` in the folder, fsynced, renamed to
  ``<name>``, then ``<name>.done`` (written under a temporary name and renamed) marks it
  complete: a reader takes only folders with their ``.done`` marker. A repeated hand-off finds
  the same bag (same tag-manifest hash) already there and only completes the marker.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import logging
import os
import random
import secrets
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import IO, Protocol
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.engine import Engine

from portal.audit.log import record
from portal.config import Settings
from portal.db import utcnow
from portal.packages.bag import TEMP_DIR_NAME, fsync_dir, fsync_tree, sha256_file, write_zip
from portal.packages.models import Handoff, HandoffAttempt, HandoffState, Package, PackageState
from portal.packages.service import _session, repair, sync_triage_handoff

log = logging.getLogger(__name__)

#: HTTP statuses worth retrying; other 4xx fail the hand-off at once.
RETRYABLE_STATUS = frozenset({408, 409, 425, 429})
MAX_ERROR = 2000


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Claim:
    handoff_id: int
    attempt_id: int
    attempt: int
    package_id: int
    package_public_id: str
    request_id: int
    reference: str
    version: int
    bag_name: str
    tagmanifest_sha256: str

    @property
    def idempotency_key(self) -> str:
        return f"{self.package_public_id}/v{self.version}"


class Target(Protocol):
    def describe(self) -> str: ...

    def deliver(self, bag: Path, claim: Claim) -> None: ...


# --- targets -----------------------------------------------------------------------------------

class DropFolder:
    """Copy, fsync, rename, then the ``.done`` marker (see the module's documentation)."""

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
        body = json.dumps({"reference": claim.reference, "version": claim.version,
                           "package_id": claim.package_public_id,
                           "idempotency_key": claim.idempotency_key,
                           "tagmanifest_sha256": claim.tagmanifest_sha256}, indent=2) + "\n"
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
        fields = {"reference": claim.reference, "version": str(claim.version),
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
            "X-MLA-Version": str(claim.version),
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


def target_for(settings: Settings) -> Target:
    if settings.forward_url:
        return HttpEndpoint(settings.forward_url, timeout=settings.forward_timeout_seconds,
                            temp_dir=settings.packages_path / TEMP_DIR_NAME)
    return DropFolder(settings.dropbox_path)


# --- claiming and finishing ---------------------------------------------------------------------

def new_owner() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(6)}"


def backoff_seconds(settings: Settings, attempt: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with "equal jitter": half the delay fixed, half random."""
    rng = rng or random.SystemRandom()
    delay = min(float(settings.forward_backoff_cap_seconds),
                float(settings.forward_backoff_base_seconds) * 2.0 ** max(attempt - 1, 0))
    return delay / 2 + rng.uniform(0, delay / 2)


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(and_(Handoff.state == HandoffState.QUEUED.value, Handoff.next_attempt_at <= now),
               and_(Handoff.state == HandoffState.SENDING.value, Handoff.lease_until < now))


def claim(engine: Engine, settings: Settings, owner: str, target: str,
          limit: int = 1) -> list[Claim]:
    """Claim up to ``limit`` due hand-offs of built packages for ``owner``."""
    claims: list[Claim] = []
    with _session(engine) as db:
        now = utcnow()
        query = (select(Handoff.id).join(Package, Package.id == Handoff.package_id)
                 .where(_due(now), Package.state == PackageState.BUILT.value)
                 .order_by(Handoff.next_attempt_at, Handoff.id).limit(limit))
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=Handoff)
        for handoff_id in list(db.scalars(query)):
            taken = db.execute(
                update(Handoff).where(Handoff.id == handoff_id, _due(now))
                .values(state=HandoffState.SENDING.value, owner=owner,
                        lease_until=now + timedelta(seconds=settings.forward_lease_seconds),
                        attempts=Handoff.attempts + 1, target=target[:500], updated_at=now)
                .execution_options(synchronize_session=False))
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                continue  # another forwarder claimed it first (SQLite)
            handoff = db.get(Handoff, handoff_id)
            assert handoff is not None
            db.refresh(handoff)
            package = db.get(Package, handoff.package_id)
            assert package is not None
            db.execute(update(HandoffAttempt)
                       .where(HandoffAttempt.handoff_id == handoff_id,
                              HandoffAttempt.outcome == "in_progress")
                       .values(outcome="interrupted", finished_at=now,
                               error="the forwarder stopped before finishing (lease expired)")
                       .execution_options(synchronize_session=False))
            number = (db.scalar(select(func.max(HandoffAttempt.number))
                                .where(HandoffAttempt.handoff_id == handoff_id)) or 0) + 1
            attempt = HandoffAttempt(handoff_id=handoff_id, number=number, owner=owner,
                                     target=target[:500], started_at=now, outcome="in_progress",
                                     error="")
            db.add(attempt)
            db.flush()
            claims.append(Claim(handoff_id, attempt.id, handoff.attempts, package.id,
                                package.public_id, package.request_id, package.reference,
                                package.version, package.bag_name, package.tagmanifest_sha256))
            sync_triage_handoff(db, package.request_id)
    return claims


def finish(engine: Engine, settings: Settings, claim_: Claim, owner: str,
           error: DeliveryError | None) -> str:
    """Record the outcome of a claimed attempt; returns the hand-off's new state (or
    ``lost`` when the claim had expired and another forwarder owns the hand-off)."""
    with _session(engine) as db:
        now = utcnow()
        if error is None:
            state, outcome, message = HandoffState.SENT.value, "sent", ""
            values: dict[str, object] = {"sent_at": now, "last_error": ""}
        elif error.permanent or claim_.attempt >= settings.forward_max_attempts:
            state, outcome, message = HandoffState.FAILED.value, "failed", str(error)[:MAX_ERROR]
            values = {"last_error": message}
        else:
            state, outcome, message = HandoffState.QUEUED.value, "error", str(error)[:MAX_ERROR]
            values = {"last_error": message, "next_attempt_at": now + timedelta(
                seconds=backoff_seconds(settings, claim_.attempt))}
        changed = db.execute(
            update(Handoff).where(Handoff.id == claim_.handoff_id, Handoff.owner == owner,
                                  Handoff.state == HandoffState.SENDING.value)
            .values(state=state, owner="", lease_until=None, updated_at=now, **values)
            .execution_options(synchronize_session=False))
        db.execute(update(HandoffAttempt).where(HandoffAttempt.id == claim_.attempt_id)
                   .values(outcome=outcome, finished_at=now, error=message)
                   .execution_options(synchronize_session=False))
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            log.warning("hand-off of %s: the claim expired before it finished",
                        claim_.bag_name)
            return "lost"
        if state != HandoffState.QUEUED.value:
            record(db, "package.sent" if state == HandoffState.SENT.value else
                   "package.handoff_failed", actor="forwarder", object_type="package",
                   object_id=claim_.package_public_id,
                   details={"reference": claim_.reference, "version": claim_.version,
                            "attempts": claim_.attempt, "error": message})
        sync_triage_handoff(db, claim_.request_id)
    return state


# --- running -----------------------------------------------------------------------------------

@dataclass
class Summary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    lost: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_one(engine: Engine, settings: Settings, target: Target, claim_: Claim,
                owner: str) -> str:
    bag = settings.packages_path / claim_.bag_name
    error: DeliveryError | None = None
    try:
        if not (bag / "tagmanifest-sha256.txt").is_file():
            raise DeliveryError(f"the bag {bag} is missing (portal package repair rebuilds it)")
        target.deliver(bag, claim_)
    except DeliveryError as exc:
        error = exc
    except Exception as exc:  # an unexpected error is an attempt that failed, not a crash
        log.exception("hand-off of %s failed", claim_.bag_name)
        error = DeliveryError(f"{type(exc).__name__}: {exc}")
    return finish(engine, settings, claim_, owner, error)


def run_pass(engine: Engine, settings: Settings, target: Target, owner: str,
             stop: threading.Event | None = None) -> Summary:
    """Hand over every hand-off due now (one at a time, so several forwarders share them)."""
    summary = Summary()
    while stop is None or not stop.is_set():
        claims = claim(engine, settings, owner, target.describe())
        if not claims:
            break
        for item in claims:
            state = deliver_one(engine, settings, target, item, owner)
            if state == HandoffState.SENT.value:
                summary.sent += 1
            elif state == HandoffState.FAILED.value:
                summary.failed += 1
            elif state == "lost":
                summary.lost += 1
            else:
                summary.retrying += 1
    return summary


def outstanding(engine: Engine) -> int:
    """Hand-offs not finished yet (queued or being sent)."""
    with _session(engine) as db:
        return db.scalar(select(func.count()).select_from(Handoff).where(Handoff.state.in_(
            [HandoffState.QUEUED.value, HandoffState.SENDING.value]))) or 0


def run(engine: Engine, settings: Settings, *, once: bool = False, until_idle: bool = False,
        stop: threading.Event | None = None, owner: str | None = None,
        target: Target | None = None) -> Summary:
    """The forwarder: repair (at start thoroughly, then every 12 polls for what is pending),
    then hand over what is due, and (unless ``once``) keep polling every
    ``PORTAL_FORWARD_POLL_SECONDS`` until ``stop`` is set or, with ``until_idle``, until nothing
    is queued or being sent."""
    owner = owner or new_owner()
    target = target or target_for(settings)
    stop = stop or threading.Event()
    total = Summary()
    last_repair = 0.0
    while not stop.is_set():
        if time.monotonic() - last_repair >= max(settings.forward_poll_seconds, 1.0) * 12 \
                or last_repair == 0.0:
            report = repair(engine, settings, thorough=last_repair == 0.0)
            total.errors.extend(f"{name}: {error}" for name, error in report.failed)
            last_repair = time.monotonic()
        summary = run_pass(engine, settings, target, owner, stop)
        total.sent += summary.sent
        total.retrying += summary.retrying
        total.failed += summary.failed
        total.lost += summary.lost
        if once or (until_idle and outstanding(engine) == 0):
            break
        stop.wait(_next_wait(engine, settings))
    return total


def _next_wait(engine: Engine, settings: Settings) -> float:
    """Until the next hand-off is due, at most the poll interval."""
    with _session(engine) as db:
        due = db.scalar(select(Handoff.next_attempt_at)
                        .where(Handoff.state == HandoffState.QUEUED.value)
                        .order_by(Handoff.next_attempt_at).limit(1))
    wait = settings.forward_poll_seconds
    if due is not None:
        wait = min(wait, max((due - utcnow()).total_seconds(), 0.01))
    return wait


def install_signal_handlers(stop: threading.Event) -> None:
    """SIGTERM and SIGINT finish the hand-off under way, then stop."""
    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
