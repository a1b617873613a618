"""An ask for documents: OIA's message naming what it needs, open until the requester sends
the files (or resubmits the whole request)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.accounts.models import new_public_id
from portal.db import Base, UTCDateTime, utcnow


class DocumentAsk(Base):
    __tablename__ = "document_asks"
    __table_args__ = (Index("ix_document_asks_request_id", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The message of the thread that carries the ask's text.
    message_id: Mapped[int] = mapped_column(ForeignKey("request_messages.id"))
    #: The document kinds asked for (the contract's vocabulary), as a JSON list.
    kinds_json: Mapped[str] = mapped_column(Text, default="[]")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    answer_message_id: Mapped[int | None] = mapped_column(ForeignKey("request_messages.id"),
                                                          nullable=True)
    #: The version that closed it: the minor version of the answer, or a resubmission.
    version_id: Mapped[int | None] = mapped_column(ForeignKey("request_versions.id"),
                                                   nullable=True)

    @property
    def kinds(self) -> list[str]:
        return kinds_of(self.kinds_json)

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


def kinds_of(kinds_json: str | None) -> list[str]:
    """The kinds of document an ask names, from its stored JSON list."""
    try:
        value = json.loads(kinds_json or "[]")
    except ValueError:
        return []
    return [str(k) for k in value] if isinstance(value, list) else []
