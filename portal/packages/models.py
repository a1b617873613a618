"""Tables of the packages: one package per submitted version (``pending``, then ``built`` once
its bag is on disk), its hand-off (the outbox row the forwarder works from) and every attempt
at the hand-off."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import new_public_id
from portal.db import Base, UTCDateTime, utcnow
from portal.requests.models import MlaRequest, version_label


class PackageState(StrEnum):
    #: Rows committed with the submission; the bag is not (yet) in place.
    PENDING = "pending"
    #: The bag is in place under ``Settings.packages_path / bag_name``.
    BUILT = "built"
    #: The bag was deleted by the retention schedule (portal.retention); the row, its hand-off
    #: and their history stay, and nothing builds or hands the package over again.
    PURGED = "purged"


class HandoffState(StrEnum):
    QUEUED = "queued"
    #: Claimed by a forwarder (``owner``) until ``lease_until``.
    SENDING = "sending"
    SENT = "sent"
    #: Gave up after the last allowed attempt (or a permanent refusal); OIA staff may retry.
    FAILED = "failed"


class Package(Base):
    __tablename__ = "packages"
    __table_args__ = (
        UniqueConstraint("request_id", "version", "minor"),
        Index("ix_packages_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("request_versions.id"), unique=True)
    version: Mapped[int] = mapped_column(Integer)
    #: The minor version (documents added after submission): the bag of 1.1 is ``...-v1.1``.
    minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reference: Mapped[str] = mapped_column(String(32))
    training: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(12), default=PackageState.PENDING.value)
    #: The attachments of the version as frozen at submission: ``[{"id": attachment public
    #: id, "sha256": ..., "filename": ...}]`` in the order of the request's list.
    attachments_json: Mapped[str] = mapped_column(Text, default="[]")
    build_attempts: Mapped[int] = mapped_column(Integer, default=0)
    build_error: Mapped[str] = mapped_column(Text, default="")
    payload_oxum: Mapped[str] = mapped_column(String(40), default="")
    tagmanifest_sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    request: Mapped[MlaRequest] = relationship()

    @property
    def bag_name(self) -> str:
        return bag_name(self.reference, self.version, self.minor)

    @property
    def version_label(self) -> str:
        return version_label(self.version, self.minor)


class Handoff(Base):
    """The outbox row of a package: what the forwarder claims, sends and records."""

    __tablename__ = "package_handoffs"
    __table_args__ = (Index("ix_package_handoffs_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), unique=True)
    state: Mapped[str] = mapped_column(String(12), default=HandoffState.QUEUED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    owner: Mapped[str] = mapped_column(String(64), default="")
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    target: Mapped[str] = mapped_column(String(500), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    package: Mapped[Package] = relationship()


class HandoffAttempt(Base):
    """One attempt at handing a package over: recorded when it starts (``in_progress``) and
    completed with its outcome; one left ``in_progress`` by a forwarder that died is marked
    ``interrupted`` when the hand-off is taken over."""

    __tablename__ = "package_handoff_attempts"
    __table_args__ = (Index("ix_package_handoff_attempts_handoff", "handoff_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("package_handoffs.id"))
    #: 1, 2, ... over the hand-off's whole life (``Handoff.attempts`` restarts at a retry).
    number: Mapped[int] = mapped_column(Integer)
    owner: Mapped[str] = mapped_column(String(64), default="")
    target: Mapped[str] = mapped_column(String(500), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: in_progress, sent, error, failed (error and no more attempts), interrupted
    outcome: Mapped[str] = mapped_column(String(20), default="in_progress")
    error: Mapped[str] = mapped_column(Text, default="")


def bag_name(reference: str, version: int, minor: int = 0) -> str:
    """A package's bag directory name: ``MLA-2026-000042-v1`` (``-v1.1`` for a minor version)."""
    return f"{reference}-v{version_label(version, minor)}"
