"""The ``jobs`` table: one row per piece of background work."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class JobState(StrEnum):
    WAITING = "waiting"  # due at ``run_after`` (a retry waits for its backoff)
    RUNNING = "running"  # claimed by a worker until ``lease_until``
    DONE = "done"
    FAILED = "failed"  # every attempt failed; an admin may retry it


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("key"),
        # the workers' look-up of due jobs
        Index("ix_jobs_state_run_after", "state", "run_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    #: Makes a job once only (a package's build, a scheduled task's slot); None: no such rule.
    key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    payload_json: Mapped[str] = mapped_column(Text, default="{}")
    state: Mapped[str] = mapped_column(String(10), default=JobState.WAITING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_owner: Mapped[str] = mapped_column(String(80), default="")
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
