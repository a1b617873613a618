"""Invitations (admin form, e-mail, acceptance), deactivation, role changes, re-authentication."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from portal.accounts import totp
from portal.accounts.models import Invitation, Role, User
from portal.config import Settings
from portal.db import utcnow
from portal.mail import messages
from tests.conftest import Account, Accounts, csrf_token, login, run_jobs
from tests.web.conftest import (
    age_sessions,
    error_messages,
    fresh_code,
    in_db,
    location_path,
    post,
    sessions_of,
    totp_secret_of,
    user_row,
)

NEW_PASSWORD = "a long and quiet river of words"


def outbox_files(settings: Settings) -> list[Path]:
    return sorted((settings.data_dir / "outbox").glob("*.eml"))


def invite_through_the_form(client: FlaskClient, accounts: Accounts, *, email_addr: str,
                            role: Role, name: str = "Nadia Invited") -> None:
    """Fill the real admin form (a worker then writes the e-mail to the outbox folder)."""
    data = {"name": name, "email": email_addr, "role": role.value, "locale": "en",
            "authority": ""}
    if role is Role.SUBMITTER:
        accounts.authority("ES")
        page = client.get("/admin/users/invite").text
        match = re.search(r'<option value="([^"]+)">Authority ES', page)
        assert match
        data["authority"] = match.group(1)
    response = post(client, "/admin/users/invite", data)
    assert response.status_code == 302, error_messages(response.text)
    assert location_path(response) == "/admin/users"
    run_jobs(client.application)


def read_invitation_mail(settings: Settings, to: str) -> tuple[email.message.EmailMessage, str]:
    for path in outbox_files(settings):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == to:
            assert isinstance(message, email.message.EmailMessage)
            body = message.get_content()
            match = re.search(r"http://localhost/invitation/([A-Za-z0-9_-]+)", body)
            assert match, body
            return message, match.group(1)
    raise AssertionError(f"no e-mail to {to} in {outbox_files(settings)}")


def admin_client(app: Flask, accounts: Accounts) -> tuple[FlaskClient, Account]:
    admin = accounts.create(Role.ADMIN)
    client = app.test_client()
    login(client, admin)
    return client, admin


def invited(app: Flask, accounts: Accounts, settings: Settings, role: Role,
            email_addr: str = "new.person@example.org") -> str:
    client, _admin = admin_client(app, accounts)
    invite_through_the_form(client, accounts, email_addr=email_addr, role=role)
    return read_invitation_mail(settings, email_addr)[1]


def accept(client: FlaskClient, token: str, *, password: str = NEW_PASSWORD,
           confirm: str | None = None, with_code: bool = True):  # type: ignore[no-untyped-def]
    page = client.get(f"/invitation/{token}")
    assert page.status_code == 200
    secret_match = re.search(r'<code class="portal-secret" dir="ltr">([A-Z2-7]+)</code>',
                             page.text)
    assert secret_match
    secret = secret_match.group(1)
    data = {"password": password, "confirm": password if confirm is None else confirm,
            "code": totp.current_code(secret) if with_code else "", "csrf_token": _token(page.text)}
    return client.post(f"/invitation/{token}", data=data), secret


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_admin_invites_and_the_mail_has_the_link_and_nothing_else(
        app: Flask, accounts: Accounts, settings: Settings) -> None:
    client, _admin = admin_client(app, accounts)
    # the admin's sign-in is older than the re-authentication window: confirm first
    age_sessions(app, _admin.id, authenticated_at=timedelta(minutes=settings.reauth_minutes + 1))
    response = client.get("/admin/users/invite")
    assert location_path(response) == "/reauth?next=/admin/users/invite"
    assert _admin.totp_secret
    response = post(client, "/reauth?next=/admin/users/invite",
                    {"password": _admin.password, "code": fresh_code(_admin.totp_secret)})
    assert location_path(response) == "/admin/users/invite"

    invite_through_the_form(client, accounts, email_addr="Nadia@Example.org", role=Role.TRIAGE)
    message, token = read_invitation_mail(settings, "nadia@example.org")
    body = message.get_content()
    expected = messages.invitation("en", name="Nadia Invited",
                                   link=f"http://localhost/invitation/{token}",
                                   hours=settings.invitation_valid_hours)
    assert message["Subject"] == expected.subject
    assert body.strip() == expected.body.strip()  # references and links only
    with app.extensions["portal.db"].session() as s:
        user = s.scalar(select(User).where(User.email == "nadia@example.org"))
        assert user is not None and user.password_hash is None
        assert user.role == "triage"
        invitation = s.scalar(select(Invitation).where(Invitation.user_id == user.id))
        assert invitation is not None and token not in invitation.token_hash


def test_accepting_sets_password_and_second_factor(app: Flask, accounts: Accounts,
                                                   settings: Settings) -> None:
    token = invited(app, accounts, settings, Role.TRIAGE)
    client = app.test_client()
    page = client.get(f"/invitation/{token}")
    assert "<svg" in page.text and 'class="totp-qr"' in page.text
    response, secret = accept(client, token)
    assert response.status_code == 302, error_messages(response.text)
    assert location_path(response) == "/login"
    with app.extensions["portal.db"].session() as s:
        user = s.scalar(select(User).where(User.email == "new.person@example.org"))
        assert user is not None
        assert totp_secret_of(app, user) == secret  # sealed: not in clear in the row
        assert user.totp_secret_encrypted and secret not in user.totp_secret_encrypted
        assert user.password_hash and NEW_PASSWORD not in user.password_hash
        user_id, role = user.id, Role(user.role)
    account = Account(user_id, "", "new.person@example.org", NEW_PASSWORD, role, secret, None)
    fresh = app.test_client()
    login(fresh, account, code=fresh_code(secret))
    assert fresh.get("/").status_code == 200


def test_an_invitation_works_only_once(app: Flask, accounts: Accounts,
                                       settings: Settings) -> None:
    token = invited(app, accounts, settings, Role.SUBMITTER)
    client = app.test_client()
    response, _secret = accept(client, token, with_code=False)
    assert response.status_code == 302
    again = app.test_client().get(f"/invitation/{token}")
    assert again.status_code == 410
    assert "already been used" in again.text
    other = app.test_client()
    reused = other.post(f"/invitation/{token}", data={
        "password": "another long pass phrase", "confirm": "another long pass phrase",
        "csrf_token": csrf_token(other, "/login")})
    assert reused.status_code == 410


def test_expired_invitation(app: Flask, accounts: Accounts, settings: Settings) -> None:
    token = invited(app, accounts, settings, Role.TRIAGE)
    in_db(app, lambda s: s.execute(update(Invitation).values(
        expires_at=utcnow() - timedelta(seconds=1))))
    response = app.test_client().get(f"/invitation/{token}")
    assert response.status_code == 410
    assert "expired" in response.text
    assert "password" not in response.text.split("<main", 1)[1].lower()


def test_unknown_invitation_token(client: FlaskClient) -> None:
    response = client.get("/invitation/not-a-real-token")
    assert response.status_code == 410
    assert "not valid" in response.text


def test_weak_and_common_passwords_are_refused(app: Flask, accounts: Accounts,
                                               settings: Settings) -> None:
    token = invited(app, accounts, settings, Role.SUBMITTER)
    client = app.test_client()
    for password, expected in (("short", "Use at least 12 characters."),
                               ("passwordpassword", "This password is too common."),
                               ("new.person is my password", "Do not use your name")):
        response, _secret = accept(client, token, password=password, with_code=False)
        assert response.status_code == 400, password
        assert any(expected in message for message in error_messages(response.text)), (
            password, error_messages(response.text))
    assert user_row_by_email(app, "new.person@example.org").password_hash is None


def user_row_by_email(app: Flask, address: str) -> User:
    with app.extensions["portal.db"].session() as s:
        user = s.scalar(select(User).where(User.email == address))
        assert user is not None
        return user


def test_password_mismatch(app: Flask, accounts: Accounts, settings: Settings) -> None:
    token = invited(app, accounts, settings, Role.SUBMITTER)
    response, _secret = accept(app.test_client(), token, confirm=NEW_PASSWORD + " nope",
                               with_code=False)
    assert response.status_code == 400
    assert "The two passwords are not the same." in error_messages(response.text)
    assert user_row_by_email(app, "new.person@example.org").password_hash is None


def test_second_factor_is_required_for_triage(app: Flask, accounts: Accounts,
                                              settings: Settings) -> None:
    token = invited(app, accounts, settings, Role.TRIAGE)
    client = app.test_client()
    response, _secret = accept(client, token, with_code=False)
    assert response.status_code == 400
    assert "6-digit code" in " ".join(error_messages(response.text))
    response = client.post(f"/invitation/{token}", data={
        "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "code": "12345",
        "csrf_token": csrf_token(client, f"/invitation/{token}")})
    assert response.status_code == 400
    assert user_row_by_email(app, "new.person@example.org").password_hash is None


def test_second_factor_is_optional_for_submitters(app: Flask, accounts: Accounts,
                                                  settings: Settings) -> None:
    token = invited(app, accounts, settings, Role.SUBMITTER)
    response, _secret = accept(app.test_client(), token, with_code=False)
    assert response.status_code == 302
    user = user_row_by_email(app, "new.person@example.org")
    assert user.totp_secret_encrypted is None and user.password_hash
    client = app.test_client()
    response = post(client, "/login", {"email": user.email, "password": NEW_PASSWORD})
    assert location_path(response) == "/"


def test_submitter_may_enrol_a_second_factor(app: Flask, accounts: Accounts,
                                             settings: Settings) -> None:
    token = invited(app, accounts, settings, Role.SUBMITTER)
    response, secret = accept(app.test_client(), token, with_code=True)
    assert response.status_code == 302
    assert totp_secret_of(app, user_row_by_email(app, "new.person@example.org")) == secret


def test_deactivated_user_cannot_sign_in_and_their_sessions_end(
        app: Flask, accounts: Accounts) -> None:
    admin, _ = admin_client(app, accounts)
    target = accounts.create(Role.TRIAGE)
    victim = app.test_client()
    login(victim, target)
    assert victim.get("/").status_code == 200
    response = post(admin, f"/admin/users/{target.public_id}/deactivate", {},
                    token_from=f"/admin/users/{target.public_id}")
    assert location_path(response) == f"/admin/users/{target.public_id}"
    assert not user_row(app, target.id).active
    assert sessions_of(app, target.id) == []
    assert victim.get("/").status_code == 302
    response = post(app.test_client(), "/login",
                    {"email": target.email, "password": target.password})
    assert response.status_code == 400
    assert error_messages(response.text) == [
        "The e-mail address or the password is not correct, or the account is locked for "
        "15 minutes after too many failed attempts."]


def test_admin_cannot_deactivate_themselves(app: Flask, accounts: Accounts) -> None:
    admin, me = admin_client(app, accounts)
    post(admin, f"/admin/users/{me.public_id}/deactivate", {}, token_from="/admin/users")
    assert user_row(app, me.id).active


def test_role_change_ends_the_sessions(app: Flask, accounts: Accounts) -> None:
    admin, _ = admin_client(app, accounts)
    target = accounts.create(Role.TRIAGE)
    victim = app.test_client()
    login(victim, target)
    response = post(admin, f"/admin/users/{target.public_id}",
                    {"role": "trainer", "authority": ""})
    assert location_path(response) == f"/admin/users/{target.public_id}"
    assert user_row(app, target.id).role == "trainer"
    assert sessions_of(app, target.id) == []
    assert victim.get("/").status_code == 302


def test_reauthentication_guards_the_admin_user_pages(app: Flask, accounts: Accounts,
                                                      settings: Settings) -> None:
    client, admin = admin_client(app, accounts)
    other = accounts.create(Role.SUBMITTER)
    age_sessions(app, admin.id, authenticated_at=timedelta(minutes=settings.reauth_minutes + 1))
    page = f"/admin/users/{other.public_id}"
    response = client.get(page)
    assert location_path(response) == f"/reauth?next={page}"
    # a POST on the page is refused the same way (nothing changes)
    response = post(client, f"{page}/deactivate", {}, token_from="/account")
    assert location_path(response).startswith("/reauth")
    assert user_row(app, other.id).active
    # ... and comes back to the page the form was on, not to the POST-only action (a 405)
    response = post(client, f"{page}/deactivate", {}, token_from="/account",
                    headers={"Referer": f"http://localhost{page}"})
    assert location_path(response) == f"/reauth?next={page}"
    response = post(client, f"{page}/deactivate", {}, token_from="/account",
                    headers={"Referer": f"http://evil.example{page}"})
    assert location_path(response) == "/reauth?next=/"
    # wrong password: refused
    assert admin.totp_secret
    response = post(client, f"/reauth?next={page}",
                    {"password": "not my password", "code": fresh_code(admin.totp_secret)})
    assert response.status_code == 400
    assert client.get(page).status_code == 302
    # password without the code: refused
    response = post(client, f"/reauth?next={page}", {"password": admin.password, "code": ""})
    assert response.status_code == 400
    # password and code: back to the page, which now opens
    from tests.web.conftest import forget_totp_use

    forget_totp_use(app, admin.id)
    response = post(client, f"/reauth?next={page}",
                    {"password": admin.password, "code": fresh_code(admin.totp_secret)})
    assert location_path(response) == page
    assert client.get(page).status_code == 200


def test_a_new_invitation_retires_the_old_link(app: Flask, accounts: Accounts,
                                               settings: Settings) -> None:
    client, _admin = admin_client(app, accounts)
    invite_through_the_form(client, accounts, email_addr="twice@example.org", role=Role.TRAINER)
    _message, first = read_invitation_mail(settings, "twice@example.org")
    target = user_row_by_email(app, "twice@example.org")
    response = post(client, f"/admin/users/{target.public_id}/reinvite", {},
                    token_from=f"/admin/users/{target.public_id}")
    assert response.status_code == 302
    run_jobs(app)
    tokens = [re.search(r"/invitation/([A-Za-z0-9_-]+)", path.read_text()).group(1)  # type: ignore[union-attr]
              for path in outbox_files(settings)
              if "twice@example.org" in path.read_text()]
    assert len(tokens) == 2 and first in tokens
    second = next(token for token in tokens if token != first)
    old = app.test_client().get(f"/invitation/{first}")
    assert old.status_code == 410
    response, _secret = accept(app.test_client(), second)
    assert response.status_code == 302


def test_accepting_a_new_invitation_ends_the_old_sessions(app: Flask, accounts: Accounts
                                                          ) -> None:
    admin, _ = admin_client(app, accounts)
    target = accounts.create(Role.SUBMITTER)
    old_browser = app.test_client()
    login(old_browser, target)
    post(admin, f"/admin/users/{target.public_id}/reinvite", {},
         token_from=f"/admin/users/{target.public_id}")
    run_jobs(app)
    settings = app.extensions["portal.settings"]
    _message, token = read_invitation_mail(settings, target.email)
    response, _secret = accept(app.test_client(), token, with_code=False)
    assert response.status_code == 302
    assert sessions_of(app, target.id) == []
    assert old_browser.get("/account").status_code == 302


def test_each_failed_reauthentication_counts_once(app: Flask, accounts: Accounts,
                                                  settings: Settings) -> None:
    client, admin = admin_client(app, accounts)
    assert admin.totp_secret
    from tests.web.conftest import wrong_code

    post(client, "/reauth", {"password": "not my password", "code": ""})
    assert user_row(app, admin.id).failed_logins == 1
    post(client, "/reauth", {"password": admin.password, "code": wrong_code(admin.totp_secret)})
    assert user_row(app, admin.id).failed_logins == 2
