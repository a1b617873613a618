"""Migration 0018 seals the TOTP secrets stored in clear before it, under the key ring of the
settings; its downgrade gives them back in clear."""

from __future__ import annotations

import base64
from pathlib import Path

from sqlalchemy import text

from portal import migrate
from portal.accounts import totp
from portal.config import Settings, new_attachment_key_entry
from portal.crypto import KeyRing, parse_header
from portal.db import Database

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_0018_encrypts_existing_secrets(empty_database_url: str, tmp_path: Path) -> None:
    settings = Settings(env="testing", data_dir=tmp_path, database_url=empty_database_url,
                        attachment_keys=new_attachment_key_entry("m1"))
    keyring = KeyRing.from_settings(settings)
    db = Database(empty_database_url)
    try:
        migrate.upgrade(db.engine, "0017")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO users (public_id, email, name, role, is_manager, totp_secret, "
                "totp_last_step, failed_logins, active, created_at) VALUES ('pub1', "
                "'a@example.org', 'A', 'triage', false, :secret, 5, 0, true, "
                "CURRENT_TIMESTAMP), ('pub2', 'b@example.org', 'B', 'submitter', false, NULL, "
                "0, 0, true, CURRENT_TIMESTAMP)"), {"secret": SECRET})
        migrate.upgrade(db.engine, settings=settings)
        with db.engine.connect() as conn:
            rows = {public_id: sealed for public_id, sealed in conn.execute(text(
                "SELECT public_id, totp_secret_encrypted FROM users"))}
            columns = set(conn.execute(text("SELECT * FROM users")).keys())
        assert "totp_secret" not in columns and "totp_last_step" not in columns
        assert rows["pub2"] is None
        sealed = rows["pub1"]
        assert sealed and SECRET not in sealed
        assert parse_header(base64.b64decode(sealed)).key_id == "m1"
        assert totp.open_secret(keyring, "pub1", sealed) == SECRET

        migrate.downgrade(db.engine, "0017", settings=settings)
        with db.engine.connect() as conn:
            assert {public_id: secret for public_id, secret in conn.execute(text(
                "SELECT public_id, totp_secret FROM users"))} == {"pub1": SECRET, "pub2": None}
    finally:
        db.dispose()
