"""An attachment of a request: a checked PDF, stored encrypted under a random name."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User, new_public_id
from portal.db import Base, UTCDateTime, utcnow
from portal.requests.models import MlaRequest

FILENAME_MAX = 200


class CheckState(StrEnum):
    """A stored upload's check by a worker: only accepted files are part of the request."""

    CHECKING = "checking"
    ACCEPTED = "accepted"
    REFUSED = "refused"


class Attachment(Base):
    """One PDF of a request. ``removed_at`` marks one removed after it was part of a submitted
    version: its file stays for that version, the working copy no longer shows it (one removed
    before any submission is deleted with its file). A refused file keeps its row (the reason
    shown to the user until removed) but not its bytes."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_request_id", "request_id"),
                      Index("ix_attachments_checking", "uploaded_by_id", "check_state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    filename: Mapped[str] = mapped_column(String(FILENAME_MAX))
    document_kind: Mapped[str] = mapped_column(String(40))
    #: The document's language as its submitter declared it (BCP 47, e.g. "es", "zh-Hans").
    language: Mapped[str] = mapped_column(String(35), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    pages: Mapped[int] = mapped_column(Integer)
    pdf_repaired: Mapped[bool] = mapped_column(Boolean, default=False)
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[str] = mapped_column(String(16))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    check_state: Mapped[str] = mapped_column(String(10), default=CheckState.ACCEPTED.value)
    #: The refusal's code (``portal.attachments.inspect.MESSAGES``) and its message parameters.
    check_reason: Mapped[str] = mapped_column(String(40), default="")
    check_params: Mapped[str] = mapped_column(String(200), default="{}")
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: The ask for documents (portal.asks) this file answers: part of no version until the
    #: answer is sent, then of the minor version it made.
    ask_id: Mapped[int | None] = mapped_column(ForeignKey("document_asks.id"), nullable=True)

    request: Mapped[MlaRequest] = relationship()
    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])
