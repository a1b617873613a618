"""Re-sealing the webhook endpoints' secrets under the key ring's current key (run by
``portal attachments rotate-keys`` beside the attachment files and TOTP secrets)."""

from __future__ import annotations

import base64
import logging

from sqlalchemy import select

from portal.accounts.key_rotation import SecretRotation
from portal.audit.log import record
from portal.crypto import DecryptionError, KeyRing
from portal.db import Database
from portal.webhooks import secrets
from portal.webhooks.models import WebhookEndpoint

log = logging.getLogger(__name__)


def _reseal(keyring: KeyRing, public_id: str, sealed: str | None) -> str | None:
    """``sealed`` under the current key; None when it is already (or empty)."""
    if not sealed or not keyring.needs_rotation(base64.b64decode(sealed)):
        return None
    return secrets.seal(keyring, public_id, secrets.unseal(keyring, public_id, sealed))


def reseal_webhook_secrets(database: Database, keyring: KeyRing, *, actor: str = "cli"
                           ) -> SecretRotation:
    """Every endpoint's secrets (current and previous) under the current key; audited once."""
    result = SecretRotation()
    with database.session() as db:
        for endpoint in db.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)):
            try:
                current = _reseal(keyring, endpoint.public_id, endpoint.secret_encrypted)
                previous = _reseal(keyring, endpoint.public_id,
                                   endpoint.previous_secret_encrypted)
            except (DecryptionError, ValueError) as exc:
                log.error("webhook secret of endpoint %s not rotated: %s", endpoint.public_id,
                          exc)
                result.failed.append((endpoint.public_id, str(exc)))
                continue
            if current is None and previous is None:
                result.current += 1
                continue
            endpoint.secret_encrypted = current or endpoint.secret_encrypted
            endpoint.previous_secret_encrypted = previous or endpoint.previous_secret_encrypted
            result.rotated += 1
        record(db, "webhook.keys_rotated", actor=actor, object_type="webhook",
               details={"key": keyring.current_id, "rotated": result.rotated,
                        "already_current": result.current, "failed": len(result.failed)})
    return result
