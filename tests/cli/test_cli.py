"""The ``portal`` command: init-db, demo, create-user, audit verify, mail send, totp-code."""

from __future__ import annotations

import re
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import func, inspect, select, update

from portal.accounts import totp
from portal.accounts.models import Authority, Role, User
from portal.audit import keys
from portal.audit.models import AuditEvent
from portal.config import ConfigError, Settings, new_attachment_key_entry, new_key_entry
from portal.crypto import KeyRing
from portal.db import Database
from portal.demo import DEMO_ACCOUNTS, DEMO_AUTHORITIES
from portal.models import Base
from portal.requests.models import MlaRequest
from portal.triage.models import TriageEntry
from tests.cli.conftest import Invoke

PASSWORD = "a sturdy bootstrap pass phrase"


def count(url: str, model: type) -> int:
    db = Database(url)
    try:
        with db.session() as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        db.dispose()


def test_init_db_creates_the_schema_and_is_idempotent(invoke: Invoke,
                                                      cli_env: dict[str, str]) -> None:
    result = invoke("init-db")
    assert result.exit_code == 0, result.output
    assert "latest migration" in result.output
    db = Database(cli_env["PORTAL_DATABASE_URL"])
    try:
        assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())
    finally:
        db.dispose()
    assert invoke("init-db").exit_code == 0
    # development: the secret was generated into the data folder
    assert (Path(cli_env["PORTAL_DATA_DIR"]) / "secret_key").exists()


def test_demo_prints_every_account_and_is_idempotent(invoke: Invoke,
                                                     cli_env: dict[str, str]) -> None:
    assert invoke("init-db").exit_code == 0
    result = invoke("demo")
    assert result.exit_code == 0, result.output
    assert "demo data loaded" in result.output
    for account in DEMO_ACCOUNTS:
        line = next(line for line in result.output.splitlines() if account.email in line)
        assert account.password in line
        if account.totp_secret:
            assert account.totp_secret in line
            shown = re.search(r"code now: (\d{6})", line)
            assert shown and pyotp.TOTP(account.totp_secret).verify(shown.group(1),
                                                                    valid_window=1)
    url = cli_env["PORTAL_DATABASE_URL"]
    assert count(url, User) == len(DEMO_ACCOUNTS)
    assert count(url, Authority) == len(DEMO_AUTHORITIES)
    db = Database(url)
    try:
        with db.session() as s:
            roles = set(s.scalars(select(User.role)))
            countries = set(s.scalars(select(Authority.country)))
    finally:
        db.dispose()
    assert roles == {role.value for role in Role}
    assert len(countries) == 3
    # a handful of submitted requests, in several states, each with its letter
    db = Database(url)
    try:
        with db.session() as s:
            states = set(s.scalars(select(MlaRequest.status)
                                   .where(MlaRequest.reference.is_not(None))))
            queued = s.scalar(select(func.count()).select_from(TriageEntry))
    finally:
        db.dispose()
    assert {"returned", "accepted", "referred", "completed"} <= states, result.output
    assert queued and queued >= 4

    again = invoke("demo")
    assert again.exit_code == 0
    assert "already present" in again.output
    assert DEMO_ACCOUNTS[0].email in again.output
    assert count(url, User) == len(DEMO_ACCOUNTS)
    assert count(url, Authority) == len(DEMO_AUTHORITIES)


def test_demo_is_refused_in_production(invoke: Invoke, cli_env: dict[str, str]) -> None:
    assert invoke("init-db").exit_code == 0
    production = {"PORTAL_ENV": "production",
                  "PORTAL_SECRET_KEY": "Zq8#vR2!mK9@pL4$wX7^nB3&cT6*yH1(uJ5)",
                  "PORTAL_BASE_URL": "https://portal.example.org",
                  "PORTAL_ATTACHMENT_KEYS": new_attachment_key_entry("p1"),
                  "PORTAL_AUDIT_KEYS": new_key_entry("a1")}
    result = invoke("demo", env=production)
    assert result.exit_code != 0
    assert "refusing to load demo data in production" in result.output
    assert count(cli_env["PORTAL_DATABASE_URL"], User) == 0


