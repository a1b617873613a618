"""Re-encrypting the accounts' TOTP secrets under the key ring's current key (run by
``portal attachments rotate-keys`` beside the attachment files)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select, update

from portal.accounts import totp
from portal.accounts.models import User
from portal.audit.log import record
from portal.crypto import DecryptionError, KeyRing
from portal.db import Database

log = logging.getLogger(__name__)


@dataclass
class SecretRotation:
    rotated: int = 0
    current: int = 0
    #: (its owner's public id: a user's, an endpoint's; problem) of each secret not readable
    failed: list[tuple[str, str]] = field(default_factory=list)


def reseal_totp_secrets(database: Database, keyring: KeyRing, *, actor: str = "cli",
                        batch: int = 200) -> SecretRotation:
    """Every sealed secret not under the current key, re-sealed (in batches, each its own
    transaction: it can run again after an interruption); audited once."""
    result = SecretRotation()
    last_id = 0
    while True:
        with database.session() as db:
            rows = db.execute(
                select(User.id, User.public_id, User.totp_secret_encrypted)
                .where(User.id > last_id, User.totp_secret_encrypted.is_not(None))
                .order_by(User.id).limit(batch)).all()
            if not rows:
                break
            last_id = rows[-1][0]
            for user_id, public_id, sealed in rows:
                if not sealed:
                    continue
                try:
                    if not totp.needs_rotation(keyring, sealed):
                        result.current += 1
                        continue
                    secret = totp.open_secret(keyring, public_id, sealed)
                except (DecryptionError, ValueError) as exc:
                    log.error("TOTP secret of user %s not rotated: %s", public_id, exc)
                    result.failed.append((public_id, str(exc)))
                    continue
                db.execute(update(User).where(User.id == user_id, User.totp_secret_encrypted
                                              == sealed)
                           .values(totp_secret_encrypted=totp.seal_secret(keyring, public_id,
                                                                          secret)))
                result.rotated += 1
    with database.session() as db:
        record(db, "user.totp_keys_rotated", actor=actor, object_type="user",
               details={"key": keyring.current_id, "rotated": result.rotated,
                        "already_current": result.current, "failed": len(result.failed)})
    return result
