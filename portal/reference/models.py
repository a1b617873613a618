"""The ``reference_versions`` table: every state of the reference data, whole, numbered, with
who made it, why and from which source (the newest number is the data in force)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class ReferenceVersion(Base):
    __tablename__ = "reference_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: 1, 2, 3...: unique, so that two saves based on the same version cannot both win.
    number: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: None for version 1, seeded from the package's files by migration 0021.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    #: Why the change was made, and where its facts come from (a treaty text, a list...).
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(1000), default="")
    #: The whole set: kind -> the document of the files' layout, as canonical JSON.
    data_json: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
