"""From the domains' events to deliveries: a request's change of status or OIA's new message
makes one delivery per enabled endpoint of the request's authority, and its job, in the
publisher's transaction (nothing is sent unless the change commits). The body names the
request's reference and status only: no case content."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.operations import Actor
from portal.audit.log import record
from portal.db import utcnow
from portal.jobs.queue import enqueue
from portal.requests.models import MlaRequest
from portal.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from portal.webhooks.secrets import new_event_id

DELIVER = "webhooks.deliver"
STATUS_CHANGED = "request.status_changed"
MESSAGE_CREATED = "request.message_created"
TEST = "webhook.test"
#: Attempts of one delivery job (a job that fails is a fault of the portal, not of the
#: receiver: the receiver's failures are retried on the delivery's own schedule).
JOB_ATTEMPTS = 5


class RequestEvent(Protocol):
    @property
    def request_id(self) -> int: ...


def body(event_type: str, at: datetime, data: dict[str, Any]) -> str:
    """The JSON sent (minified: the exact bytes that are signed)."""
    timestamp = at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({"type": event_type, "timestamp": timestamp, "data": data},
                      separators=(",", ":"), ensure_ascii=False)


def job_key(delivery_id: int, attempt: int) -> str:
    return f"{DELIVER}:{delivery_id}:{attempt}"


def add_delivery(db: Session, endpoint_id: int, request_id: int | None, event_id: str,
                 event_type: str, payload: str) -> WebhookDelivery:
    """A delivery due now, and the job of its first attempt (in ``db``'s transaction)."""
    now = utcnow()
    delivery = WebhookDelivery(endpoint_id=endpoint_id, request_id=request_id, event_id=event_id,
                               event_type=event_type, payload_json=payload,
                               state=DeliveryState.PENDING.value, attempts=0,
                               next_attempt_at=now, created_at=now)
    db.add(delivery)
    db.flush()
    enqueue(db, DELIVER, {"delivery": delivery.id}, key=job_key(delivery.id, 1),
            max_attempts=JOB_ATTEMPTS)
    return delivery


def _request_event(db: Session, request_id: int, event_type: str) -> None:
    row = db.execute(select(MlaRequest.authority_id, MlaRequest.reference, MlaRequest.status,
                            MlaRequest.training).where(MlaRequest.id == request_id)).one_or_none()
    if row is None or row.training or not row.reference:
        return  # practice requests and drafts tell no one
    endpoints = list(db.scalars(select(WebhookEndpoint.id).where(
        WebhookEndpoint.authority_id == row.authority_id, WebhookEndpoint.disabled_at.is_(None))
        .order_by(WebhookEndpoint.id)))
    if not endpoints:
        return
    event_id = new_event_id()
    payload = body(event_type, utcnow(), {"reference": row.reference, "status": row.status})
    for endpoint_id in endpoints:
        add_delivery(db, endpoint_id, request_id, event_id, event_type, payload)


def on_status_changed(db: Session, event: RequestEvent) -> None:
    """A submission, a withdrawal or a triage action changed the request's status."""
    _request_event(db, event.request_id, STATUS_CHANGED)


def on_message(db: Session, event: RequestEvent) -> None:
    """OIA wrote to the requesting authority (a message, or an ask for documents)."""
    _request_event(db, event.request_id, MESSAGE_CREATED)


def send_test(db: Session, actor: Actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A ``webhook.test`` event to one endpoint (audited)."""
    delivery = add_delivery(db, endpoint.id, None, new_event_id(), TEST,
                            body(TEST, utcnow(), {}))
    record(db, "webhook.test_sent", actor_id=actor.id, actor=actor.email, ip=actor.ip,
           object_type="webhook", object_id=endpoint.public_id,
           details={"event": delivery.event_id})
    return delivery
