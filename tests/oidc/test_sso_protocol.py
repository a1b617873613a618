"""The authorization code flow against the real provider, with an HTTP client: PKCE, state,
nonce, the ID token's audience and expiry, the provider's errors; each refusal audited."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
from urllib.parse import urljoin

import requests
from flask import Flask
from sqlalchemy import func, select

from portal.accounts.models import SessionMethod, SsoIdentity, User, UserSession
from portal.audit.models import AuditEvent
from portal.config import Settings
from portal.web.accounts import sso_client
from tests.oidc.conftest import serve, sso_settings
from tests.oidc.harness import (
    SECRETS,
    Agent,
    PortalServer,
    Provider,
    free_port,
    query,
    with_query,
)

FAILED = "Signing in with the Department's account did not succeed. Please try again."


def text(response: requests.Response) -> str:
    return html.unescape(response.text)


def events(app: Flask, action: str) -> list[AuditEvent]:
    with app.extensions["portal.db"].session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


def refusal_reasons(app: Flask) -> list[str]:
    return [json.loads(event.details)["reason"] for event in events(app, "sso.refused")]


def user_count(app: Flask) -> int:
    with app.extensions["portal.db"].session() as s:
        return int(s.scalar(select(func.count(User.id))) or 0)


def test_the_authorization_request_uses_pkce_s256_state_and_nonce(agent: Agent,
                                                                  provider: Provider) -> None:
    params = query(agent.start())
    assert params["response_type"] == "code"
    assert params["client_id"] == "portal"
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43  # base64url of a SHA-256
    assert len(params["state"]) >= 20 and len(params["nonce"]) >= 20
    assert set(params["scope"].split()) == {"openid", "email", "profile", "groups"}
    # a second request gets fresh values
    again = query(agent.start())
    assert {again["state"], again["nonce"], again["code_challenge"]}.isdisjoint(
        {params["state"], params["nonce"], params["code_challenge"]})


def test_a_staff_member_signs_in_and_gets_the_role_of_the_claim(app: Flask, agent: Agent,
                                                                provider: Provider) -> None:
    response = agent.sign_in("alice")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert agent.signed_in()
    with app.extensions["portal.db"].session() as s:
        user = s.scalar(select(User).where(User.email == "alice@justice.example"))
        assert user is not None
        assert (user.role, user.is_manager, user.name) == ("triage", False, "Alice Triage")
        assert user.password_hash is None  # no portal password to guess
        link = s.scalar(select(SsoIdentity).where(SsoIdentity.user_id == user.id))
        assert link is not None and (link.issuer, link.subject) == (provider.issuer, "alice")
        session = s.scalar(select(UserSession).where(UserSession.user_id == user.id))
        assert session is not None and session.method == SessionMethod.SSO.value
    success = events(app, "login.success")
    assert [json.loads(e.details) for e in success] == [{"method": "sso"}]
    # the provider vouches for the second factor: no TOTP enrolment is asked for
    assert agent.get("/triage").status_code == 200


def test_a_manager_group_gives_the_managers_rights(app: Flask, agent: Agent) -> None:
    agent.sign_in("mona")  # in mla-triage and mla-triage-managers: the first mapping entry wins
    with app.extensions["portal.db"].session() as s:
        user = s.scalar(select(User).where(User.email == "mona@justice.example"))
        assert user is not None and (user.role, user.is_manager) == ("triage", True)


def test_no_role_in_the_claim_is_refused_with_a_message_and_audited(app: Flask,
                                                                    agent: Agent) -> None:
    response = agent.sign_in("nora")  # only in "finance"
    assert response.status_code == 403
    assert ("Your Department account does not give you a role in this portal. Ask your "
            "administrator to add you to one of the portal's groups.") in text(response)
    assert not agent.signed_in()
    assert user_count(app) == 0
    assert refusal_reasons(app) == ["no_role"]
    assert events(app, "sso.refused")[0].actor == "nora@justice.example"


def test_a_changed_state_is_refused_and_the_state_is_used_once(app: Flask,
                                                               agent: Agent) -> None:
    callback = agent.callback_url(agent.start(), "alice")
    forged = agent.get(with_query(callback, state="forged-" + query(callback)["state"]))
    assert forged.status_code == 400 and FAILED in text(forged)
    assert not agent.signed_in()
    assert agent.get(callback).status_code == 302  # the real one still works, once
    assert agent.signed_in()
    agent.http.cookies.clear()
    replayed = agent.get(callback)
    assert replayed.status_code == 400
    assert refusal_reasons(app) == ["unknown or reused state"] * 2


def test_a_callback_in_another_browser_is_refused(app: Flask, agent: Agent,
                                                  portal_server: PortalServer,
                                                  provider: Provider) -> None:
    """Login CSRF: a victim's browser fed an attacker's callback has no such state."""
    callback = agent.callback_url(agent.start(), "alice")
    victim = Agent(portal_server.url, provider.issuer)
    assert victim.get(callback).status_code == 400
    assert not victim.signed_in()
    assert user_count(app) == 0


def test_a_changed_nonce_is_refused(app: Flask, agent: Agent) -> None:
    authorization = agent.start()
    callback = agent.callback_url(with_query(authorization, nonce="n" * 27), "alice")
    response = agent.get(callback)
    assert response.status_code == 400 and FAILED in text(response)
    assert not agent.signed_in()
    assert user_count(app) == 0
    [reason] = refusal_reasons(app)
    assert reason.startswith("ID token refused") and "nonce" in reason


def test_a_changed_code_challenge_fails_the_token_exchange(app: Flask, agent: Agent) -> None:
    """PKCE: a code obtained with another challenge cannot be redeemed with the portal's
    verifier."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    authorization = with_query(agent.start(), code_challenge=challenge.rstrip(b"=").decode())
    response = agent.get(agent.callback_url(authorization, "alice"))
    assert response.status_code == 400
    assert not agent.signed_in()
    [reason] = refusal_reasons(app)
    assert reason.startswith("token request refused") and "invalid_grant" in reason


