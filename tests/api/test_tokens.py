"""API tokens: the service (created once, stored hashed, refused when revoked, expired or of
another role), the account page (create, list, revoke, after re-auth) and an admin's revoke."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts import tokens
from portal.accounts.models import ApiToken, Role, User, UserSession
from portal.accounts.operations import AccountError, Actor
from portal.audit.models import AuditEvent
from portal.db import Database, utcnow
from tests.conftest import Accounts, csrf_token, login

ACTOR = Actor(None, "test")


def _db(app: Flask) -> Database:
    return app.extensions["portal.db"]  # type: ignore[no-any-return]


def test_a_token_is_shown_once_and_stored_as_a_hash(app: Flask, accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    with _db(app).session() as db:
        token, raw = tokens.create(db, ACTOR, db.get(User, account.id), name=" my  CMS ")
        prefix = token.prefix
    assert re.fullmatch(r"mlap_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", raw)
    with _db(app).session() as db:
        row = db.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
        assert row is not None and row.name == "my CMS"
        assert raw not in (row.secret_hash, row.prefix)
        assert row.secret_hash == tokens.secret_hash(raw)
        assert row.expires_at is not None
        verified = tokens.verify(db, raw)
        assert verified.token is not None and verified.token.user.email == account.email
        assert verified.token.last_used_at is not None
        actions = list(db.scalars(select(AuditEvent.action)))
    assert "api_token.created" in actions


def test_refusals(app: Flask, accounts: Accounts) -> None:
    account = accounts.create(Role.TRIAGE)
    with _db(app).session() as db:
        user = db.get(User, account.id)
        _, revoked = tokens.create(db, ACTOR, user, name="a")
        _, expired = tokens.create(db, ACTOR, user, name="b", expires_days=1)
        _, good = tokens.create(db, ACTOR, user, name="c")
    with _db(app).session() as db:
        row = db.scalar(select(ApiToken).where(ApiToken.name == "a"))
        assert tokens.revoke(db, ACTOR, row) and not tokens.revoke(db, ACTOR, row)
    with _db(app).session() as db:
        assert tokens.verify(db, revoked).refusal is tokens.Refusal.REVOKED
        later = utcnow() + timedelta(days=1, seconds=1)
        assert tokens.verify(db, expired, later).refusal is tokens.Refusal.EXPIRED
        assert tokens.verify(db, expired).refusal is None
        assert tokens.verify(db, good[:-1] + ("A" if good[-1] != "A" else "B")).refusal \
            is tokens.Refusal.UNKNOWN
        assert tokens.verify(db, "mlap_nothing").refusal is tokens.Refusal.MALFORMED
        assert tokens.verify(db, "").refusal is tokens.Refusal.MALFORMED
        db.get(User, account.id).role = Role.TRAINER.value  # a changed role: refused
        assert tokens.verify(db, good).refusal is tokens.Refusal.ACCOUNT


@pytest.mark.parametrize("role", [Role.TRAINER, Role.ADMIN])
def test_only_submitters_and_triage_have_tokens(app: Flask, accounts: Accounts,
                                                role: Role) -> None:
    account = accounts.create(role)
    with _db(app).session() as db, pytest.raises(AccountError):
        tokens.create(db, ACTOR, db.get(User, account.id))


def _create_on_page(client: FlaskClient, name: str = "Case system") -> str:
    response = client.post("/account/tokens", data={
        "name": name, "expires_days": "30", "csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 201, response.text[:300]
    found = re.search(r"mlap_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", response.text)
    assert found
    return found[0]


def test_account_page_creates_lists_and_revokes(app: Flask, client: FlaskClient,
                                                accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    login(client, account)
    raw = _create_on_page(client)
    page = client.get("/account").text
    assert "Case system" in page and raw not in page and raw[:17] in page
    with _db(app).session() as db:
        token = db.scalar(select(ApiToken))
        public_id = token.public_id
        assert tokens.verify(db, raw).token is not None
    response = client.post(f"/account/tokens/{public_id}/revoke",
                           data={"csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 302
    with _db(app).session() as db:
        assert tokens.verify(db, raw).refusal is tokens.Refusal.REVOKED
        actions = list(db.scalars(select(AuditEvent.action)))
    assert "api_token.revoked" in actions
    assert "Revoked" in client.get("/account").text


def test_a_refused_token_form_says_why_and_keeps_what_was_typed(
        app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    login(client, account)
    token = csrf_token(client, "/account")
    response = client.post("/account/tokens", data={
        "name": "  ", "expires_days": "365", "csrf_token": token})
    assert response.status_code == 400
    assert "Enter a name for the token." in response.text
    assert re.search(r'<option[^>]*value="365"[^>]*selected', response.text)
    response = client.post("/account/tokens", data={
        "name": "x" * 101, "expires_days": "30", "csrf_token": token})
    assert response.status_code == 400 and 'aria-invalid="true"' in response.text
    assert "x" * 101 in response.text
    with _db(app).session() as db:
        assert db.scalar(select(ApiToken)) is None


def test_creating_a_token_asks_for_the_password_again(app: Flask, client: FlaskClient,
                                                      accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    login(client, account)
    with _db(app).session() as db:
        for row in db.scalars(select(UserSession)):
            row.authenticated_at = utcnow() - timedelta(hours=5)
    response = client.post("/account/tokens", data={
        "name": "x", "expires_days": "30", "csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 302 and "/reauth" in response.headers["Location"]
    with _db(app).session() as db:
        assert db.scalar(select(ApiToken)) is None


def test_another_accounts_token_cannot_be_revoked(app: Flask, client: FlaskClient,
                                                  accounts: Accounts) -> None:
    owner = accounts.create(Role.SUBMITTER)
    with _db(app).session() as db:
        token, raw = tokens.create(db, ACTOR, db.get(User, owner.id))
        public_id = token.public_id
    login(client, accounts.create(Role.SUBMITTER))
    response = client.post(f"/account/tokens/{public_id}/revoke",
                           data={"csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 404
    with _db(app).session() as db:
        assert tokens.verify(db, raw).token is not None


def test_trainers_have_no_token_section(client: FlaskClient, accounts: Accounts) -> None:
    login(client, accounts.create(Role.TRAINER))
    assert 'id="api-tokens"' not in client.get("/account").text
    response = client.post("/account/tokens", data={
        "name": "x", "expires_days": "30", "csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 403


def test_an_admin_revokes_anyones_token(app: Flask, client: FlaskClient,
                                        accounts: Accounts) -> None:
    owner = accounts.create(Role.TRIAGE)
    with _db(app).session() as db:
        token, raw = tokens.create(db, ACTOR, db.get(User, owner.id), name="Queue robot")
        public_id = token.public_id
    login(client, accounts.create(Role.ADMIN))
    page = client.get(f"/admin/users/{owner.public_id}")
    assert "Queue robot" in page.text
    response = client.post(f"/admin/users/{owner.public_id}/tokens/{public_id}/revoke",
                           data={"csrf_token": csrf_token(client,
                                                          f"/admin/users/{owner.public_id}")})
    assert response.status_code == 302
    with _db(app).session() as db:
        assert tokens.verify(db, raw).refusal is tokens.Refusal.REVOKED
        assert db.scalar(select(ApiToken)).revoked_by_id is not None
