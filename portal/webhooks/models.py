"""The webhook tables: endpoints (an authority's receiving URL and its sealed secret),
deliveries (one event to one endpoint, with its state) and attempts (each POST's outcome)."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Authority, new_public_id
from portal.db import Base, UTCDateTime, utcnow


class DeliveryState(StrEnum):
    PENDING = "pending"  # due at ``next_attempt_at``
    SENDING = "sending"  # an attempt is under way until ``lease_until``
    DELIVERED = "delivered"  # answered with a 2xx: never sent again
    FAILED = "failed"  # every attempt failed (or the receiver answered 410 Gone)
    CANCELLED = "cancelled"  # the endpoint was disabled before it was delivered


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_authority_id", "authority_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str] = mapped_column(String(200), default="")
    #: The signing key sealed under the key ring (portal.webhooks.secrets), never in clear.
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    #: The key before the last rotation, still signing beside the new one until
    #: ``previous_secret_until`` (zero-downtime rotation, as the specification suggests).
    previous_secret_encrypted: Mapped[str | None] = mapped_column(String(255), nullable=True)
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: ``admin`` or ``gone`` (the receiver answered 410 Gone); empty while enabled.
    disabled_reason: Mapped[str] = mapped_column(String(20), default="")

    authority: Mapped[Authority] = relationship()

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        # an endpoint's recent deliveries (the admin page)
        Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at"),
        Index("ix_webhook_deliveries_request_id", "request_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"))
    #: The request the event is about (None for a test event); deleted with the request.
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"), nullable=True)
    #: ``msg_<random>``: the ``webhook-id`` header, the same at every attempt.
    event_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(60))
    #: The exact body sent at every attempt (what is signed).
    payload_json: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default=DeliveryState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Who holds the attempt under way (a random token) and until when.
    lease_token: Mapped[str] = mapped_column(String(32), default="")
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    endpoint: Mapped[WebhookEndpoint] = relationship()
    attempt_rows: Mapped[list[WebhookAttempt]] = relationship(
        back_populates="delivery", order_by="WebhookAttempt.id")

    @property
    def reference(self) -> str:
        """The request's reference the event names (empty for a test event)."""
        data = json.loads(self.payload_json or "{}").get("data") or {}
        return str(data.get("reference") or "")


class WebhookAttempt(Base):
    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery_id", "delivery_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The receiver's HTTP status (None when no answer came: see ``error``).
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str] = mapped_column(String(500), default="")
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="attempt_rows")
