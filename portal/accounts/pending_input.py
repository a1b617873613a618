"""What a user typed and could not save yet (their session or form token had expired)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class PendingInput(Base):
    """What a user posted when their session had ended or their form token had expired, kept
    so that the page shows it again after they sign in (nothing typed is lost)."""

    __tablename__ = "pending_inputs"
    __table_args__ = (Index("ix_pending_inputs_user_path", "user_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    path: Mapped[str] = mapped_column(String(500))
    form_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
