"""The ``rate_counters`` table: how many times a key (an account's form posts, an address's
failed sign-ins...) was counted in one fixed window of time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime


class RateCounter(Base):
    __tablename__ = "rate_counters"
    __table_args__ = (PrimaryKeyConstraint("key", "window_start"),)

    #: What is counted, e.g. ``post.account:12`` or ``login.address:203.0.113.9``.
    key: Mapped[str] = mapped_column(String(200))
    #: The start of the window (a multiple of its length since the epoch).
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    count: Mapped[int] = mapped_column(Integer, default=0)


class ConcurrencySlot(Base):
    """One of the ``limit`` slots of a key (an API token's uploads) taken by a call running
    now (portal.limits.slots): a row per call, deleted when the call ends."""

    __tablename__ = "concurrency_slots"
    __table_args__ = (PrimaryKeyConstraint("key", "slot"),)

    key: Mapped[str] = mapped_column(String(200))
    slot: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
