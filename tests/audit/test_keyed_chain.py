"""The audit chain is signed: each row's hash is an HMAC under a key that is not in the database,
so someone who can write to the database can edit rows but cannot make their hashes agree
again; a new key can be put first while the old one's rows still verify."""

from __future__ import annotations

import hashlib
import hmac
import itertools

import pytest
from flask import Flask
from sqlalchemy import select

from portal.accounts.models import Authority
from portal.audit.hashing import GENESIS, HASHED, canonical, compute_hash, row_hash
from portal.audit.keys import AuditKeyMissing, AuditKeys
from portal.audit.log import record
from portal.audit.models import AuditEvent
from portal.audit.verify import verify_chain, verify_log
from portal.config import AUDIT_KEYS_FILE_NAME, Settings, new_key_entry
from portal.db import Database
from tests.audit.conftest import database, ring, write_events
from tests.web.conftest import AppFactory


def rows(app: Flask) -> list[AuditEvent]:
    with database(app).session() as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def problems(app: Flask, keys: AuditKeys | None = None) -> list[tuple[int, str]]:
    with database(app).session() as s:
        return [(p.event_id, p.problem) for p in verify_chain(s, keys)]


def fields(row: AuditEvent) -> dict[str, object]:
    return {name: getattr(row, name) for name in HASHED}


def rewrite(app: Flask, start: int, sign: AuditKeys, *, key_id: str | None = None,
            actor: str = "someone-else") -> list[int]:
    """Edit the row at position ``start`` and recompute the chain from there with the portal's
    own function under ``sign`` (what someone with write access to the database can do);
    ``key_id`` "" passes the rows off as legacy rows. The ids rewritten."""
    with database(app).session() as s:
        chain = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        chain[start].actor = actor
        previous = chain[start - 1].hash if start else GENESIS
        for row in chain[start:]:
            row.prev_hash = previous
            if key_id is not None:
                row.key_id = key_id
            row.hash = previous = compute_hash(row, sign)
        return [row.id for row in chain[start:]]


def test_rows_are_hmacs_under_the_current_key(app: Flask) -> None:
    write_events(database(app), 3)
    keys = ring(app)
    written = rows(app)
    for row in written:
        assert row.key_id == keys.current_id
        expected = hmac.new(keys.keys[0][1], canonical(fields(row)), hashlib.sha256).hexdigest()
        assert row.hash == expected
        assert row.hash != hashlib.sha256(canonical(fields(row))).hexdigest()
    for previous, current in itertools.pairwise(written):
        assert current.prev_hash == previous.hash
    assert problems(app) == []


def test_an_edit_with_the_hashes_recomputed_without_the_key_is_detected(app: Flask) -> None:
    """The forger uses the portal's own hashing with a key of their own (under the same key id):
    every row they rewrote fails, and nothing else."""
    write_events(database(app), 5)
    forged = AuditKeys.parse(new_key_entry(ring(app).current_id))
    rewritten = rewrite(app, 2, forged)
    found = problems(app)
    assert sorted({event_id for event_id, _ in found}) == rewritten
    assert all("does not match its hash" in problem for _, problem in found)
    assert len(found) == len(rewritten)  # the links agree: only the hashes give it away


def test_rows_downgraded_to_plain_sha256_are_detected(app: Flask) -> None:
    """Passing the rewritten rows off as legacy rows (no key needed to hash them) fails: a row
    without a key may not follow a signed one."""
    write_events(database(app), 5)
    rewritten = rewrite(app, 3, ring(app), key_id="")
    found = problems(app)
    assert sorted({event_id for event_id, _ in found}) == rewritten
    assert all("without a key after signed rows" in problem for _, problem in found)


def test_verifying_with_a_wrong_key_fails(app: Flask) -> None:
    write_events(database(app), 3)
    written = rows(app)
    same_id = AuditKeys.parse(new_key_entry(ring(app).current_id))
    assert [event_id for event_id, _ in problems(app, same_id)] == [r.id for r in written]
    other_id = AuditKeys.parse(new_key_entry("other"))
    found = problems(app, other_id)
    assert [event_id for event_id, _ in found] == [r.id for r in written]
    assert all("not in PORTAL_AUDIT_KEYS" in problem for _, problem in found)


def test_a_writer_without_the_key_fails_and_writes_nothing(app: Flask, database_url: str
                                                           ) -> None:
    before = len(rows(app))
    bare = Database(database_url)  # an engine the app factory did not give the key
    try:
        with pytest.raises(AuditKeyMissing), bare.session() as s:
            s.add(Authority(name="Unaudited authority", country="FR"))
            record(s, "unsigned.event", actor="x")
    finally:
        bare.dispose()
    assert len(rows(app)) == before
    with database(app).session() as s:
        assert s.scalar(select(Authority).where(Authority.name == "Unaudited authority")) is None


def test_key_rotation_keeps_the_old_rows_verifiable(app: Flask, make_app: AppFactory,
                                                    settings: Settings) -> None:
    """Put a new key first and keep the old one: new rows are signed with the new key, the old
    ones still verify; drop the old key and its rows no longer can."""
    write_events(database(app), 3, tag="old")
    old = (settings.data_dir / AUDIT_KEYS_FILE_NAME).read_text(encoding="ascii").strip()
    new = new_key_entry("k2026")
    rotated = make_app(audit_keys=f"{new},{old}")
    write_events(database(rotated), 2, tag="new")
    written = rows(rotated)
    assert [r.key_id for r in written] == ["dev1"] * 3 + ["k2026"] * 2
    assert written[3].prev_hash == written[2].hash
    assert problems(rotated) == []
    assert problems(app) != []  # the app without the new key cannot verify the new rows
    dropped = make_app(audit_keys=new)
    found = problems(dropped)
    assert [event_id for event_id, _ in found] == [r.id for r in written[:3]]
    assert all("'dev1', which is not in PORTAL_AUDIT_KEYS" in p for _, p in found)


def test_legacy_rows_before_the_first_signed_row_verify(app: Flask) -> None:
    """Rows without a key id are plain SHA-256 (the log before the key); a signed row may follow
    them, and a legacy row edited afterwards still breaks the chain."""
    keys = ring(app)
    with database(app).session() as s:
        previous = GENESIS
        for number in range(3):
            row = AuditEvent(action="legacy.event", actor=f"l{number}", details="{}",
                             prev_hash=f"pending-{number}", hash=f"pending-{number}", key_id="")
            s.add(row)
            s.flush()
            row.prev_hash = previous
            row.hash = previous = row_hash(fields(row), keys)
    write_events(database(app), 2)
    with database(app).session() as s:
        result = verify_log(s)
    assert (result.rows, result.legacy_rows, result.problems) == (5, 3, [])
    written = rows(app)
    assert written[2].hash == hashlib.sha256(canonical(fields(written[2]))).hexdigest()
    # a legacy row edited, the chain recomputed without the key: the legacy rows agree again
    # (plain SHA-256), the signed rows after them cannot
    forged = AuditKeys.parse(new_key_entry(keys.current_id))
    rewrite(app, 1, forged, actor="legacy-edited")
    assert [event_id for event_id, _ in problems(app)] == [written[3].id, written[4].id]
