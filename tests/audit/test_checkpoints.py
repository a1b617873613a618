"""Checkpoints: the signed head of the log, appended to a file outside the database (and
e-mailed), catch what the chain alone cannot: its newest rows deleted, or rows rewritten and
every hash recomputed (with the key, or as legacy rows that need none)."""

from __future__ import annotations

import json
import stat
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from portal.accounts.models import Role
from portal.audit.checkpoints import (
    CHECKPOINT,
    Checkpoint,
    CheckpointRefused,
    checkpoint_file,
    sign,
    write_checkpoint,
)
from portal.audit.hashing import GENESIS, compute_hash
from portal.audit.keys import AuditKeys
from portal.audit.models import AuditEvent
from portal.audit.verify import Verification, verify_chain, verify_with_checkpoints
from portal.config import Settings, new_key_entry
from portal.jobs import schedule
from portal.mail.models import OutboxEmail
from tests.audit.conftest import database, ring, write_events
from tests.conftest import Accounts, login, run_jobs
from tests.web.conftest import AppFactory


def settings_of(app: Flask) -> Settings:
    return app.extensions["portal.settings"]  # type: ignore[no-any-return]


def verify(app: Flask, *extra: Path) -> Verification:
    with database(app).session() as s:
        return verify_with_checkpoints(s, settings_of(app), extra)


def checkpoint(app: Flask) -> Checkpoint:
    written = write_checkpoint(database(app).engine, settings_of(app))
    assert written is not None
    return written


def messages(result: Verification) -> list[str]:
    return [p.problem for p in result.checkpoint_problems]


def delete_from(app: Flask, first_id: int) -> None:
    with database(app).session() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.id >= first_id))


def recompute_all(app: Flask, keys: AuditKeys, *, key_id: str | None = None) -> None:
    """Edit the second row and recompute every hash after it, with ``keys`` (someone holding the
    key), or as legacy rows (``key_id`` "": no key needed)."""
    with database(app).session() as s:
        chain = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        chain[1].actor = "rewritten"
        previous = GENESIS
        for row in chain:
            row.prev_hash = previous
            if key_id is not None:
                row.key_id = key_id
            row.hash = previous = compute_hash(row, keys)


def test_deleting_the_newest_rows_fails_verification_after_a_checkpoint(app: Flask) -> None:
    write_events(database(app), 5)
    head = checkpoint(app)
    before = verify(app)
    assert before.intact and before.checkpoints == 1
    ids = [row for row in range(head.event_id - 4, head.event_id + 1)]
    delete_from(app, ids[3])  # the newest two rows, and the checkpoint's own record after them
    with database(app).session() as s:
        assert verify_chain(s) == []  # the chain alone cannot tell: what is left is intact
    after = verify(app)
    assert not after.intact and after.checkpoints == 0
    assert messages(after) == [
        f"row {head.event_id}, the head of the log at this checkpoint of {head.at}, is gone: "
        f"the log now ends at row {ids[2]}: its newest rows were deleted"]
    assert after.checkpoint_problems[0].source == f"{checkpoint_file(settings_of(app))}:1"


def test_rows_rewritten_with_the_key_no_longer_match_the_checkpoint(app: Flask) -> None:
    """Someone holding the key (or a copy of it) can make the chain agree again, but not the
    checkpoints written before."""
    write_events(database(app), 4)
    head = checkpoint(app)
    recompute_all(app, ring(app))
    with database(app).session() as s:
        assert verify_chain(s) == []
    assert messages(verify(app)) == [
        f"row {head.event_id} no longer has the hash this checkpoint of {head.at} recorded: "
        "it, or a row before it, was rewritten and the hashes recomputed"]


def test_a_log_rewritten_as_legacy_rows_is_caught_by_its_checkpoint(app: Flask) -> None:
    """Every row passed off as written before the key (plain SHA-256, no key needed): the chain
    verifies, the checkpoint does not."""
    write_events(database(app), 4)
    checkpoint(app)
    recompute_all(app, AuditKeys.parse(new_key_entry("whatever")), key_id="")
    with database(app).session() as s:
        assert verify_chain(s) == []
    result = verify(app)
    assert result.legacy_rows == result.rows
    assert len(result.checkpoint_problems) == 1
    assert "no longer has the hash" in messages(result)[0]


def test_a_checkpoint_edited_forged_or_unreadable_fails(app: Flask) -> None:
    write_events(database(app), 3)
    good = checkpoint(app)
    path = checkpoint_file(settings_of(app))
    with database(app).session() as s:
        first = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
        assert first is not None
        first_id, first_hash = first.id, first.hash
    # the line edited to name an older row (to hide the rows after it): its signature breaks
    edited = json.loads(good.line()) | {"event_id": first_id, "hash": first_hash}
    forged = sign(AuditKeys.parse(new_key_entry("dev1")), first_id, first_hash, good.at)
    stranger = sign(AuditKeys.parse(new_key_entry("elsewhere")), first_id, first_hash, good.at)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(edited) + "\n" + forged.line() + "\n" + stranger.line() + "\n")
        handle.write("{not json\n" + json.dumps({"v": 1, "event_id": "1"}) + "\n")
    result = verify(app)
    assert result.checkpoints == 1 and not result.intact
    found = [(p.source.rsplit(":", 1)[1], p.problem) for p in result.checkpoint_problems]
    assert [line for line, _ in found] == ["5", "6", "2", "3", "4"]
    assert "unreadable JSON" in found[0][1] and "unexpected fields" in found[1][1]
    assert "signature is wrong" in found[2][1] and "signature is wrong" in found[3][1]
    assert "'elsewhere', which is not in PORTAL_AUDIT_KEYS" in found[4][1]