def test_a_code_issued_to_another_client_is_refused(app: Flask, agent: Agent) -> None:
    authorization = with_query(agent.start(), client_id="other-app")
    response = agent.get(agent.callback_url(authorization, "alice"))
    assert response.status_code == 400
    assert not agent.signed_in()
    assert "invalid_grant" in refusal_reasons(app)[0]


def _id_token_for(provider: Provider, portal_url: str, client_id: str, nonce: str
                  ) -> dict[str, str]:
    """A real token response of the provider to ``client_id`` (this test acting as that
    relying party), for alice."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    redirect_uri = f"{portal_url}/login/sso/callback"
    person = Agent(portal_url, provider.issuer)
    authorization = with_query(
        f"{provider.issuer}/auth", client_id=client_id, response_type="code",
        scope="openid email", redirect_uri=redirect_uri, state="s" * 20, nonce=nonce,
        code_challenge=challenge.rstrip(b"=").decode(), code_challenge_method="S256")
    code = query(person.callback_url(authorization, "alice"))["code"]
    token = requests.post(f"{provider.issuer}/token", auth=(client_id, SECRETS[client_id]),
                          data={"grant_type": "authorization_code", "code": code,
                                "redirect_uri": redirect_uri, "code_verifier": verifier},
                          timeout=30)
    assert token.status_code == 200, token.text
    return dict(token.json())


def test_an_id_token_for_another_audience_is_refused(app: Flask, provider: Provider,
                                                     portal_server: PortalServer) -> None:
    """A genuine ID token of the provider, signed by its keys, issued to another relying
    party: the portal's checks refuse it for its audience."""
    nonce = secrets.token_urlsafe(20)
    token = _id_token_for(provider, portal_server.url, "other-app", nonce)
    client = app.extensions[sso_client.EXTENSION]
    config = app.extensions["portal.settings"].oidc
    try:
        sso_client.id_token_claims(client, config, token, nonce)
    except sso_client.SsoError as error:
        assert "aud" in error.reason
    else:
        raise AssertionError("an ID token for another audience was accepted")
    # the same token passes the checks of the relying party it was issued to
    other = serve(portal_server, sso_settings(app.extensions["portal.settings"],
                                              portal_server.url, provider.issuer,
                                              client_id="other-app"))
    claims = sso_client.id_token_claims(other.extensions[sso_client.EXTENSION],
                                        other.extensions["portal.settings"].oidc, token, nonce)
    assert (claims["sub"], claims["aud"]) == ("alice", "other-app")


def test_an_expired_id_token_is_refused(settings: Settings, app: Flask, agent: Agent,
                                        portal_server: PortalServer, provider: Provider
                                        ) -> None:
    """The provider's client portal-slow issues ID tokens that live 1 second and answers the
    token request 2.5 seconds late; without tolerance for clock skew, the token is expired
    when it arrives."""
    slow = serve(portal_server, sso_settings(settings, portal_server.url, provider.issuer,
                                             client_id="portal-slow", clock_skew_seconds=0))
    response = agent.sign_in("alice")
    assert response.status_code == 400 and FAILED in text(response)
    assert not agent.signed_in()
    [reason] = refusal_reasons(slow)
    assert reason.startswith("ID token refused: ExpiredTokenError")


def test_the_providers_error_is_refused_and_audited(app: Flask, agent: Agent) -> None:
    authorization = agent.start()
    login_page = agent.at_provider(authorization)
    cancel = re.search(r'action="([^"]+/abort)"', login_page.text)
    assert cancel, login_page.text
    response = agent.http.post(urljoin(login_page.url, cancel[1]), allow_redirects=False,
                               timeout=30)
    while response.status_code in (302, 303) and \
            not response.headers["Location"].startswith(agent.portal):
        response = agent.http.get(urljoin(response.url, response.headers["Location"]),
                                  allow_redirects=False, timeout=30)
    callback = response.headers["Location"]
    assert query(callback)["error"] == "access_denied"
    answer = agent.get(callback)
    assert answer.status_code == 400 and FAILED in text(answer)
    assert refusal_reasons(app)[0].startswith("the provider answered access_denied")


def test_an_unreachable_provider_is_a_clear_page_not_an_error(settings: Settings, app: Flask,
                                                              agent: Agent,
                                                              portal_server: PortalServer
                                                              ) -> None:
    gone = serve(portal_server, sso_settings(settings, portal_server.url,
                                             f"http://127.0.0.1:{free_port()}"))
    response = agent.get("/login/sso")
    assert response.status_code == 503
    assert "The Department's sign-in service cannot be reached right now." in text(response)
    assert refusal_reasons(gone)[0].startswith("discovery failed")
