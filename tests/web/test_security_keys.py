"""Security keys (WebAuthn) through the portal's JSON endpoints, answered by a software
authenticator: registration, sign-in, re-authentication and removal, and the refusals (another
origin or RP ID, a challenge used twice or from another session, a counter going back)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from portal.accounts.models import Role, SecurityKey, User, WebauthnChallenge
from portal.audit.models import AuditEvent
from portal.db import utcnow
from tests.authenticator import Authenticator
from tests.conftest import Account, Accounts, csrf_token, login, run_jobs
from tests.web.conftest import (
    age_sessions,
    in_db,
    location_path,
    post,
    session_cookie,
    user_row,
)

ACCOUNT_PAGE = "/account/keys"


def post_json(client: FlaskClient, path: str, body: dict[str, Any], token: str) -> Any:
    return client.post(path, json=body, headers={"X-CSRFToken": token})


def register(client: FlaskClient, authenticator: Authenticator, name: str = "Blue key",
             **answer: str) -> Any:
    token = csrf_token(client, ACCOUNT_PAGE)
    options = post_json(client, "/account/keys/options", {"name": name}, token)
    assert options.status_code == 200, options.text
    credential = authenticator.create(options.get_json(), **answer)
    return post_json(client, "/account/keys/register", {"name": name, "credential": credential},
                     token)


def password_step(client: FlaskClient, account: Account) -> None:
    response = post(client, "/login", {"email": account.email, "password": account.password})
    assert location_path(response) == "/login/code"


def key_options(client: FlaskClient, path: str = "/login/key/options") -> tuple[dict[str, Any],
                                                                                 str]:
    token = csrf_token(client, "/login/code" if path.startswith("/login") else "/account")
    response = post_json(client, path, {}, token)
    assert response.status_code == 200, response.text
    return response.get_json(), token


def sign_in_with_key(client: FlaskClient, account: Account, authenticator: Authenticator,
                     **answer: Any) -> Any:
    password_step(client, account)
    options, token = key_options(client)
    return post_json(client, "/login/key", {"credential": authenticator.get(options, **answer)},
                     token)


def signed_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


def events(app: Flask, action: str) -> list[AuditEvent]:
    with app.extensions["portal.db"].session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


def with_key(app: Flask, accounts: Accounts, role: Role = Role.SUBMITTER
             ) -> tuple[Account, Authenticator]:
    """An account with one registered key, signed out again."""
    account = accounts.create(role)
    client = app.test_client()
    login(client, account)
    authenticator = Authenticator()
    assert register(client, authenticator).get_json() == {"redirect": ACCOUNT_PAGE}
    return account, authenticator


def test_register_sign_in_and_remove(app: Flask, accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    client = app.test_client()
    login(client, account)
    authenticator = Authenticator()
    response = register(client, authenticator, "  Blue   key ")
    assert response.get_json() == {"redirect": ACCOUNT_PAGE}
    page = client.get(ACCOUNT_PAGE).text
    assert "The security key “Blue key” is registered." in page
    assert "Blue key" in page and 'src="/static/js/webauthn.js"' in page
    assert user_row(app, account.id).security_keys == 1
    [event] = events(app, "security_key.registered")
    assert event.actor_id == account.id and '"name": "Blue key"' in event.details

    fresh = app.test_client()
    password_step(fresh, account)
    assert "Use my security key" in fresh.get("/login/code").text
    assert not signed_in(fresh)  # the password alone is not enough any more
    options, token = key_options(fresh)
    assert [c["id"] for c in options["allowCredentials"]] == [
        authenticator.create({"challenge": ""})["id"]]
    answer = post_json(fresh, "/login/key", {"credential": authenticator.get(options)}, token)
    assert answer.get_json() == {"redirect": "/"}
    assert signed_in(fresh)
    with app.extensions["portal.db"].session() as s:
        key = s.scalar(select(SecurityKey))
        assert key is not None and key.sign_count == 1 and key.last_used_at is not None
    assert len(events(app, "security_key.used")) == 1

    response = post(fresh, f"/account/keys/{key.public_id}/remove", {}, token_from=ACCOUNT_PAGE)
    assert location_path(response) == ACCOUNT_PAGE
    assert "was removed from your account" in fresh.get(ACCOUNT_PAGE).text
    assert user_row(app, account.id).security_keys == 0
    assert len(events(app, "security_key.removed")) == 1


def test_an_answer_for_another_origin_or_rp_id_is_refused(app: Flask, accounts: Accounts) -> None:
    account, authenticator = with_key(app, accounts)
    for answer in ({"origin": "http://localhost.evil.example"}, {"rp_id": "evil.example"},
                   {"origin": "https://localhost"}):
        client = app.test_client()
        response = sign_in_with_key(client, account, authenticator, **answer)
        assert response.status_code == 400
        assert response.get_json()["error"] == ("The security key was not accepted. Try again, "
                                                "or use another key.")
        assert not signed_in(client)
    reasons = [e.details for e in events(app, "login.failed")]
    assert len(reasons) == 3 and all('"step": "security_key"' in r for r in reasons)
    assert "origin" in reasons[0] and "RP ID" in reasons[1] and "origin" in reasons[2]
    assert user_row(app, account.id).failed_logins == 3  # toward the lockout


def test_registration_for_another_origin_or_rp_id_is_refused(app: Flask,
                                                             accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    client = app.test_client()
    login(client, account)
    for answer in ({"origin": "http://evil.example"}, {"rp_id": "evil.example"}):
        response = register(client, Authenticator(), **answer)
        assert response.status_code == 400
        assert "could not be registered" in response.get_json()["error"]
    assert user_row(app, account.id).security_keys == 0
    assert len(events(app, "security_key.register_failed")) == 2


def test_a_challenge_serves_once(app: Flask, accounts: Accounts) -> None:
    account, authenticator = with_key(app, accounts)
    client = app.test_client()
    password_step(client, account)
    options, token = key_options(client)
    cookie = session_cookie(app, client)  # holds the pending sign-in and the challenge's handle
    assert cookie is not None
    credential = authenticator.get(options)
    assert post_json(client, "/login/key", {"credential": credential}, token).status_code == 200
    # the same answer again, from a browser that kept the cookie of before the sign-in
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    response = post_json(replay, "/login/key", {"credential": credential}, token)
    assert response.status_code == 400 and not signed_in(replay)
    assert '"reason": "no valid challenge"' in events(app, "login.failed")[-1].details
    with app.extensions["portal.db"].session() as s:
        assert s.scalar(select(WebauthnChallenge.id)) is None  # used up: deleted


def test_a_challenge_belongs_to_the_session_that_asked_for_it(app: Flask,
                                                              accounts: Accounts) -> None:
    account, authenticator = with_key(app, accounts)
    asking = app.test_client()
    password_step(asking, account)
    options, _token = key_options(asking)
    other = app.test_client()  # signed the password in too, but never asked for this challenge
    password_step(other, account)
    response = post_json(other, "/login/key", {"credential": authenticator.get(options)},
                         csrf_token(other, "/login/code"))
    assert response.status_code == 400 and not signed_in(other)


def test_a_challenge_serves_only_its_ceremony(app: Flask, accounts: Accounts) -> None:
    """A sign-in's challenge cannot register a key (nor the other way round)."""
    account, authenticator = with_key(app, accounts)
    client = app.test_client()
    login(client, account, key=authenticator)
    token = csrf_token(client, "/account")
    options = post_json(client, "/reauth/key/options", {}, token).get_json()
    answer = post_json(client, "/account/keys/register",
                       {"name": "Other", "credential": Authenticator().create(options)}, token)
    assert answer.status_code == 400 and user_row(app, account.id).security_keys == 1


