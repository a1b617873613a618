"""The request as stored: its working draft, its frozen versions and its timeline."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Authority, User, new_public_id
from portal.db import Base, UTCDateTime, utcnow


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_TRIAGE = "in_triage"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    REFERRED = "referred"
    IN_EXECUTION = "in_execution"
    COMPLETED = "completed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


#: States in which the requesting authority may edit the working copy.
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


class MlaRequest(Base):
    __tablename__ = "requests"
    __table_args__ = (Index("ix_requests_authority_status", "authority_id", "status"),
                      # "My requests": an authority's requests, latest changed first (keyset)
                      Index("ix_requests_authority_updated", "authority_id", "updated_at", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    reference: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT.value)
    training: Mapped[bool] = mapped_column(Boolean, default=False)
    draft_json: Mapped[str] = mapped_column(Text, default="{}")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    #: Wizard state beside the contract: sections marked done, warnings acknowledged.
    progress_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    acks_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: A legal hold (portal.retention.hold): while ``held_at`` is set nothing purges the request.
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: The public id of the OIA manager who set the hold, and why (None without a hold).
    held_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    hold_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    authority: Mapped[Authority] = relationship()
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    versions: Mapped[list[RequestVersion]] = relationship(
        back_populates="request", order_by="[RequestVersion.number, RequestVersion.minor]")

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def editable(self) -> bool:
        return self.status_enum in EDITABLE

    @property
    def held(self) -> bool:
        return self.held_at is not None


class RequestVersion(Base):
    """A submitted, frozen version of the request and the findings computed at submission.
    ``minor`` counts the versions made by documents added after submission (portal.asks):
    version 1.1 has the content of 1 and more attachments; a resubmission makes 2 (minor 0)."""

    __tablename__ = "request_versions"
    __table_args__ = (UniqueConstraint("request_id", "number", "minor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    number: Mapped[int] = mapped_column(Integer)
    minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    content_json: Mapped[str] = mapped_column(Text)
    findings_json: Mapped[str] = mapped_column(Text, default="[]")
    #: The reference data's version when the findings were computed (``kind=version;...``).
    reference_version: Mapped[str] = mapped_column(String(400), default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    request: Mapped[MlaRequest] = relationship(back_populates="versions")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])

    @property
    def label(self) -> str:
        return version_label(self.number, self.minor)


def version_label(number: int, minor: int = 0) -> str:
    """How a version is named: ``1``, or ``1.1`` for documents added to version 1."""
    return f"{number}.{minor}" if minor else str(number)


def parse_version_label(text: str | None) -> tuple[int, int] | None:
    """``"1"`` -> (1, 0), ``"1.2"`` -> (1, 2); None for anything else."""
    major, dot, minor = str(text or "").partition(".")
    if not major.isdigit() or (dot and not minor.isdigit()) or len(major + minor) > 6:
        return None
    return int(major), int(minor or 0)


class ReferenceCounter(Base):
    """The last reference number given out in a series and year: ``MLA-2026-000042`` for real
    requests, ``PRACTICE-2026-000012`` for practice requests."""

    __tablename__ = "reference_series_counters"

    series: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


#: The reference series of real and of practice requests.
REAL_SERIES = "MLA"
PRACTICE_SERIES = "PRACTICE"


class RequestEvent(Base):
    """One step of the request's life, shown as its timeline."""

    __tablename__ = "request_events"
    __table_args__ = (Index("ix_request_events_request_at", "request_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(Text, default="")



class RequestMessage(Base):
    """A message between the requesting authority and OIA about one request (case content:
    shown only in the portal; e-mails only say that a message arrived)."""

    __tablename__ = "request_messages"
    __table_args__ = (Index("ix_request_messages_request_at", "request_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    from_oia: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship()


class RequestSearch(Base):
    """A request's search document: its references (ours and the authority's case numbers),
    persons, identifiers, accounts and offence names, accent- and case-folded, as words between
    single spaces with a space at each end (see :mod:`portal.requests.search_text`). PostgreSQL
    finds words in it with a trigram index; SQLite with the FTS5 table ``request_search_fts``
    (trigram tokenizer), kept by triggers. Both are made by migration 0026, not by this
    model (Alembic compares neither: see portal.models.not_made_by_models)."""

    __tablename__ = "request_search"

    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), primary_key=True,
                                            autoincrement=False)
    document: Mapped[str] = mapped_column(Text, default=" ")
