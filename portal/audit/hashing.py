"""The hash of an audit row: HMAC-SHA256 under the key the row names (``key_id``) of its
canonical form, which holds the previous row's hash, so the rows form a chain that cannot be
recomputed without the key. Rows written before the key (``key_id`` empty) are legacy rows:
the plain SHA-256 of the same form without the key id."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from portal.audit.keys import AuditKeys
from portal.audit.models import AuditEvent

GENESIS = "0" * 64

_LEGACY = ("id", "at", "actor_id", "actor", "action", "object_type", "object_id", "ip",
           "details", "prev_hash")
#: The fields of a keyed row's canonical form: the key id too, so that a row cannot be passed
#: off as signed by another key.
HASHED = (*_LEGACY, "key_id")


def canonical(row: Mapping[Any, Any]) -> bytes:
    """Sorted compact JSON of the hashed fields, ``at`` as ISO 8601 UTC with microseconds."""
    names = HASHED if row["key_id"] else _LEGACY
    payload = {name: row[name] for name in names}
    payload["at"] = row["at"].isoformat(timespec="microseconds")
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8")


def row_hash(row: Mapping[Any, Any], keys: AuditKeys) -> str:
    """The hash the row should carry. Raises KeyError when it names a key not in ``keys``."""
    if not row["key_id"]:
        return hashlib.sha256(canonical(row)).hexdigest()
    return keys.sign(canonical(row), row["key_id"])


def compute_hash(event: AuditEvent, keys: AuditKeys) -> str:
    return row_hash({name: getattr(event, name) for name in HASHED}, keys)
