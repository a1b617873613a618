"""``portal forward``: hands each built package to OIA's case system, never losing or
duplicating one (claims in :mod:`.claims`, targets in :mod:`.targets`)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from portal.config import Settings
from portal.db import transaction, utcnow
from portal.packages import shared
from portal.packages.claims import Claim, DeliveryError, claim, finish, new_owner
from portal.packages.models import Handoff, HandoffState
from portal.packages.repair import repair
from portal.packages.targets import Target, target_for

log = logging.getLogger(__name__)


@dataclass
class Summary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    lost: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_one(engine: Engine, settings: Settings, target: Target, claim_: Claim,
                owner: str) -> str:
    """Hand over one claimed bag and record the outcome; returns the hand-off's new state."""
    error: DeliveryError | None = None
    try:
        bag = shared.local_bag(settings, claim_.bag_name)
        if bag is None:
            raise DeliveryError(f"the bag {claim_.bag_name} is missing (portal package repair "
                                "rebuilds it)")
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
    with transaction(engine) as db:
        return db.scalar(select(func.count()).select_from(Handoff).where(Handoff.state.in_(
            [HandoffState.QUEUED.value, HandoffState.SENDING.value]))) or 0


def run(engine: Engine, settings: Settings, *, once: bool = False, until_idle: bool = False,
        stop: threading.Event | None = None, owner: str | None = None,
        target: Target | None = None, with_repair: bool = True) -> Summary:
    """Repair (thoroughly at start, then every 12 polls; not ``with_repair``: the scheduled
    repair jobs do it), hand over what is due, and unless ``once`` poll every
    ``PORTAL_FORWARD_POLL_SECONDS`` until ``stop`` is set or, with ``until_idle``, until nothing
    is queued or being sent."""
    owner = owner or new_owner()
    target = target or target_for(settings)
    stop = stop or threading.Event()
    total = Summary()
    last_repair = 0.0
    while not stop.is_set():
        if with_repair and (time.monotonic() - last_repair >=
                            max(settings.forward_poll_seconds, 1.0) * 12 or last_repair == 0.0):
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
    with transaction(engine) as db:
        due = db.scalar(select(Handoff.next_attempt_at)
                        .where(Handoff.state == HandoffState.QUEUED.value)
                        .order_by(Handoff.next_attempt_at).limit(1))
    wait = settings.forward_poll_seconds
    if due is not None:
        wait = min(wait, max((due - utcnow()).total_seconds(), 0.01))
    return wait

