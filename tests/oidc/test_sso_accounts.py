"""Single sign-on and the portal's accounts: linking by (issuer, subject), the first sign-in's
rule, roles that follow the claim, staff passwords switched off, sign-out at both ends,
re-authentication at the provider, session rotation."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from urllib.parse import urljoin

import pyotp
from flask import Flask
from sqlalchemy import func, select

from portal.accounts import totp
from portal.accounts.models import Invitation, Role, SsoIdentity, User
from portal.accounts.operations import Actor, create_user, deactivate, invite
from portal.accounts.passwords import make_hasher
from portal.audit.models import AuditEvent
from portal.crypto import KeyRing
from tests.conftest import TEST_PASSWORD, Accounts
from tests.oidc.harness import Agent, PortalServer, Provider, query
from tests.web.conftest import age_sessions

TEST_SECRET = pyotp.random_base32()


def db(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["portal.db"].session()


def staff_account(app: Flask, email: str, role: Role = Role.TRIAGE,
                  secret: str | None = TEST_SECRET) -> int:
    """An account in use: a password and a second factor, signed in before."""
    with db(app) as s:
        user = create_user(s, make_hasher(1, 1024, 1), Actor(None, "test"), email=email,
                           name="Local Name", role=role, password=TEST_PASSWORD,
                           totp_secret=secret,
                           keyring=KeyRing.from_settings(app.extensions["portal.settings"]))
        return user.id


def users_with(app: Flask, email: str) -> list[User]:
    with db(app) as s:
        return list(s.scalars(select(User).where(User.email == email)))


def actions(app: Flask) -> list[str]:
    with db(app) as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def details(app: Flask, action: str) -> list[dict[str, object]]:
    with db(app) as s:
        return [json.loads(d) for d in s.scalars(select(AuditEvent.details)
                                                 .where(AuditEvent.action == action)
                                                 .order_by(AuditEvent.id))]


def test_a_later_sign_in_finds_the_account_by_subject_even_with_a_new_email(
        app: Flask, agent: Agent, provider: Provider, portal_server: PortalServer) -> None:
    agent.sign_in("trent")
    [first] = users_with(app, "trent@justice.example")
    provider.set_user("trent", email="trent.new@justice.example", name="Trent Renamed")
    try:
        again = Agent(portal_server.url, provider.issuer)
        assert again.sign_in("trent").status_code == 302 and again.signed_in()
    finally:
        provider.set_user("trent", email="trent@justice.example", name="Trent Trainer")
    with db(app) as s:
        assert s.scalar(select(func.count(User.id))) == 1  # no second account
        user = s.get(User, first.id)
        assert user is not None
        assert (user.email, user.name, user.role) == ("trent.new@justice.example",
                                                       "Trent Renamed", "trainer")
    assert details(app, "user.email_changed") == [
        {"before": "trent@justice.example", "provider": "trent.new@justice.example",
         "by": "sso"}]


def test_an_email_taken_by_another_account_is_never_linked_by_the_email_alone(
        app: Flask, agent: Agent) -> None:
    """alice's provider address belongs to a portal account in use: it is linked only after
    its password and code confirm it."""
    local_id = staff_account(app, "alice@justice.example", Role.TRAINER)
    response = agent.sign_in("alice")
    assert response.headers["Location"] == "/login/sso/link"
    assert not agent.signed_in()
    page = html.unescape(agent.get("/login/sso/link").text)
    assert "A portal account with the e-mail address" in page
    with db(app) as s:
        assert s.scalar(select(func.count(SsoIdentity.id))) == 0

    wrong = agent.post_form("/login/sso/link", {"password": "not the password at all",
                                                "code": totp.current_code(TEST_SECRET)})
    assert wrong.status_code == 400
    assert "The password or the code is not correct." in html.unescape(wrong.text)
    no_code = agent.post_form("/login/sso/link", {"password": TEST_PASSWORD, "code": ""})
    assert no_code.status_code == 400
    with db(app) as s:
        assert s.scalar(select(func.count(SsoIdentity.id))) == 0

    right = agent.post_form("/login/sso/link", {"password": TEST_PASSWORD,
                                                "code": totp.current_code(TEST_SECRET)})
    assert right.status_code == 302 and agent.signed_in()
    with db(app) as s:
        link = s.scalar(select(SsoIdentity))
        assert link is not None and (link.user_id, link.subject) == (local_id, "alice")
        user = s.get(User, local_id)
        assert user is not None and user.role == "triage"  # the claim's role now
    assert "sso.linked" in actions(app)


def test_an_invited_account_never_used_is_taken_up_when_the_email_is_verified(
        app: Flask, agent: Agent) -> None:
    with db(app) as s:
        invite(s, app.extensions["portal.settings"], Actor(None, "test"),
               email="ada@justice.example", name="Ada", role=Role.TRIAGE, authority_id=None)
    [invited] = users_with(app, "ada@justice.example")
    assert agent.sign_in("ada").status_code == 302 and agent.signed_in()
    [user] = users_with(app, "ada@justice.example")
    assert (user.id, user.role) == (invited.id, "admin")
    with db(app) as s:  # the invitation link no longer works
        invitation = s.scalar(select(Invitation).where(Invitation.user_id == user.id))
        assert invitation is not None and invitation.expires_at <= user.last_login_at


def test_an_unverified_email_does_not_take_up_an_invited_account(app: Flask,
                                                                 agent: Agent) -> None:
    with db(app) as s:
        invite(s, app.extensions["portal.settings"], Actor(None, "test"),
               email="vic@justice.example", name="Vic", role=Role.TRIAGE, authority_id=None)
    response = agent.sign_in("vic")  # the provider says vic's address is not verified
    assert response.status_code == 403
    assert "e-mail address is not verified" in html.unescape(response.text)
    assert not agent.signed_in()
    assert details(app, "sso.refused")[0]["reason"] == "unverified_email"


def test_a_submitters_email_is_refused(app: Flask, agent: Agent, accounts: Accounts) -> None:
    submitter = accounts.create(Role.SUBMITTER)
    with db(app) as s:
        user = s.get(User, submitter.id)
        assert user is not None
        user.email = "alice@justice.example"
        s.commit()
    response = agent.sign_in("alice")
    assert response.status_code == 403 and not agent.signed_in()
    assert details(app, "sso.refused")[0]["reason"] == "not_staff"
    [still] = users_with(app, "alice@justice.example")
    assert still.role == "submitter"


def test_a_disabled_account_is_refused(app: Flask, agent: Agent,
                                       portal_server: PortalServer, provider: Provider) -> None:
    agent.sign_in("alice")
    [user] = users_with(app, "alice@justice.example")
    with db(app) as s:
        target = s.get(User, user.id)
        assert target is not None
        deactivate(s, Actor(None, "admin"), target)
        s.commit()
    assert not agent.signed_in()  # its session ended
    again = Agent(portal_server.url, provider.issuer)
    response = again.sign_in("alice")
    assert response.status_code == 403
    assert "This portal account is disabled." in html.unescape(response.text)
    assert details(app, "sso.refused")[-1]["reason"] == "disabled"


def test_the_role_follows_the_claim_at_each_sign_in(app: Flask, agent: Agent,
                                                    provider: Provider,
                                                    portal_server: PortalServer) -> None:
    agent.sign_in("trent")
    provider.set_user("trent", groups=["mla-admins"])
    try:
        second = Agent(portal_server.url, provider.issuer)
        second.sign_in("trent")
        [user] = users_with(app, "trent@justice.example")
        assert user.role == "admin"
        assert not agent.signed_in()  # the trainer's older session ended with the change
        provider.set_user("trent", groups=[])
        third = Agent(portal_server.url, provider.issuer)
        assert third.sign_in("trent").status_code == 403  # no role any more: refused
    finally:
        provider.set_user("trent", groups=["mla-trainers"])
    [change] = details(app, "user.role_changed")
    assert change["before"] == {"role": "trainer", "manager": False}
    assert change["after"] == {"role": "admin", "manager": False}


def test_staff_passwords_are_refused_while_submitters_keep_theirs(
        app: Flask, agent: Agent, accounts: Accounts) -> None:
    staff = accounts.create(Role.TRIAGE)
    response = agent.post_form("/login", {"email": staff.email, "password": staff.password})
    assert response.status_code == 400
    assert ("Staff of the Department sign in with the Department's account: use the button "
            "“Sign in with the Department's account”.") in html.unescape(response.text)
    assert not agent.signed_in()
    # a wrong password still gets the usual answer (nothing tells a staff address apart)
    wrong = agent.post_form("/login", {"email": staff.email, "password": "wrong password 1"})
    assert "The e-mail address or the password is not correct" in html.unescape(wrong.text)
    assert details(app, "login.refused") == [
        {"reason": "staff sign in with the Department's account"}]

    submitter = accounts.create(Role.SUBMITTER)
    ok = agent.post_form("/login", {"email": submitter.email, "password": submitter.password})
    assert ok.status_code == 302 and agent.signed_in()


def test_the_sign_in_page_shows_the_departments_button(agent: Agent) -> None:
    page = agent.get("/login?next=/triage")
    button = re.search(r'<a class="usa-button" id="sso-sign-in" href="([^"]+)">([^<]+)</a>',
                       page.text)
    assert button is not None
    assert html.unescape(button[2]) == "Sign in with the Department's account"
    assert html.unescape(button[1]) == "/login/sso?next=/triage"
    # the way back from the provider keeps where the person was going
    callback = agent.callback_url(agent.start(html.unescape(button[1])), "alice")
    assert agent.get(callback).headers["Location"] == "/triage"


def test_sign_out_ends_the_portal_session_and_the_providers(app: Flask, agent: Agent,
                                                            provider: Provider) -> None:
    agent.sign_in("alice")
    response = agent.http.post(urljoin(agent.portal, "/logout"), allow_redirects=False,
                               timeout=30, data={"csrf_token": _csrf(agent)})
    assert response.status_code == 302
    end_session = response.headers["Location"]
    assert end_session.startswith(f"{provider.issuer}/session/end")
    assert query(end_session)["client_id"] == "portal"
    assert query(end_session)["post_logout_redirect_uri"] == f"{agent.portal}/login"
    assert not agent.signed_in()
    assert details(app, "logout") == [{"method": "sso", "provider": True}]
    # the provider asks, then sends the person back to the portal's sign-in page
    confirm = agent.at_provider(end_session)
    form = re.search(r'<form id="op.logoutForm" method="post" action="([^"]+)"', confirm.text)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', confirm.text)
    assert form and xsrf, confirm.text
    back = agent.http.post(urljoin(confirm.url, form[1]), allow_redirects=False, timeout=30,
                           data={"xsrf": xsrf[1], "logout": "yes"})
    assert back.headers["Location"].startswith(f"{agent.portal}/login")
    # signing in again needs the password at the provider: its session ended too
    login_page = agent.at_provider(agent.start())
    assert login_page.status_code == 200 and 'name="password"' in login_page.text


def _csrf(agent: Agent) -> str:
    page = agent.get("/account")
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text)
    assert token
    return token[1]


def test_a_sensitive_action_asks_the_provider_to_confirm_the_person(app: Flask,
                                                                    agent: Agent) -> None:
    agent.sign_in("ada")  # an administrator
    [admin] = users_with(app, "ada@justice.example")
    age_sessions(app, admin.id, authenticated_at=timedelta(hours=1))
    first = agent.get("/admin/users/invite")
    assert first.status_code == 302 and first.headers["Location"].startswith("/reauth")
    to_provider = agent.get(first.headers["Location"])
    assert to_provider.headers["Location"].startswith("/login/sso?reauth=1")
    authorization = agent.start(to_provider.headers["Location"])
    assert query(authorization)["prompt"] == "login"
    assert query(authorization)["max_age"] == "0"
    # the provider asks for the password again, though its session is open
    response = agent.get(agent.callback_url(authorization, "ada"))
    assert response.headers["Location"] == "/admin/users/invite"
    assert agent.get("/admin/users/invite").status_code == 200
    assert details(app, "reauth.success") == [{"method": "sso"}]


def test_a_confirmation_by_another_person_is_refused(app: Flask, agent: Agent) -> None:
    agent.sign_in("ada")
    [admin] = users_with(app, "ada@justice.example")
    age_sessions(app, admin.id, authenticated_at=timedelta(hours=1))
    reauth = agent.get(agent.get("/admin/users/invite").headers["Location"])
    authorization = agent.start(reauth.headers["Location"])
    response = agent.get(agent.callback_url(authorization, "alice"))  # alice at ada's desk
    assert response.headers["Location"] == "/"
    assert agent.get("/admin/users/invite").headers["Location"].startswith("/reauth")
    assert "not the one signed in here" in html.unescape(agent.get("/").text)
    assert details(app, "sso.refused")[0]["subject"] == "alice"
    assert details(app, "reauth.success") == []


def test_the_session_rotates_at_sign_in(app: Flask, agent: Agent) -> None:
    agent.get("/login")  # a session before the sign-in (its CSRF token)
    authorization = agent.start()
    before = _session(app, agent)
    assert "csrf_token" in before and any(key.startswith("_state_") for key in before)
    agent.get(agent.callback_url(authorization, "alice"))
    after = _session(app, agent)
    assert set(after) == {"sid"}
    assert "csrf_token" not in after


def _session(app: Flask, agent: Agent) -> dict[str, object]:
    """The decoded (signed, not encrypted) Flask session of the agent's cookie."""
    cookie = agent.http.cookies.get(app.config["SESSION_COOKIE_NAME"])
    assert cookie
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return dict(serializer.loads(cookie))

