"""The admins' webhook pages: only admins; a recent sign-in to register, disable or rotate;
every form with its token; refused URLs explained on the form (never a 500); the secret shown
once and stored sealed; a test event and the deliveries with their attempts; all audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import Authority, Role
from portal.audit.models import AuditEvent
from portal.config import load_or_create_attachment_keys
from portal.webhooks.models import WebhookEndpoint
from tests.conftest import Accounts, csrf_token, login
from tests.web.conftest import age_sessions
from tests.webhooks.conftest import database, register, run_until
from tests.webhooks.receiver import receiver, verify_by_hand


def _authority_public_id(app: Flask, authority_id: int) -> str:
    with database(app).session() as db:
        authority = db.get(Authority, authority_id)
        assert authority is not None
        return authority.public_id


def _register(client: FlaskClient, authority: str, url: str, description: str = ""
              ) -> tuple[int, str]:
    token = csrf_token(client, "/admin/webhooks/new")
    response = client.post("/admin/webhooks/new", data={
        "csrf_token": token, "authority": authority, "url": url, "description": description})
    return response.status_code, response.text


def _actions(app: Flask) -> list[str]:
    with database(app).session() as db:
        return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_only_admins_reach_the_pages(app: Flask, client: FlaskClient,
                                     accounts: Accounts) -> None:
    endpoint_id, _secret = register(app, accounts.authority("DE"), "https://93.184.215.14/h")
    for role in (Role.SUBMITTER, Role.TRIAGE, Role.TRAINER):
        other = app.test_client()
        login(other, accounts.create(role))
        for path in ("/admin/webhooks", "/admin/webhooks/new", f"/admin/webhooks/{endpoint_id}"):
            assert other.get(path).status_code == 403, (role, path)
        token = csrf_token(other, "/")
        for action in ("disable", "rotate", "test"):
            response = other.post(f"/admin/webhooks/{endpoint_id}/{action}",
                                  data={"csrf_token": token})
            assert response.status_code == 403
    anonymous = client.get("/admin/webhooks")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_register_shows_the_secret_once_and_stores_it_sealed(
        app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    authority = _authority_public_id(app, accounts.authority("DE", "Bundesamt für Justiz"))
    login(client, accounts.create(Role.ADMIN))
    assert 'href="/admin/webhooks"' in client.get("/").text  # reached from the navigation
    assert "No endpoint yet." in client.get("/admin/webhooks").text
    form = client.get("/admin/webhooks/new")
    assert form.status_code == 200 and "Bundesamt für Justiz (DE)" in form.text
    no_token = client.post("/admin/webhooks/new", data={
        "authority": authority, "url": "https://93.184.215.14/hook"})
    assert no_token.status_code == 400
    status, page = _register(client, authority, "https://93.184.215.14/hook", "Case system")
    assert status == 201
    secret = re.search(r'<code id="webhook-secret"[^>]*>(whsec_[A-Za-z0-9+/=]+)</code>', page)
    assert secret is not None and "shown only this once" in page
    with database(app).session() as db:
        [endpoint] = db.scalars(select(WebhookEndpoint))
        assert secret.group(1)[6:] not in endpoint.secret_encrypted
        assert endpoint.description == "Case system"
    listing = client.get("/admin/webhooks").text
    assert "Bundesamt für Justiz" in listing and "https://93.184.215.14/hook" in listing
    detail = client.get(f"/admin/webhooks/{endpoint.public_id}").text
    assert secret.group(1) not in detail and secret.group(1) not in listing
    assert {"webhook.registered", "webhooks.viewed", "webhook.viewed"} <= set(_actions(app))


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://93.184.215.14/x", "The URL must start with https://."),
    ("https://10.0.0.8/hook", "private, local or reserved network address"),
    ("https://169.254.169.254/latest/meta-data", "private, local or reserved network address"),
    ("https://[fd00::1]/hook", "private, local or reserved network address"),
    ("https://[fe80::1]/hook", "private, local or reserved network address"),
    ("https://user:pw@93.184.215.14/x", "without a user name, password or #fragment"),
    ("not a url", "Enter a whole URL"),
    ("https://no-such-host.invalid/x", "could not be found"),
])
def test_a_refused_url_is_explained_on_the_form(app: Flask, client: FlaskClient,
                                                accounts: Accounts, url: str,
                                                message: str) -> None:
    authority = _authority_public_id(app, accounts.authority("DE"))
    login(client, accounts.create(Role.ADMIN))
    status, page = _register(client, authority, url)
    assert status == 400 and message in page and 'aria-invalid="true"' in page
    with database(app).session() as db:
        assert db.scalar(select(WebhookEndpoint.id)) is None


def test_loopback_is_refused_outside_development(app: Flask, client: FlaskClient,
                                                  accounts: Accounts) -> None:
    authority = _authority_public_id(app, accounts.authority("DE"))
    login(client, accounts.create(Role.ADMIN))
    settings = app.extensions["portal.settings"]
    app.extensions["portal.settings"] = settings.with_overrides(  # (the URL check reads it)
        env="production", attachment_keys=load_or_create_attachment_keys(settings.data_dir))
    for url in ("https://127.0.0.1/hook", "https://[::1]/hook", "https://localhost/hook",
                "http://93.184.215.14/hook"):
        status, page = _register(client, authority, url)
        assert status == 400 and 'aria-invalid="true"' in page, url
    with database(app).session() as db:
        assert db.scalar(select(WebhookEndpoint.id)) is None


def test_sensitive_actions_need_a_recent_sign_in(app: Flask, client: FlaskClient,
                                                 accounts: Accounts) -> None:
    endpoint_id, _secret = register(app, accounts.authority("DE"), "https://93.184.215.14/h")
    admin = accounts.create(Role.ADMIN)
    login(client, admin)
    token = csrf_token(client, "/admin/webhooks")
    age_sessions(app, admin.id, authenticated_at=timedelta(minutes=60))
    assert client.get("/admin/webhooks/new").headers["Location"].startswith("/reauth")
    for action in ("disable", "rotate"):
        response = client.post(f"/admin/webhooks/{endpoint_id}/{action}",
                               data={"csrf_token": token})
        assert response.status_code == 302 and "/reauth" in response.headers["Location"]
    with database(app).session() as db:
        endpoint = db.scalar(select(WebhookEndpoint))
        assert endpoint is not None and endpoint.enabled and endpoint.previous_secret_until is None


def test_test_event_rotation_and_disable_from_the_page(app: Flask, client: FlaskClient,
                                                       accounts: Accounts) -> None:
    login(client, accounts.create(Role.ADMIN))
    with receiver([500]) as hook:
        endpoint_id, old_secret = register(app, accounts.authority("DE"), hook.url)
        page = f"/admin/webhooks/{endpoint_id}"
        token = csrf_token(client, page)
        assert client.post(f"{page}/test", data={}).status_code == 400  # no token
        response = client.post(f"{page}/test", data={"csrf_token": token})
        assert response.status_code == 302
        run_until(app, lambda: len(hook.received) == 2)
        assert verify_by_hand(old_secret, hook.received[1])
        detail = client.get(page).text
        deliveries = detail.split('id="webhook-deliveries"')[1].split("</table>")[0]
        assert "webhook.test" in deliveries and "Delivered" in deliveries
        assert "HTTP 500" in deliveries and "HTTP 200" in deliveries
        assert hook.received[0].headers["webhook-id"] in deliveries
        rotated = client.post(f"{page}/rotate", data={"csrf_token": token})
        assert rotated.status_code == 200 and "both the new secret and the previous" in \
            rotated.text
        new_secret = re.search(r'<code id="webhook-secret"[^>]*>(whsec_[^<]+)</code>', rotated.text)
        assert new_secret is not None and new_secret.group(1) != old_secret
        assert new_secret.group(1) not in client.get(page).text
    disabled = client.post(f"{page}/disable", data={"csrf_token": token})
    assert disabled.status_code == 302
    after = client.get(page).text
    assert "Disabled on" in after and "Send a test event" not in after
    refused = client.post(f"{page}/test", data={"csrf_token": token})
    assert refused.status_code == 302 and "This endpoint is disabled." in client.get(page).text
    assert {"webhook.test_sent", "webhook.secret_rotated", "webhook.disabled"} <= \
        set(_actions(app))
    assert client.get("/admin/webhooks/no-such-endpoint").status_code == 404


def test_the_pages_speak_arabic_right_to_left(app: Flask, client: FlaskClient,
                                              accounts: Accounts) -> None:
    endpoint_id, _secret = register(app, accounts.authority("DE"), "https://93.184.215.14/h")
    login(client, accounts.create(Role.ADMIN))
    for path in ("/admin/webhooks", "/admin/webhooks/new", f"/admin/webhooks/{endpoint_id}"):
        page = client.get(f"{path}?lang=ar")
        assert page.status_code == 200 and 'dir="rtl"' in page.text
        assert '<bdi dir="ltr">https://93.184.215.14/h</bdi>' in page.text or \
            path.endswith("/new")
