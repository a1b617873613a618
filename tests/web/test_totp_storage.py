"""TOTP at rest and in use: a code is used once per account by a unique database row, and the
secrets are sealed under the key ring (never in clear in the database), re-encrypted by
``portal attachments rotate-keys``."""

from __future__ import annotations

import base64

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from portal.accounts import totp
from portal.accounts.auth import take_step, totp_secret
from portal.accounts.models import Role, TotpUsedStep, User
from portal.attachments.commands import attachments_group
from portal.config import new_attachment_key_entry
from portal.crypto import DecryptionError, KeyRing, parse_header
from tests.conftest import Accounts, login
from tests.web.conftest import AppFactory, in_db, location_path, post


def raw_users(app: Flask) -> list[tuple[object, ...]]:
    """Every column of every account, as stored (no ORM type in between)."""
    with app.extensions["portal.db"].engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text("SELECT * FROM users"))]


def test_a_time_step_is_taken_once_per_account(app: Flask, accounts: Accounts) -> None:
    first = accounts.create(Role.TRIAGE)
    second = accounts.create(Role.TRIAGE)
    with accounts.db.session() as s:
        user = s.get(User, first.id)
        other = s.get(User, second.id)
        assert user is not None and other is not None
        assert take_step(s, user, 1_000_000)
        assert not take_step(s, user, 1_000_000)  # refused: the same code again
        assert take_step(s, other, 1_000_000)  # another account's code of the same step
    count = in_db(app, lambda s: s.scalar(select(func.count(TotpUsedStep.id))))
    assert count == 2
    # the database itself refuses a second row (whatever the code that inserts it)
    with pytest.raises(IntegrityError), accounts.db.session() as s:
        s.add(TotpUsedStep(user_id=first.id, step=1_000_000))


def test_old_steps_are_forgotten(app: Flask, accounts: Accounts) -> None:
    account = accounts.create(Role.TRIAGE)
    with accounts.db.session() as s:
        user = s.get(User, account.id)
        assert user is not None
        for step in (100, 101, 200):
            assert take_step(s, user, step)
    steps = in_db(app, lambda s: sorted(s.scalars(select(TotpUsedStep.step))))
    assert steps == [200]


def test_the_code_that_confirmed_the_app_cannot_sign_in(app: Flask, accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    client = app.test_client()
    login(client, account)
    page = client.get("/account/totp").text
    secret = page.split('<code class="portal-secret" dir="ltr">')[1].split("<")[0]
    code = totp.current_code(secret)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/account/totp", data={"code": code, "csrf_token": token})
    assert location_path(response) == "/account"
    other = app.test_client()
    post(other, "/login", {"email": account.email, "password": account.password})
    response = post(other, "/login/code", {"code": code})
    assert response.status_code == 400


def test_secrets_are_not_in_clear_in_the_database(app: Flask, accounts: Accounts) -> None:
    account = accounts.create(Role.ADMIN)
    assert account.totp_secret
    rows = raw_users(app)
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    assert account.totp_secret not in stored
    assert account.totp_secret.lower() not in stored.lower()
    with app.extensions["portal.db"].engine.connect() as conn:
        sealed = conn.scalar(text("SELECT totp_secret_encrypted FROM users"))
    blob = base64.b64decode(sealed)
    assert parse_header(blob).key_id == KeyRing.from_settings(
        app.extensions["portal.settings"]).current_id
    with accounts.db.session() as s:
        user = s.get(User, account.id)
        assert user is not None
        assert totp_secret(app.extensions["portal.settings"], user) == account.totp_secret


def test_a_sealed_secret_belongs_to_its_account(app: Flask, accounts: Accounts) -> None:
    """Copied onto another account, it does not decrypt (bound to its account's public id)."""
    victim = accounts.create(Role.ADMIN)
    attacker = accounts.create(Role.ADMIN)
    keyring = KeyRing.from_settings(app.extensions["portal.settings"])
    with accounts.db.session() as s:
        source = s.get(User, victim.id)
        target = s.get(User, attacker.id)
        assert source is not None and target is not None
        with pytest.raises(DecryptionError):
            totp.open_secret(keyring, target.public_id, source.totp_secret_encrypted or "")


def test_rotate_keys_re_encrypts_totp_secrets(app: Flask, make_app: AppFactory,
                                              accounts: Accounts) -> None:
    account = accounts.create(Role.TRIAGE)
    old_entry = app.extensions["portal.settings"].attachment_keys or \
        (app.extensions["portal.settings"].data_dir / "attachment_keys").read_text()
    new_entry = new_attachment_key_entry("k2027")
    rotated = make_app(attachment_keys=f"{new_entry},{old_entry}")
    result = rotated.test_cli_runner().invoke(attachments_group, ["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "re-encrypted 1 TOTP secret(s); 0 already under the current key" in result.output
    with rotated.extensions["portal.db"].engine.connect() as conn:
        sealed = conn.scalar(text("SELECT totp_secret_encrypted FROM users"))
    assert parse_header(base64.b64decode(sealed)).key_id == "k2027"
    again = rotated.test_cli_runner().invoke(attachments_group, ["rotate-keys"])
    assert "re-encrypted 0 TOTP secret(s); 1 already under the current key" in again.output
    # the old key can go: the account signs in with its code under the new key alone
    new_only = make_app(attachment_keys=new_entry)
    client = new_only.test_client()
    login(client, account)
    assert client.get("/account").status_code == 200


def test_a_secret_under_a_lost_key_refuses_the_code_without_an_error(
        make_app: AppFactory, accounts: Accounts) -> None:
    account = accounts.create(Role.TRIAGE)
    other_keys = make_app(attachment_keys=new_attachment_key_entry("other"))
    client = other_keys.test_client()
    post(client, "/login", {"email": account.email, "password": account.password})
    assert account.totp_secret
    response = post(client, "/login/code", {"code": totp.current_code(account.totp_secret)})
    assert response.status_code == 400
    assert client.get("/account").status_code == 302