def test_a_checkpoint_file_that_cannot_be_read_is_a_problem_not_an_error(
        app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    write_events(database(app), 1)
    checkpoint_file(settings_of(app)).mkdir(parents=True)  # a folder where the file should be
    result = verify(app)
    assert [(p.source, p.problem) for p in result.checkpoint_problems] == [
        (str(checkpoint_file(settings_of(app))), "the file cannot be read (Is a directory)")]
    login(client, accounts.create(Role.ADMIN))
    page = client.get("/admin/audit")
    assert page.status_code == 200 and "1 checkpoint does not match the log" in page.text


def test_checkpoints_are_appended_to_a_private_file(app: Flask) -> None:
    write_events(database(app), 2)
    first = checkpoint(app)
    write_events(database(app), 1)
    second = checkpoint(app)
    path = checkpoint_file(settings_of(app))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["event_id"] for line in lines] == [first.event_id,
                                                                second.event_id]
    assert set(json.loads(lines[0])) == {"v", "event_id", "hash", "at", "key_id", "signature"}
    # each checkpoint is itself recorded in the log (the next one covers that record)
    assert second.event_id == first.event_id + 2
    with database(app).session() as s:
        recorded = s.scalars(select(AuditEvent).where(AuditEvent.action == "audit.checkpoint")
                             .order_by(AuditEvent.id)).all()
    assert [int(e.object_id) for e in recorded] == [first.event_id, second.event_id]
    assert verify(app).checkpoints == 2


def test_an_empty_log_or_a_tampered_head_is_not_checkpointed(app: Flask) -> None:
    path = checkpoint_file(settings_of(app))
    assert write_checkpoint(database(app).engine, settings_of(app)) is None
    write_events(database(app), 2)
    with database(app).session() as s:
        newest = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert newest is not None
        newest.actor = "tampered"
    with pytest.raises(CheckpointRefused, match="does not match its hash"):
        write_checkpoint(database(app).engine, settings_of(app))
    assert not path.exists()


def test_the_scheduled_job_writes_a_checkpoint_and_mails_it(make_app: AppFactory) -> None:
    app = make_app(audit_checkpoint_email="anchor@example.org", audit_checkpoint_minutes=15)
    settings = settings_of(app)
    task = next(task for task in schedule.tasks() if task.kind == CHECKPOINT)
    assert task.seconds(settings) == 15 * 60
    write_events(database(app), 3)
    schedule.enqueue_due(database(app).engine, settings)
    summary = run_jobs(app)
    assert summary.failed == 0 and summary.kinds[CHECKPOINT] == 1
    lines = checkpoint_file(settings).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    with database(app).session() as s:
        head = s.scalars(select(AuditEvent).where(AuditEvent.action == "test.event")
                         .order_by(AuditEvent.id.desc())).first()
        mail = s.scalar(select(OutboxEmail).where(OutboxEmail.kind == "audit.checkpoint"))
    assert head is not None and json.loads(lines[0])["event_id"] == head.id
    assert mail is not None and mail.to_addr == "anchor@example.org"
    assert mail.sent_at is not None  # delivered by the same worker run (.eml outside SMTP)
    assert lines[0] in mail.body and f"event {head.id}" in mail.subject
    sent = next((settings.data_dir / "outbox").glob("*.eml"))
    parsed = message_from_bytes(sent.read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    kept = settings.data_dir / "kept.txt"  # the line kept from the e-mail verifies on its own
    kept.write_text(next(line for line in parsed.get_content().splitlines()
                         if line.startswith("{")) + "\n", encoding="utf-8")
    checkpoint_file(settings).unlink()
    assert verify(app, kept).checkpoints == 1


def test_the_admin_page_reports_checkpoints(app: Flask, client: FlaskClient,
                                            accounts: Accounts) -> None:
    login(client, accounts.create(Role.ADMIN))
    page = client.get("/admin/audit").text
    assert "No checkpoint kept outside the database was found" in page
    head = checkpoint(app)
    page = client.get("/admin/audit").text
    assert "It matches the 1 checkpoint kept outside the database." in page
    delete_from(app, head.event_id)
    page = client.get("/admin/audit").text
    assert "The audit log has been altered" in page
    assert "1 checkpoint does not match the log" in page
    assert 'The command <bdi dir="ltr">portal audit verify</bdi> lists each problem.' in page
    assert "rows fail the integrity check" not in page and "row fails" not in page
