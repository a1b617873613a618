"""An admin registers a webhook endpoint for an authority in Chromium, in English and Arabic:
from the menu to the form, the secret shown once, then a test event sent from the endpoint's
page reaches a real receiver, signed with that secret, and its delivery is listed with its
attempt (screenshots build/screenshots/webhooks-*)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from portal.accounts.models import Role
from portal.webhooks.models import WebhookDelivery
from tests.browser.conftest import sign_in
from tests.conftest import Accounts
from tests.webhooks.receiver import receiver, verify_by_hand, verify_with_package

pytestmark = pytest.mark.browser


def _delivered(app: Flask) -> bool:
    with app.extensions["portal.db"].session() as db:
        return db.scalar(select(WebhookDelivery.delivered_at)) is not None
SHOTS = Path("build/screenshots")


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_admin_registers_an_endpoint_and_sends_a_test_event(  # type: ignore[no-untyped-def]
        app: Flask, accounts: Accounts, live_server: str, page, locale: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    accounts.authority("DE", "Bundesamt für Justiz")
    admin = accounts.create(Role.ADMIN, locale=locale)
    sign_in(page, live_server, admin)
    assert page.locator("html").get_attribute("dir") == ("rtl" if locale == "ar" else "ltr")
    page.click("nav.portal-nav a[href='/admin/webhooks']")
    page.wait_for_load_state()
    page.click("main a[href='/admin/webhooks/new']")
    page.wait_for_load_state()
    with receiver() as hook:
        page.select_option("#authority", label="Bundesamt für Justiz (DE)")
        page.fill("#url", "https://169.254.169.254/latest/meta-data")  # refused first
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("#url").get_attribute("aria-invalid") == "true"
        assert page.locator(".usa-error-message").count() >= 1
        page.screenshot(path=str(SHOTS / f"webhooks-refused-{locale}.png"), full_page=True)
        page.fill("#url", hook.url)
        page.fill("#description", "Fallverwaltung")
        page.screenshot(path=str(SHOTS / f"webhooks-register-{locale}.png"), full_page=True)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        secret = page.locator("#webhook-secret").inner_text()
        assert secret.startswith("whsec_")
        code = page.locator("#webhook-secret")
        assert code.evaluate("e => getComputedStyle(e).direction") == "ltr"
        page.screenshot(path=str(SHOTS / f"webhooks-secret-{locale}.png"), full_page=True)
        page.click("main a[href^='/admin/webhooks/']")
        page.wait_for_load_state()
        assert secret not in page.content()  # shown once only
        page.click("main form[action$='/test'] button")
        page.wait_for_load_state()
        for _ in range(150):  # the live server's worker sends it and records the attempt
            if _delivered(app):
                break
            page.wait_for_timeout(100)
        assert len(hook.received) == 1
        verify_with_package(secret, hook.received[0])
        assert verify_by_hand(secret, hook.received[0])
        page.reload()
        table = page.locator("#webhook-deliveries")
        assert hook.received[0].headers["webhook-id"] in table.inner_text()
        assert "HTTP 200" in table.inner_text()
        page.screenshot(path=str(SHOTS / f"webhooks-deliveries-{locale}.png"), full_page=True)
