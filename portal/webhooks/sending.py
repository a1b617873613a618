"""Delivering a webhook: the job ``webhooks.deliver`` claims its delivery (compare-and-set: a
delivery already delivered, failed, cancelled or being sent by another job is left alone, so
that a delivered event is never sent again), checks the URL's addresses after resolving its
name and connects to the checked address (TLS still verifies the name), POSTs the signed body
without following redirects, and records the attempt: 2xx delivered; 410 Gone disables the
endpoint; anything else is retried on PORTAL_WEBHOOK_RETRY_SCHEDULE, then failed.

The receiver sees the same ``webhook-id`` at every attempt. A worker that dies between the
receiver's answer and its record sends again once its lease ends: receivers deduplicate on
``webhook-id``, as the specification asks."""

from __future__ import annotations

import logging
import random
import secrets as random_tokens
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.engine import Engine

from portal.accounts.operations import Actor
from portal.config import Settings
from portal.crypto import DecryptionError, KeyRing
from portal.db import transaction, utcnow
from portal.instruments import WEBHOOK_DELIVERIES
from portal.jobs import schedule
from portal.jobs.queue import JobContext, enqueue, handler, waiting
from portal.webhooks import endpoints, secrets
from portal.webhooks.addresses import Resolver, Target, UrlRefused, check, resolve
from portal.webhooks.fanout import DELIVER, JOB_ATTEMPTS, job_key
from portal.webhooks.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

log = logging.getLogger(__name__)
USER_AGENT = "MLA-Portal-Webhooks/1"
MAX_ERROR = 500
#: A Retry-After longer than this is not waited for (the schedule's delay is).
MAX_RETRY_AFTER = 86400.0
SWEEP = "webhooks.sweep"


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    token: str
    url: str
    event_id: str
    body: bytes
    keys: list[bytes]
    error: str = ""  # why it cannot be sent (its secret unreadable)


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    duration_ms: int
    retry_after: float | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(and_(WebhookDelivery.state == DeliveryState.PENDING.value,
                    WebhookDelivery.next_attempt_at <= now),
               and_(WebhookDelivery.state == DeliveryState.SENDING.value,
                    WebhookDelivery.lease_until < now))


def claim(engine: Engine, settings: Settings, delivery_id: int) -> Claimed | None:
    """The delivery, now ours until its lease ends; None when it is not due or not ours."""
    now = utcnow()
    token = random_tokens.token_hex(16)
    lease = now + timedelta(seconds=3 * settings.webhooks.timeout_seconds + 60)
    with transaction(engine) as db:
        taken = db.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                          _claimable(now))
            .values(state=DeliveryState.SENDING.value, lease_token=token, lease_until=lease)
            .execution_options(synchronize_session=False))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        delivery = db.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        endpoint = db.get(WebhookEndpoint, delivery.endpoint_id)
        assert endpoint is not None
        if not endpoint.enabled:
            delivery.state = DeliveryState.CANCELLED.value
            delivery.next_attempt_at = delivery.lease_until = None
            return None
        try:
            keys, error = endpoints.signing_keys(KeyRing.from_settings(settings), endpoint), ""
        except DecryptionError as exc:
            keys, error = [], f"the endpoint's secret cannot be read: {exc}"
        return Claimed(delivery.id, token, endpoint.url, delivery.event_id,
                       delivery.payload_json.encode("utf-8"), keys, error)


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max((moment - utcnow()).total_seconds(), 0.0), MAX_RETRY_AFTER)


