"""Tables of staff notifications: each user's preferences per kind, the notifications shown in
the portal, and the record of what was sent (its unique key makes every notification, and
each day's reminders and digest, happen once however many workers or reruns)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class NotificationPreference(Base):
    """How one user wants one kind of notification (no row: the defaults)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    #: ``immediate``, ``digest`` or ``off``
    delivery: Mapped[str] = mapped_column(String(16))
    email: Mapped[bool] = mapped_column(Boolean, default=True)


class Notification(Base):
    """One notification in the portal: a kind and a request's reference, nothing of its
    content."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),
                      Index("ix_notifications_digest", "digest_pending", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    request_public_id: Mapped[str] = mapped_column(String(32), default="")
    reference: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Waits for the user's daily digest e-mail.
    digest_pending: Mapped[bool] = mapped_column(Boolean, default=False)


class NotificationSent(Base):
    """That ``kind`` about ``subject`` for ``period`` was sent to the user (once)."""

    __tablename__ = "notifications_sent"
    __table_args__ = (UniqueConstraint("user_id", "kind", "subject", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    #: The request's public id ("" for a digest).
    subject: Mapped[str] = mapped_column(String(64))
    #: What makes it new: a version, a message, an event, a referral, a date, a day.
    period: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
