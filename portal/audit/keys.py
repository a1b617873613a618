"""The audit log's HMAC keys (``PORTAL_AUDIT_KEYS``): the first signs new rows and checkpoints,
every key verifies, so a new key can be put first while the rows of the old ones still verify.
The keys are never in the database: each engine is given its ring (``attach``, done by the app
factory), and the chain's writers and verifiers find it from their session's bind."""

from __future__ import annotations

import hashlib
import hmac
import weakref
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from portal.config import ConfigError, Settings, load_or_create_audit_keys, parse_audit_keys


class AuditKeyMissing(RuntimeError):
    """The database has no audit key ring attached: the chain can be neither written nor
    verified (create the engine through the app, or attach a ring)."""


@dataclass(frozen=True)
class AuditKeys:
    """Named HMAC-SHA256 keys; the first is current. Its repr never shows key material."""

    keys: tuple[tuple[str, bytes], ...] = field(repr=False)

    def __post_init__(self) -> None:
        if not self.keys:
            raise ConfigError("the audit key ring is empty")

    @classmethod
    def parse(cls, raw: str) -> AuditKeys:
        return cls(tuple(parse_audit_keys(raw)))

    @classmethod
    def from_settings(cls, settings: Settings) -> AuditKeys:
        raw = settings.audit_keys
        if not raw:
            if settings.is_production:
                raise ConfigError("production needs PORTAL_AUDIT_KEYS")
            raw = load_or_create_audit_keys(settings.data_dir)
        return cls.parse(raw)

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(key_id for key_id, _ in self.keys)

    def sign(self, message: bytes, key_id: str | None = None) -> str:
        """HMAC-SHA256 of ``message`` (hex) under ``key_id``, by default the current key.
        Raises KeyError for an id not in the ring."""
        wanted = self.current_id if key_id is None else key_id
        for candidate, key in self.keys:
            if candidate == wanted:
                return hmac.new(key, message, hashlib.sha256).hexdigest()
        raise KeyError(wanted)


_ATTACHED: weakref.WeakKeyDictionary[Engine, AuditKeys] = weakref.WeakKeyDictionary()


def attach(engine: Engine, keys: AuditKeys) -> None:
    """The ring the chain of ``engine``'s database is written and verified with."""
    _ATTACHED[engine] = keys


def keys_for(bind: Engine | Connection) -> AuditKeys:
    engine = bind.engine if isinstance(bind, Connection) else bind
    keys = _ATTACHED.get(engine)
    if keys is None:
        raise AuditKeyMissing("no audit key ring is attached to this database's engine "
                              "(portal.audit.keys.attach)")
    return keys
