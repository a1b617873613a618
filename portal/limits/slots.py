"""A limit on calls running at the same time (an API token's uploads), shared by every process:
a call takes one of the key's numbered slots by inserting its row (the primary key decides
between concurrent callers) and deletes it when it ends. A slot held longer than
``STALE_SECONDS`` (a process killed mid-call) is taken over."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from portal.db import transaction, utcnow
from portal.limits.models import ConcurrencySlot

#: Longer than any call can run (the web server's timeouts are minutes at most).
STALE_SECONDS = 3600


def acquire(engine: Engine, key: str, limit: int) -> int | None:
    """The slot taken for this call (committed at once), or None when all ``limit`` are in
    use."""
    now = utcnow()
    with transaction(engine) as db:
        db.execute(delete(ConcurrencySlot).where(
            ConcurrencySlot.key == key,
            ConcurrencySlot.taken_at < now - timedelta(seconds=STALE_SECONDS)))
    for slot in range(limit):
        try:
            with transaction(engine) as db:
                db.add(ConcurrencySlot(key=key, slot=slot, taken_at=now))
        except IntegrityError:
            continue
        return slot
    return None


def release(engine: Engine, key: str, slot: int) -> None:
    with transaction(engine) as db:
        db.execute(delete(ConcurrencySlot).where(ConcurrencySlot.key == key,
                                                 ConcurrencySlot.slot == slot))