def test_a_counter_going_back_is_refused(app: Flask, accounts: Accounts) -> None:
    account, authenticator = with_key(app, accounts)
    assert sign_in_with_key(app.test_client(), account, authenticator, counter=7
                            ).status_code == 200
    client = app.test_client()  # a clone of the key, whose counter is behind
    response = sign_in_with_key(client, account, authenticator, counter=5)
    assert response.status_code == 400 and not signed_in(client)
    same = sign_in_with_key(client, account, authenticator, counter=7)
    assert same.status_code == 400
    assert "sign count" in events(app, "login.failed")[-1].details
    with app.extensions["portal.db"].session() as s:
        assert s.scalar(select(SecurityKey.sign_count)) == 7


def test_another_accounts_key_is_refused(app: Flask, accounts: Accounts) -> None:
    _owner, key = with_key(app, accounts)
    other, _other_key = with_key(app, accounts)
    client = app.test_client()
    response = sign_in_with_key(client, other, key)
    assert response.status_code == 400 and not signed_in(client)
    assert "not a key of this account" in events(app, "login.failed")[-1].details


def test_garbage_gets_a_message_not_an_error(app: Flask, accounts: Accounts) -> None:
    account, _authenticator = with_key(app, accounts)
    client = app.test_client()
    password_step(client, account)
    _options, token = key_options(client)
    for body in ({}, {"credential": "not json"}, {"credential": {"id": 5}},
                 {"credential": {"rawId": "%%%", "response": []}}):
        response = post_json(client, "/login/key", body, token)
        assert response.status_code == 400 and "error" in response.get_json(), body
    login(client := app.test_client(), accounts.create(Role.SUBMITTER))
    token = csrf_token(client, ACCOUNT_PAGE)
    assert post_json(client, "/account/keys/options", {"name": ""}, token).get_json() == {
        "error": "Give the key a name, for example “Blue key” or “My phone”."}
    assert post_json(client, "/account/keys/register", {"name": "x", "credential": "[]"},
                     token).status_code == 400
    assert client.post("/account/keys/options", json={"name": "x"}).status_code == 400  # no token