def post(settings: Settings, item: Claimed, *, resolver: Resolver = resolve) -> Outcome:
    """One attempt: check the addresses, connect to the checked one, POST, read the status."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    if item.error:
        return Outcome(None, item.error[:MAX_ERROR], took())
    try:
        target, addresses = check(item.url, local_allowed=settings.local_addresses_allowed,
                                  resolver=resolver)
    except UrlRefused as exc:
        return Outcome(None, f"URL refused ({exc})"[:MAX_ERROR], took())
    timestamp = int(time.time())
    headers = {
        "host": _host_header(target),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": item.event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(secrets.signature(key, item.event_id, timestamp, item.body)
                                      for key in item.keys),
    }
    pinned = httpx.URL(target.url).copy_with(host=str(addresses[0]))
    extensions = {"sni_hostname": target.host} \
        if target.scheme == "https" and target.literal is None else {}
    try:
        with httpx.Client(timeout=settings.webhooks.timeout_seconds, follow_redirects=False,
                          trust_env=False) as client, \
                client.stream("POST", pinned, content=item.body, headers=headers,
                              extensions=extensions) as response:  # the body is never read
            return Outcome(response.status_code, "", took(),
                           _retry_after(response.headers.get("retry-after")))
    except httpx.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR], took())


def _next_delay(settings: Settings, attempts: int, outcome: Outcome) -> float:
    delay = settings.webhooks.retry_schedule[attempts - 1]
    if outcome.retry_after is not None:
        delay = max(delay, outcome.retry_after)
    return delay * random.uniform(1.0, 1.1)  # noqa: S311 - spreading retries


def finish(engine: Engine, settings: Settings, item: Claimed, outcome: Outcome) -> str | None:
    """Record the attempt and the delivery's new state (only while the lease is ours)."""
    now = utcnow()
    with transaction(engine) as db:
        delivery = db.scalar(select(WebhookDelivery).where(
            WebhookDelivery.id == item.delivery_id, WebhookDelivery.lease_token == item.token,
            WebhookDelivery.state == DeliveryState.SENDING.value))
        if delivery is None:
            return None  # deleted with its request, or taken over after our lease ended
        db.add(WebhookAttempt(delivery_id=delivery.id, at=now, status_code=outcome.status_code,
                              error=outcome.error, duration_ms=outcome.duration_ms))
        delivery.attempts += 1
        delivery.lease_token, delivery.lease_until = "", None
        if outcome.delivered:
            delivery.state, delivery.delivered_at = DeliveryState.DELIVERED.value, now
            delivery.next_attempt_at = None
            WEBHOOK_DELIVERIES.labels("delivered").inc()
        elif outcome.status_code == 410 or \
                delivery.attempts >= settings.webhooks.max_attempts:
            delivery.state, delivery.next_attempt_at = DeliveryState.FAILED.value, None
            WEBHOOK_DELIVERIES.labels("failed").inc()
            if outcome.status_code == 410:  # the receiver wants no more
                endpoint = db.get(WebhookEndpoint, delivery.endpoint_id)
                if endpoint is not None:
                    endpoints.disable(db, Actor(None, "webhooks"), endpoint,
                                      reason="gone")
        else:
            delivery.state = DeliveryState.PENDING.value
            delivery.next_attempt_at = now + timedelta(
                seconds=_next_delay(settings, delivery.attempts, outcome))
            enqueue(db, DELIVER, {"delivery": delivery.id},
                    key=job_key(delivery.id, delivery.attempts + 1),
                    run_after=delivery.next_attempt_at, max_attempts=JOB_ATTEMPTS)
        log.info("webhook %s attempt %s: %s", delivery.event_id, delivery.attempts,
                 outcome.status_code or outcome.error)
        return delivery.state


def deliver(engine: Engine, settings: Settings, delivery_id: int, *,
            resolver: Resolver = resolve) -> str | None:
    """One attempt of a delivery if it is due; its new state (None: nothing done)."""
    item = claim(engine, settings, delivery_id)
    if item is None:
        return None
    return finish(engine, settings, item, post(settings, item, resolver=resolver))


@handler(DELIVER)
def _deliver(context: JobContext, payload: dict[str, object]) -> None:
    deliver(context.engine, context.settings, int(str(payload["delivery"])))


@handler(SWEEP)
def _sweep(context: JobContext, _payload: dict[str, object]) -> None:
    """A job again for every delivery due for a minute without one (its job ran out of
    attempts while the database was away, or a worker died holding it)."""
    now = utcnow()
    with transaction(context.engine) as db:
        due = list(db.scalars(select(WebhookDelivery.id).where(
            _claimable(now - timedelta(minutes=1))).limit(500)))
        for delivery_id in due:
            if not waiting(db, DELIVER, {"delivery": delivery_id}):
                enqueue(db, DELIVER, {"delivery": delivery_id}, max_attempts=JOB_ATTEMPTS)


schedule.every(SWEEP, 300)
