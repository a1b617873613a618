"""A log written before the key (revision 0014: plain SHA-256 hashes) is migrated with its rows
untouched; they verify as legacy rows, and the signed rows written afterwards continue their
chain."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select, text

from portal import migrate
from portal.app import create_app
from portal.audit.models import AuditEvent
from portal.audit.verify import verify_log
from portal.config import Settings
from portal.db import Database, UTCDateTime, utcnow
from tests.audit.conftest import database, write_events

#: audit_events as revision 0014 left it (no key id).
OLD_TABLE = sa.table(
    "audit_events", sa.column("id", sa.Integer()), sa.column("at", UTCDateTime()),
    sa.column("actor_id", sa.Integer()), sa.column("actor", sa.String()),
    sa.column("action", sa.String()), sa.column("object_type", sa.String()),
    sa.column("object_id", sa.String()), sa.column("ip", sa.String()),
    sa.column("details", sa.Text()), sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()))


def old_hash(row: dict[str, Any]) -> str:
    """The hash the portal wrote before the key, as its code had it (not the portal's current
    functions: they must agree with it)."""
    names = ("id", "at", "actor_id", "actor", "action", "object_type", "object_id", "ip",
             "details", "prev_hash")
    payload = {name: row[name] for name in names}
    payload["at"] = row["at"].isoformat(timespec="microseconds")
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


def write_old_rows(db: Database, count: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    previous = "0" * 64
    start = utcnow() - timedelta(days=30)
    with db.engine.begin() as conn:
        for number in range(1, count + 1):
            row = {"id": number, "at": start + timedelta(minutes=number), "actor_id": None,
                   "actor": f"before-{number}", "action": "login.success",
                   "object_type": "user", "object_id": str(number), "ip": "192.0.2.7",
                   "details": json.dumps({"n": number, "text": "é \"quoted\""}),
                   "prev_hash": previous}
            row["hash"] = previous = old_hash(row)
            conn.execute(OLD_TABLE.insert().values(**row))
            rows.append(row)
        if db.engine.dialect.name == "postgresql":  # as the old writer's nextval left it
            conn.execute(text("SELECT setval(pg_get_serial_sequence('audit_events', 'id'), "
                              ":last)"), {"last": count})
    return rows


def test_rows_from_before_the_key_verify_as_legacy_rows(empty_database_url: str,
                                                         tmp_path: Path) -> None:
    db = Database(empty_database_url)
    try:
        migrate.upgrade(db.engine, "0014")
        old = write_old_rows(db, 4)
        migrate.upgrade(db.engine)
    finally:
        db.dispose()
    app = create_app(Settings(env="testing", data_dir=tmp_path, database_url=empty_database_url,
                              secret_key="test-secret-key-" + "x" * 40))
    try:
        write_events(database(app), 3, tag="after")
        with database(app).session() as s:
            result = verify_log(s)
            chain = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        assert result.problems == []
        assert (result.rows, result.legacy_rows) == (7, 4)
        assert [row.hash for row in chain[:4]] == [row["hash"] for row in old]  # untouched
        assert [row.key_id for row in chain] == [""] * 4 + ["dev1"] * 3
        assert chain[4].prev_hash == old[-1]["hash"]
    finally:
        database(app).dispose()
