"""PORTAL_SUBMITTER_2FA_REQUIRED (on by default): a submitter without a second factor is sent to
set one up (an authenticator app or a security key) before anything else; the last factor
cannot be removed. (The other tests' settings relax the rule: tests/conftest.py.)"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts import totp
from portal.accounts.models import Role, SecurityKey
from portal.config import Settings
from tests.authenticator import Authenticator
from tests.conftest import Accounts, csrf_token, login
from tests.web.conftest import AppFactory, location_path, post, user_row


@pytest.fixture()
def strict_app(make_app: AppFactory) -> Flask:
    """The app with the rule as deployed by default."""
    return make_app(submitter_2fa_required=True)


def test_the_rule_is_on_by_default() -> None:
    assert Settings().submitter_2fa_required is True
    assert Settings.from_env({"PORTAL_DATA_DIR": "/nonexistent-not-used"}).submitter_2fa_required
    assert not Settings.from_env({"PORTAL_SUBMITTER_2FA_REQUIRED": "false",
                                  "PORTAL_SECRET_KEY": "x" * 40,
                                  "PORTAL_ATTACHMENT_KEYS": "k:" + "A" * 43 + "="}
                                 ).submitter_2fa_required


def test_a_submitter_without_one_is_sent_to_set_one_up(strict_app: Flask,
                                                       accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    client = strict_app.test_client()
    response = post(client, "/login", {"email": account.email, "password": account.password})
    assert location_path(response) == "/account/totp"  # straight after the password
    for path in ("/", "/requests", "/account", "/account/password"):
        response = client.get(path)
        assert response.status_code == 302 and location_path(response) == "/account/totp", path
    token = csrf_token(client, "/account/totp")
    assert client.post("/requests/new", data={"csrf_token": token}).status_code == 403
    page = client.get("/account/totp").text
    assert "Your account requires a second factor. Set it up to continue." in page
    assert 'href="/account/keys"' in page  # or a security key instead
    assert client.get("/account/keys").status_code == 200
    secret = re.search(r'<code class="portal-secret" dir="ltr">([A-Z2-7]+)</code>', page)
    assert secret
    response = client.post("/account/totp", data={"code": totp.current_code(secret.group(1)),
                                                  "csrf_token": token})
    assert location_path(response) == "/account"
    assert client.get("/").status_code == 200


def test_a_security_key_fulfils_the_rule(strict_app: Flask, accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    client = strict_app.test_client()
    post(client, "/login", {"email": account.email, "password": account.password})
    assert client.get("/").status_code == 302
    token = csrf_token(client, "/account/keys")
    authenticator = Authenticator()
    options = client.post("/account/keys/options", json={"name": "Key"},
                          headers={"X-CSRFToken": token})
    answer = client.post("/account/keys/register", headers={"X-CSRFToken": token}, json={
        "name": "Key", "credential": authenticator.create(options.get_json())})
    assert answer.get_json() == {"redirect": "/account/keys"}
    assert client.get("/").status_code == 200
    fresh = strict_app.test_client()
    login(fresh, account, key=authenticator)
    assert fresh.get("/").status_code == 200


def test_the_last_factor_cannot_be_removed(strict_app: Flask, accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER, totp_enabled=True)
    client = strict_app.test_client()
    login(client, account)
    page = client.get("/account").text
    assert "Remove the authenticator app" not in page
    response = post(client, "/account/totp/remove", {}, token_from="/account")
    assert location_path(response) == "/account"
    assert "Your account needs a second factor" in client.get("/account").text
    assert user_row(strict_app, account.id).has_totp
    # with a key beside it, the app may go; then the key is the last one and stays
    authenticator = Authenticator()
    token = csrf_token(client, "/account/keys")
    options = client.post("/account/keys/options", json={"name": "Key"},
                          headers={"X-CSRFToken": token}).get_json()
    client.post("/account/keys/register", headers={"X-CSRFToken": token},
                json={"name": "Key", "credential": authenticator.create(options)})
    assert "Remove the authenticator app" in client.get("/account").text
    post(client, "/account/totp/remove", {}, token_from="/account")
    assert not user_row(strict_app, account.id).has_totp
    with strict_app.extensions["portal.db"].session() as s:
        key_id = s.scalar(select(SecurityKey.public_id))
    response = post(client, f"/account/keys/{key_id}/remove", {}, token_from="/account/keys")
    assert "Your account needs a second factor" in client.get("/account/keys").text
    assert user_row(strict_app, account.id).security_keys == 1


def test_relaxed_for_a_pilot(app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    """PORTAL_SUBMITTER_2FA_REQUIRED=false: a password alone signs a submitter in."""
    assert app.extensions["portal.settings"].submitter_2fa_required is False
    account = accounts.create(Role.SUBMITTER)
    response = post(client, "/login", {"email": account.email, "password": account.password})
    assert location_path(response) == "/"
    assert client.get("/").status_code == 200


def test_staff_need_one_whatever_the_setting(app: Flask, accounts: Accounts) -> None:
    account = accounts.create(Role.TRIAGE, totp_enabled=False)
    client = app.test_client()
    response = post(client, "/login", {"email": account.email, "password": account.password})
    assert location_path(response) == "/account/totp"
    assert location_path(client.get("/triage")) == "/account/totp"
