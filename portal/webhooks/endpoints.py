"""The admins' operations on endpoints: register (the URL checked, a secret made and shown
once), disable, rotate the secret, list; each change audited. The callers check the role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.accounts.models import Authority, new_public_id
from portal.accounts.operations import Actor
from portal.audit.log import record
from portal.config import Settings
from portal.crypto import KeyRing
from portal.db import utcnow
from portal.webhooks import secrets
from portal.webhooks.addresses import Resolver, check, resolve
from portal.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint

MAX_DESCRIPTION = 200
MAX_ENDPOINTS_PER_AUTHORITY = 10
#: How long the secret before a rotation still signs beside the new one.
ROTATION_OVERLAP = timedelta(hours=24)


class EndpointRefused(ValueError):
    """The endpoint cannot be registered; ``code`` is the page's message (authority, count)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Created:
    endpoint: WebhookEndpoint
    #: ``whsec_...``: the only time the secret is shown.
    secret: str


def register(db: Session, settings: Settings, keyring: KeyRing, actor: Actor, *,
             authority_public_id: str, url: str, description: str = "",
             resolver: Resolver = resolve) -> Created:
    """A new endpoint of an active authority, its URL checked (UrlRefused when not allowed)."""
    authority = db.scalar(select(Authority).where(Authority.public_id == authority_public_id,
                                                  Authority.active.is_(True)))
    if authority is None:
        raise EndpointRefused("authority")
    target, _addresses = check(url, local_allowed=settings.local_addresses_allowed,
                               resolver=resolver)
    count = len(list(db.scalars(select(WebhookEndpoint.id).where(
        WebhookEndpoint.authority_id == authority.id, WebhookEndpoint.disabled_at.is_(None)))))
    if count >= MAX_ENDPOINTS_PER_AUTHORITY:
        raise EndpointRefused("count")
    key = secrets.new_secret()
    endpoint = WebhookEndpoint(public_id=new_public_id(), authority_id=authority.id,
                               url=target.url,
                               description=" ".join(description.split())[:MAX_DESCRIPTION],
                               created_by_id=actor.id, created_at=utcnow())
    endpoint.secret_encrypted = secrets.seal(keyring, endpoint.public_id, key)
    db.add(endpoint)
    db.flush()
    record(db, "webhook.registered", actor_id=actor.id, actor=actor.email, ip=actor.ip,
           object_type="webhook", object_id=endpoint.public_id,
           details={"authority": authority.public_id, "url": endpoint.url})
    return Created(endpoint, secrets.display(key))


def disable(db: Session, actor: Actor, endpoint: WebhookEndpoint, *, reason: str = "admin"
            ) -> bool:
    """Stop sending to ``endpoint`` (its pending deliveries cancelled); False if it was."""
    if endpoint.disabled_at is not None:
        return False
    endpoint.disabled_at = utcnow()
    endpoint.disabled_reason = reason
    for delivery in db.scalars(select(WebhookDelivery).where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.state == DeliveryState.PENDING.value)):
        delivery.state = DeliveryState.CANCELLED.value
        delivery.next_attempt_at = None
    record(db, "webhook.disabled", actor_id=actor.id, actor=actor.email, ip=actor.ip,
           object_type="webhook", object_id=endpoint.public_id, details={"reason": reason})
    return True


def rotate(db: Session, keyring: KeyRing, actor: Actor, endpoint: WebhookEndpoint) -> str:
    """A new secret (returned, shown once); the old one still signs for ROTATION_OVERLAP."""
    key = secrets.new_secret()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_until = utcnow() + ROTATION_OVERLAP
    endpoint.secret_encrypted = secrets.seal(keyring, endpoint.public_id, key)
    record(db, "webhook.secret_rotated", actor_id=actor.id, actor=actor.email, ip=actor.ip,
           object_type="webhook", object_id=endpoint.public_id,
           details={"previous_until": endpoint.previous_secret_until.isoformat()})
    return secrets.display(key)


def signing_keys(keyring: KeyRing, endpoint: WebhookEndpoint) -> list[bytes]:
    """The keys that sign now: the current one, and the previous one during its overlap."""
    keys = [secrets.unseal(keyring, endpoint.public_id, endpoint.secret_encrypted)]
    if endpoint.previous_secret_encrypted and endpoint.previous_secret_until is not None \
            and endpoint.previous_secret_until > utcnow():
        keys.append(secrets.unseal(keyring, endpoint.public_id,
                                   endpoint.previous_secret_encrypted))
    return keys


def all_endpoints(db: Session) -> list[WebhookEndpoint]:
    """Every endpoint with its authority, by authority then newest first."""
    return list(db.scalars(select(WebhookEndpoint).options(joinedload(WebhookEndpoint.authority))
                           .join(Authority, Authority.id == WebhookEndpoint.authority_id)
                           .order_by(Authority.name, WebhookEndpoint.created_at.desc(),
                                     WebhookEndpoint.id.desc())))


def find(db: Session, public_id: str) -> WebhookEndpoint | None:
    return db.scalar(select(WebhookEndpoint).options(joinedload(WebhookEndpoint.authority))
                     .where(WebhookEndpoint.public_id == public_id))


def recent_deliveries(db: Session, endpoint: WebhookEndpoint, limit: int = 50
                      ) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first, with their attempts."""
    return list(db.scalars(select(WebhookDelivery).options(
        selectinload(WebhookDelivery.attempt_rows))
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()).limit(limit)))