def test_audit_verify_detects_a_tampered_row(invoke: Invoke, cli_env: dict[str, str]) -> None:
    assert invoke("init-db").exit_code == 0
    assert invoke("demo").exit_code == 0
    result = invoke("audit", "verify")
    assert result.exit_code == 0, result.output
    assert "intact" in result.output
    db = Database(cli_env["PORTAL_DATABASE_URL"])
    try:
        with db.session() as s:
            victim = s.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()[3]
            s.execute(update(AuditEvent).where(AuditEvent.id == victim)
                      .values(action="user.deleted"))
    finally:
        db.dispose()
    result = invoke("audit", "verify")
    assert result.exit_code == 1
    assert f"row {victim}:" in result.output
    assert "FAILED" in result.output


def test_create_user(invoke: Invoke, cli_env: dict[str, str]) -> None:
    assert invoke("init-db").exit_code == 0
    result = invoke("create-user", "--email", "Boss@Example.org", "--name", "The Boss",
                    "--role", "admin", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    assert "created Boss@Example.org (admin)" in result.output
    secret = re.search(r"TOTP secret \(enter it in an authenticator app\): ([A-Z2-7]+)",
                       result.output)
    assert secret
    db = Database(cli_env["PORTAL_DATABASE_URL"])
    try:
        with db.session() as s:
            user = s.scalar(select(User).where(User.email == "boss@example.org"))
            assert user is not None
            keyring = KeyRing.from_settings(Settings.from_env(cli_env))
            assert user.role == "admin" and user.totp_secret_encrypted
            assert totp.open_secret(keyring, user.public_id, user.totp_secret_encrypted) \
                == secret.group(1)
            assert user.password_hash and PASSWORD not in user.password_hash
    finally:
        db.dispose()
    # the account can sign in to the web app with that password and a code
    from portal.app import create_app
    from tests.conftest import Account, login

    app = create_app(Settings.from_env(cli_env))
    try:
        client = app.test_client()
        login(client, Account(user.id, user.public_id, user.email, PASSWORD, Role.ADMIN,
                              secret.group(1), None))
        assert client.get("/admin/users").status_code == 200
    finally:
        app.extensions["portal.db"].dispose()


def test_create_user_refusals(invoke: Invoke, cli_env: dict[str, str]) -> None:
    assert invoke("init-db").exit_code == 0
    weak = invoke("create-user", "--email", "a@example.org", "--name", "A", "--role", "admin",
                  "--password", "password")
    assert weak.exit_code != 0
    assert "Use at least" in weak.output
    orphan = invoke("create-user", "--email", "s@example.org", "--name", "S", "--role",
                    "submitter", "--password", PASSWORD)
    assert orphan.exit_code != 0
    assert "--authority" in orphan.output
    assert count(cli_env["PORTAL_DATABASE_URL"], User) == 0


def test_create_user_prompts_for_the_password(invoke: Invoke, cli_env: dict[str, str]) -> None:
    assert invoke("init-db").exit_code == 0
    result = invoke("create-user", "--email", "t@example.org", "--name", "T", "--role",
                    "trainer", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert count(cli_env["PORTAL_DATABASE_URL"], User) == 1


def test_mail_send_writes_eml_files(invoke: Invoke, cli_env: dict[str, str]) -> None:
    assert invoke("init-db").exit_code == 0
    from portal.accounts.operations import Actor, invite

    settings = Settings.from_env(cli_env)
    db = Database(cli_env["PORTAL_DATABASE_URL"])
    keys.attach(db.engine, keys.AuditKeys.from_settings(settings))
    try:
        with db.session() as s:
            invite(s, settings, Actor(None, "test"), email="m@example.org", name="M",
                   role=Role.TRIAGE, authority_id=None)
    finally:
        db.dispose()
    result = invoke("mail", "send")
    assert result.exit_code == 0
    assert "1 message(s) delivered" in result.output
    files = list((Path(cli_env["PORTAL_DATA_DIR"]) / "outbox").glob("*.eml"))
    assert len(files) == 1
    assert b"To: m@example.org" in files[0].read_bytes()
    assert "0 message(s) delivered" in invoke("mail", "send").output


def test_totp_code(invoke: Invoke) -> None:
    secret = totp.new_secret()
    result = invoke("totp-code", secret)
    assert result.exit_code == 0
    assert pyotp.TOTP(secret).verify(result.output.strip(), valid_window=1)


def test_triage_targets_recomputes_the_due_dates(invoke: Invoke, cli_env: dict[str, str]) -> None:
    from portal.triage import target_clock

    assert invoke("init-db").exit_code == 0
    assert invoke("demo").exit_code == 0
    result = invoke("triage", "targets", env={"PORTAL_TARGET_FIRST_ACTION_DAYS": "1",
                                              "PORTAL_TARGET_DECISION_DAYS": "2"})
    assert result.exit_code == 0, result.output
    db = Database(cli_env["PORTAL_DATABASE_URL"])
    try:
        with db.session() as s:
            entries = list(s.scalars(select(TriageEntry)))
    finally:
        db.dispose()
    assert f"{len(entries)} queue entries recomputed" in result.output and entries
    for entry in entries:
        assert entry.target_started_at is not None
        day = target_clock.office_date(entry.target_started_at)
        assert entry.action_due == target_clock.add_working_days(day, 1)
        assert entry.decision_due == target_clock.add_working_days(day, 2)
    with pytest.raises(ConfigError, match="PORTAL_TARGET_DECISION_DAYS"):
        invoke("triage", "targets", env={"PORTAL_TARGET_DECISION_DAYS": "soon"})
def test_api_token_create_prints_the_token_once(invoke: Invoke, cli_env: dict[str, str]) -> None:
    from portal.accounts import tokens

    assert invoke("init-db").exit_code == 0
    for email, role in (("oia@example.org", "triage"), ("coach@example.org", "trainer")):
        created = invoke("create-user", "--email", email, "--name", "X", "--role", role,
                         "--password", PASSWORD)
        assert created.exit_code == 0, created.output
    result = invoke("api-token", "create", "OIA@example.org", "--name", "CMS",
                    "--expires-days", "7")
    assert result.exit_code == 0, result.output
    raw = result.stdout.strip()
    assert re.fullmatch(r"mlap_[0-9a-f]{12}_\S{43}", raw)
    db = Database(cli_env["PORTAL_DATABASE_URL"])
    try:
        with db.session() as s:
            verified = tokens.verify(s, raw)
            assert verified.token is not None and verified.token.name == "CMS"
            assert verified.token.user.email == "oia@example.org"
    finally:
        db.dispose()
    refused = invoke("api-token", "create", "coach@example.org")
    assert refused.exit_code != 0 and "mlap_" not in refused.output
    assert invoke("api-token", "create", "nobody@example.org").exit_code != 0
    assert invoke("api-token", "revoke", raw[5:17]).exit_code == 0
    db = Database(cli_env["PORTAL_DATABASE_URL"])
    try:
        with db.session() as s:
            assert tokens.verify(s, raw).refusal is tokens.Refusal.REVOKED
    finally:
        db.dispose()


def test_triage_rebuild_aggregates_recounts_what_the_demo_kept(invoke: Invoke,
                                                                cli_env: dict[str, str]) -> None:
    """The demo's requests went through OIA's actions (counts kept at each flush): a rebuild
    from the tables gives the same counts, and again the same; a damaged table is repaired."""
    from portal.triage.models import DailyCount

    assert invoke("init-db").exit_code == 0
    assert invoke("demo").exit_code == 0
    url = cli_env["PORTAL_DATABASE_URL"]

    def counts() -> set[tuple[object, ...]]:
        db = Database(url)
        try:
            with db.session() as s:
                return {tuple(row) for row in s.execute(select(
                    DailyCount.measure, DailyCount.day, DailyCount.key, DailyCount.n)
                    .where(DailyCount.n != 0))}
        finally:
            db.dispose()

    kept = counts()
    assert {row[0] for row in kept} >= {"submitted", "triaged", "returns", "referrals"}
    db = Database(url)
    try:
        with db.session() as s:
            s.execute(update(DailyCount).values(n=DailyCount.n + 7))
    finally:
        db.dispose()
    for _ in range(2):
        result = invoke("triage", "rebuild-aggregates")
        assert result.exit_code == 0, result.output
        assert f"{len(kept)} daily counts rebuilt" in result.output
        assert counts() == kept
