"""Counts in fixed windows of time, kept in the database so that every process and machine
shares them; old windows are pruned by a scheduled job.

A hit is one statement, ``INSERT .. ON CONFLICT (key, window_start) DO UPDATE SET count =
count + 1 RETURNING count`` (PostgreSQL, and SQLite from 3.35): concurrent hits from any number
of processes add up exactly, and the caller learns the new count in the same round trip. Fixed
windows: a burst across a window's end can reach twice a limit, which the generous limits
allow; in exchange a count is one row and the wait to announce (Retry-After) is exact.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.db import transaction, utcnow
from portal.jobs.queue import JobContext, handler
from portal.jobs.schedule import every
from portal.limits.models import RateCounter

KEY_LENGTH = 200


@dataclass(frozen=True)
class Count:
    """A key's count in the current window, and the seconds until that window ends."""

    count: int
    retry_after: int

    def over(self, limit: int) -> bool:
        return self.count > limit


def window_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def _left(now: datetime, start: datetime, seconds: int) -> int:
    return max(1, math.ceil((start + timedelta(seconds=seconds) - now).total_seconds()))


def hit(db: Session, key: str, window_seconds: int, now: datetime | None = None) -> Count:
    """Count one more for ``key`` in the current window (in ``db``'s transaction)."""
    now = now or utcnow()
    start = window_start(now, window_seconds)
    make = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = make(RateCounter).values(key=key[:KEY_LENGTH], window_start=start, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[RateCounter.key, RateCounter.window_start],
        set_={"count": RateCounter.count + 1})
    count = db.execute(statement.returning(RateCounter.count)).scalar_one()
    return Count(int(count), _left(now, start, window_seconds))


def commit_without_waiting_for_disk(db: Session) -> None:
    """Commit counts only (PostgreSQL: without waiting for the write-ahead log to reach the
    disk): counts lost if the database server crashes are of no consequence, and every form
    post would otherwise wait for one more disk flush before its view starts."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL synchronous_commit TO OFF"))
    db.commit()


def peek(db: Session, key: str, window_seconds: int, now: datetime | None = None) -> Count:
    """``key``'s count in the current window, without counting."""
    now = now or utcnow()
    start = window_start(now, window_seconds)
    count = db.scalar(select(RateCounter.count).where(
        RateCounter.key == key[:KEY_LENGTH], RateCounter.window_start == start))
    return Count(int(count or 0), _left(now, start, window_seconds))


def address_group(ip: str) -> str:
    """The address a limit counts: an IPv4 address itself, an IPv6 address's /64 (one
    subscriber's network: its owner can use any address in it)."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ip[:64]
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def account_key(email: str) -> str:
    """An account's name in a key: a hash of its normalised e-mail address (known or not, so
    that a limit says nothing of which addresses have accounts; no address in the table)."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:32]


def longest_window(settings: Settings) -> int:
    return max(settings.limits.window_seconds, settings.login_rate_window_seconds,
               settings.login_lockout_minutes * 60)


PRUNE = "limits.prune"


@handler(PRUNE)
def prune(context: JobContext, _payload: dict[str, object]) -> None:
    """Delete the counts of windows that have ended (the longest window ago)."""
    before = utcnow() - timedelta(seconds=longest_window(context.settings))
    with transaction(context.engine) as db:
        db.execute(delete(RateCounter).where(RateCounter.window_start < before))


every(PRUNE, 600)