def test_registration_and_removal_need_a_recent_password(app: Flask, accounts: Accounts) -> None:
    account, authenticator = with_key(app, accounts)
    client = app.test_client()
    login(client, account, key=authenticator)
    age_sessions(app, account.id, authenticated_at=timedelta(hours=1))
    token = csrf_token(client, ACCOUNT_PAGE)
    response = post_json(client, "/account/keys/options", {"name": "Second"}, token)
    assert response.status_code == 403
    assert response.get_json()["redirect"].startswith("/reauth?next=")
    with app.extensions["portal.db"].session() as s:
        key_id = s.scalar(select(SecurityKey.public_id))
    removal = post(client, f"/account/keys/{key_id}/remove", {}, token_from=ACCOUNT_PAGE)
    assert location_path(removal).startswith("/reauth?next=")
    assert user_row(app, account.id).security_keys == 1
    # the password and the key confirm it is the person
    options = post_json(client, "/reauth/key/options", {}, token).get_json()
    wrong = post_json(client, "/reauth/key", {"password": "not it at all", "credential":
                                              authenticator.get(options)}, token)
    assert wrong.status_code == 400
    options = post_json(client, "/reauth/key/options", {}, token).get_json()
    right = post_json(client, "/reauth/key", {"password": account.password, "next": ACCOUNT_PAGE,
                                              "credential": authenticator.get(options)}, token)
    assert right.get_json() == {"redirect": ACCOUNT_PAGE}
    assert post_json(client, "/account/keys/options", {"name": "Second"}, token
                     ).status_code == 200


def test_the_password_alone_does_not_confirm_a_key_holder(app: Flask, accounts: Accounts) -> None:
    account, authenticator = with_key(app, accounts)
    client = app.test_client()
    login(client, account, key=authenticator)
    response = post(client, "/reauth", {"password": account.password})
    assert response.status_code == 400 and "Confirm with your security key." in response.text


def test_a_key_is_removed_only_by_its_owner(app: Flask, accounts: Accounts) -> None:
    _owner, _key = with_key(app, accounts)
    with app.extensions["portal.db"].session() as s:
        key_id = s.scalar(select(SecurityKey.public_id))
    intruder = app.test_client()
    login(intruder, accounts.create(Role.SUBMITTER))
    response = post(intruder, f"/account/keys/{key_id}/remove", {}, token_from=ACCOUNT_PAGE)
    assert response.status_code == 404
    with app.extensions["portal.db"].session() as s:
        assert s.scalar(select(SecurityKey.public_id)) == key_id


def test_a_locked_account_is_not_opened_by_a_key(app: Flask, accounts: Accounts) -> None:
    account, authenticator = with_key(app, accounts)
    client = app.test_client()
    password_step(client, account)
    options, token = key_options(client)
    in_db(app, lambda s: s.execute(update(User).where(User.id == account.id).values(
        locked_until=utcnow() + timedelta(minutes=5))))
    response = post_json(client, "/login/key", {"credential": authenticator.get(options)}, token)
    assert response.get_json() == {"redirect": "/login"} and not signed_in(client)


def test_a_new_invitation_takes_the_keys_away(app: Flask, accounts: Accounts) -> None:
    """An administrator re-invites a person whose key is lost: once the new invitation is
    accepted, the account has no key any more."""
    from tests.web.test_invitation import accept, admin_client, read_invitation_mail

    account, _authenticator = with_key(app, accounts)
    admin, _ = admin_client(app, accounts)
    post(admin, f"/admin/users/{account.public_id}/reinvite", {},
         token_from=f"/admin/users/{account.public_id}")
    run_jobs(app)
    _message, token = read_invitation_mail(app.extensions["portal.settings"], account.email)
    response, _secret = accept(app.test_client(), token, with_code=False)
    assert response.status_code == 302
    assert user_row(app, account.id).security_keys == 0
    with app.extensions["portal.db"].session() as s:
        assert s.scalar(select(SecurityKey.id)) is None
    [enrolled] = events(app, "user.enrolled")
    assert '"security_keys_removed": 1' in enrolled.details
