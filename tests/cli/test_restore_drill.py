"""The restore drill of docs/DEPLOYMENT.md, end to end with the real commands: submitted requests
with their files and packages are backed up (pg_dump, the storage copied), restored into an
empty database and an empty data folder, their packages rebuilt by `portal package repair`, and
`portal package verify` passes for every package and `portal audit verify` for the log, checked
against the audit checkpoint taken before the backup (which also catches a log missing its newest
rows)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete, make_url, select

from bench.http_harness import _pg_bin, drop_database, fresh_database
from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.config import Settings, load_or_create_attachment_keys, load_or_create_audit_keys
from portal.db import Database
from portal.packages.models import Package
from tests.attachments import pdfs
from tests.conftest import PG_URL, Accounts
from tests.packages.helpers import letter, submitted_request

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (pg_dump, pg_restore)")


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _portal(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from portal.cli import main; main()", *args],
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def test_backup_restore_and_verify(app: Flask, accounts: Accounts, tmp_path: Path) -> None:
    settings: Settings = app.extensions["portal.settings"]
    database: Database = app.extensions["portal.db"]
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    for name in ("first", "second"):
        submitted_request(database, settings, submitter.id,
                          [letter(), ("Anordnung.pdf", "court_order", pdfs.valid_pdf(name))])
    with database.session() as db:
        assert len(list(db.scalars(select(Package.id)))) == 2

    # the keys and the audit checkpoints are kept apart from the backup, as production keeps them
    keys = {"PORTAL_ATTACHMENT_KEYS": settings.attachment_keys or
            load_or_create_attachment_keys(Path(settings.data_dir)),
            "PORTAL_AUDIT_KEYS": settings.audit_keys or
            load_or_create_audit_keys(Path(settings.data_dir)),
            "PORTAL_AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
            "PORTAL_SECRET_KEY": "restore-drill-" + "k" * 40}
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    original = {**clean, **keys, "PORTAL_ENV": "development",
                "PORTAL_DATABASE_URL": database.url, "PORTAL_DATA_DIR": str(settings.data_dir)}
    done = _portal(original, "audit", "checkpoint")  # (a worker writes one every hour)
    assert done.returncode == 0, (done.stdout, done.stderr)

    # 1. the backup: the database, then the storage (every file a row names is in the copy)
    backup = tmp_path / "backup"
    backup.mkdir()
    dump = backup / "portal.dump"
    bindir = _pg_bin()
    subprocess.run([str(bindir / "pg_dump"), "--format=custom", "--file", str(dump),
                    _libpq(database.url)], check=True, capture_output=True)
    shutil.copytree(Path(settings.data_dir) / "attachments", backup / "attachments")

    # 2. the restore, into an empty database and an empty data folder
    base = make_url(PG_URL).render_as_string(hide_password=False)
    restored_name = f"portal_restore_{os.getpid()}"
    restored_url = fresh_database(base, restored_name)
    try:
        subprocess.run([str(bindir / "pg_restore"), "--no-owner", "--dbname",
                        _libpq(restored_url), str(dump)], check=True, capture_output=True)
        data_dir = tmp_path / "restored"
        data_dir.mkdir()
        shutil.copytree(backup / "attachments", data_dir / "attachments")
        env = {**clean, **keys, "PORTAL_ENV": "development",
               "PORTAL_DATABASE_URL": restored_url, "PORTAL_DATA_DIR": str(data_dir)}
        for args in (("init-db",), ("package", "repair"), ("audit", "verify")):
            done = _portal(env, *args)
            assert done.returncode == 0, (args, done.stdout, done.stderr)
        assert "checkpoint" in done.stdout + done.stderr  # verified against the checkpoint
        bags = sorted(p for p in (data_dir / "packages").iterdir() if not p.name.startswith("."))
        assert len(bags) == 2, bags
        for bag in bags:
            done = _portal(env, "package", "verify", str(bag))
            assert done.returncode == 0, (bag, done.stdout, done.stderr)
            assert "verified" in done.stdout
        # the drill would catch a restore that lost a file: one attachment gone, its package
        # can no longer be rebuilt
        victim = next(p for p in (data_dir / "attachments").rglob("*") if p.is_file())
        victim.unlink()
        shutil.rmtree(bags[0])
        shutil.rmtree(bags[1])
        done = _portal(env, "package", "repair")
        assert done.returncode == 1 and "error:" in done.stderr
        # a restore that lost the log's newest rows is caught by the checkpoint taken before
        [line] = (tmp_path / "checkpoints" / "checkpoints.jsonl").read_text().splitlines()
        head = json.loads(line)["event_id"]
        restored = Database(restored_url)
        try:
            with restored.session() as db:
                db.execute(delete(AuditEvent).where(AuditEvent.id >= head))
        finally:
            restored.dispose()
        done = _portal(env, "audit", "verify")
        assert done.returncode == 1, (done.stdout, done.stderr)
        assert "checkpoint" in done.stdout + done.stderr
    finally:
        drop_database(base, restored_name)
