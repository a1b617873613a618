"""Claiming due hand-offs for one forwarder (with a lease), and recording each attempt's
outcome: sent, retried later with backoff and jitter, or failed."""

# A forwarder claims a due hand-off (queued and next_attempt_at passed, or sending with an
# expired lease) by setting state='sending', owner (its own random id) and lease_until in a short
# transaction, with its attempt row (in_progress). On PostgreSQL the candidates are selected FOR
# UPDATE SKIP LOCKED, so two forwarders never pick the same row nor wait for each other; on
# SQLite the claim is a compare-and-set UPDATE ... WHERE id = :id AND <still due>, which a row
# claimed first by another forwarder no longer matches.
#
# It delivers outside any transaction, then finishes with UPDATE ... WHERE owner = :me AND
# state = 'sending': if its lease expired and another forwarder took over, it records its attempt
# but leaves the hand-off alone. The lease (PORTAL_FORWARD_LEASE_SECONDS) is more than twice the
# delivery timeout, so only a forwarder that died mid-delivery loses its claim (its attempt is
# then marked interrupted).

from __future__ import annotations

import logging
import os
import random
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.engine import Engine

from portal.audit.log import record
from portal.config import Settings
from portal.db import transaction, utcnow
from portal.packages.models import Handoff, HandoffAttempt, HandoffState, Package, PackageState
from portal.packages.status import sync_triage_handoff

log = logging.getLogger(__name__)

MAX_ERROR = 2000


class DeliveryError(Exception):
    """A hand-off that did not succeed; a ``permanent`` one is not tried again."""

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
    #: The minor version (documents added after submission; 0 for a whole version).
    minor: int = 0

    @property
    def label(self) -> str:
        """``1``, or ``1.1`` for a minor version."""
        return f"{self.version}.{self.minor}" if self.minor else str(self.version)

    @property
    def idempotency_key(self) -> str:
        return f"{self.package_public_id}/v{self.label}"


def new_owner() -> str:
    """A forwarder's own id: host, process and a random part."""
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
    with transaction(engine) as db:
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
                                package.version, package.bag_name, package.tagmanifest_sha256,
                                package.minor))
            sync_triage_handoff(db, package.request_id)
    return claims


def finish(engine: Engine, settings: Settings, claim_: Claim, owner: str,
           error: DeliveryError | None) -> str:
    """Record the outcome of a claimed attempt; returns the hand-off's new state (or
    ``lost`` when the claim had expired and another forwarder owns the hand-off)."""
    with transaction(engine) as db:
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

