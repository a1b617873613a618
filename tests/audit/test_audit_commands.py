"""``portal audit checkpoint`` and ``portal audit verify``: their messages and exit statuses."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import delete, func, select, update

from portal.audit import keys
from portal.audit.log import record
from portal.audit.models import AuditEvent
from portal.config import AUDIT_KEYS_FILE_NAME, new_key_entry
from portal.db import Database
from tests.cli.conftest import Invoke


def newest_ids(url: str, count: int) -> list[int]:
    db = Database(url)
    try:
        with db.session() as s:
            return sorted(s.scalars(select(AuditEvent.id).order_by(AuditEvent.id.desc())
                                    .limit(count)))
    finally:
        db.dispose()


def delete_from(url: str, first_id: int) -> None:
    db = Database(url)
    try:
        with db.session() as s:
            s.execute(delete(AuditEvent).where(AuditEvent.id >= first_id))
    finally:
        db.dispose()


def checkpoint_path(cli_env: dict[str, str]) -> Path:
    return Path(cli_env["PORTAL_DATA_DIR"]) / "audit-checkpoints" / "checkpoints.jsonl"


def test_checkpoint_then_verify_catches_deleted_newest_rows(invoke: Invoke,
                                                            cli_env: dict[str, str]) -> None:
    url = cli_env["PORTAL_DATABASE_URL"]
    assert invoke("init-db").exit_code == 0
    empty = invoke("audit", "checkpoint")
    assert empty.exit_code == 0 and "the audit log is empty" in empty.output
    assert not checkpoint_path(cli_env).exists()
    assert invoke("demo").exit_code == 0
    result = invoke("audit", "verify")
    assert result.exit_code == 0, result.output
    assert "the chain is intact" in result.output and "0 of them legacy rows" in result.output
    assert "warning: no checkpoint was read" in result.stderr
    head = newest_ids(url, 1)[0]
    result = invoke("audit", "checkpoint")
    assert result.exit_code == 0, result.output
    assert f"checkpoint written to {checkpoint_path(cli_env)}: row {head}, hash " in result.output
    assert json.loads(checkpoint_path(cli_env).read_text())["event_id"] == head
    result = invoke("audit", "verify")
    assert result.exit_code == 0 and "matches 1 checkpoint(s)" in result.output
    assert result.stderr == ""
    delete_from(url, head - 2)
    result = invoke("audit", "verify")
    assert result.exit_code == 1
    assert (f"checkpoint {checkpoint_path(cli_env)}:1: row {head}, the head of the log at this "
            "checkpoint of ") in result.output
    assert f"the log now ends at row {head - 3}: its newest rows were deleted" in result.output
    assert "audit log FAILED verification: 1 problem(s)" in result.stderr


def test_verify_with_another_key_fails(invoke: Invoke, cli_env: dict[str, str]) -> None:
    assert invoke("init-db").exit_code == 0
    assert invoke("demo").exit_code == 0
    current = (Path(cli_env["PORTAL_DATA_DIR"]) / AUDIT_KEYS_FILE_NAME).read_text().strip()
    rows = len(newest_ids(cli_env["PORTAL_DATABASE_URL"], 10_000))
    wrong = invoke("audit", "verify", env={"PORTAL_AUDIT_KEYS": new_key_entry("dev1")})
    assert wrong.exit_code == 1
    assert wrong.output.count("content does not match its hash") == rows
    assert f"FAILED verification: {rows} problem(s)" in wrong.output
    other = invoke("audit", "verify", env={"PORTAL_AUDIT_KEYS": new_key_entry("k2")})
    assert other.exit_code == 1 and "'dev1', which is not in PORTAL_AUDIT_KEYS" in other.output
    rotated = invoke("audit", "verify",
                     env={"PORTAL_AUDIT_KEYS": f"{new_key_entry('k2')},{current}"})
    assert rotated.exit_code == 0, rotated.output


def test_verify_reads_checkpoints_kept_from_the_emails(invoke: Invoke, cli_env: dict[str, str],
                                                       tmp_path: Path) -> None:
    url = cli_env["PORTAL_DATABASE_URL"]
    mailing = {"PORTAL_AUDIT_CHECKPOINT_EMAIL": "anchor@example.org"}
    assert invoke("init-db").exit_code == 0
    assert invoke("demo").exit_code == 0
    result = invoke("audit", "checkpoint", env=mailing)
    assert result.exit_code == 0
    assert "queued for e-mail to anchor@example.org" in result.output
    assert invoke("mail", "send").exit_code == 0
    outbox = Path(cli_env["PORTAL_DATA_DIR"]) / "outbox"
    sent = [message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in outbox.glob("*.eml")]
    mail = next(m for m in sent if m["To"] == "anchor@example.org")
    assert isinstance(mail, EmailMessage)
    kept = tmp_path / "kept-checkpoints.txt"
    kept.write_text(next(line for line in mail.get_content().splitlines()
                         if line.startswith("{")) + "\n")
    checkpoint_path(cli_env).unlink()  # the copy on the portal's side is gone
    result = invoke("audit", "verify", "--checkpoints", str(kept))
    assert result.exit_code == 0 and "matches 1 checkpoint(s)" in result.output
    head = json.loads(kept.read_text())["event_id"]
    delete_from(url, head)
    result = invoke("audit", "verify", "--checkpoints", str(kept))
    assert result.exit_code == 1 and f"checkpoint {kept}:1: row {head}" in result.output
    missing = invoke("audit", "verify", "--checkpoints", str(tmp_path / "none.txt"))
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_checkpoint_refuses_a_tampered_head(invoke: Invoke, cli_env: dict[str, str]) -> None:
    url = cli_env["PORTAL_DATABASE_URL"]
    assert invoke("init-db").exit_code == 0
    assert invoke("demo").exit_code == 0
    head = newest_ids(url, 1)[0]
    db = Database(url)
    try:
        with db.session() as s:
            s.execute(update(AuditEvent).where(AuditEvent.id == head).values(actor="x"))
    finally:
        db.dispose()
    result = invoke("audit", "checkpoint")
    assert result.exit_code == 1
    assert f"no checkpoint written: the newest row of the audit log ({head})" in result.output
    assert not checkpoint_path(cli_env).exists()


def test_rows_signed_with_another_key_are_rejected(cli_env: dict[str, str],
                                                  invoke: Invoke) -> None:
    """A process that writes to the database with a key of its own (under the key id the portal
    uses) writes rows that the portal's verification rejects."""
    assert invoke("init-db").exit_code == 0
    url = cli_env["PORTAL_DATABASE_URL"]
    db = Database(url)
    keys.attach(db.engine, keys.AuditKeys.parse(new_key_entry("dev1")))
    try:
        with db.session() as s:
            record(s, "forged.event", actor="intruder")
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(AuditEvent)) == 1
    finally:
        db.dispose()
    result = invoke("audit", "verify")
    assert result.exit_code == 1 and "content does not match its hash" in result.output
