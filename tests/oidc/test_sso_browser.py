"""Headless Chromium against the real provider: from the home page, sign in with the
Department's account, land on the triage queue with the role from the claim, sign out (at
the portal and at the provider)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.accounts.models import Role
from portal.accounts.operations import Actor, create_user
from portal.accounts.passwords import make_hasher
from tests.browser.test_accessibility import AXE, axe_violations
from tests.conftest import TEST_PASSWORD
from tests.oidc.harness import PASSWORDS, PortalServer, Provider

pytestmark = pytest.mark.browser


def test_a_staff_member_signs_in_with_the_departments_account_and_signs_out(
        app: Flask, portal_server: PortalServer, provider: Provider, page: Page) -> None:
    base = portal_server.url
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))

    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    page.get_by_role("link", name="Sign in with the Department's account").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(provider.issuer)}/interaction/"))
    page.fill("#username", "alice")
    page.fill("#password", PASSWORDS["alice"])
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{base}/")
    expect(page.locator("h1")).to_have_text("Welcome, Alice Triage")
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("link", name="Triage queue").click()  # the menu of the claim's role
    expect(page).to_have_url(f"{base}/triage")
    expect(page.locator("h1")).to_have_text("Triage queue")
    nav.get_by_role("link", name="My account").click()
    expect(page.locator("dl.portal-summary")).to_contain_text("OIA triage")
    expect(page.locator("main")).to_contain_text("You sign in with the Department's account")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(provider.issuer)}/session/end"))
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/login"))
    expect(page.locator("main")).to_contain_text("You have signed out.")

    page.goto(f"{base}/triage")
    expect(page).to_have_url(re.compile(r"/login\?next=/triage$"))
    # the provider's session ended too: its button asks for the password again
    page.get_by_role("link", name="Sign in with the Department's account").click()
    expect(page.locator("#password")).to_be_visible()
    assert not [text for text in console if "Content Security Policy" in text], console


def _through_provider(page: Page, username: str) -> None:
    page.get_by_role("link", name="Sign in with the Department's account").click()
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.get_by_role("button", name="Sign in").click()


def test_the_single_sign_on_pages_have_no_wcag_violations(  # type: ignore[no-untyped-def]
        app: Flask, portal_server: PortalServer, axe_page) -> None:
    assert AXE.exists(), "run make static (installs axe-core into build/npm)"
    page = axe_page
    base = portal_server.url
    page.goto(f"{base}/login")
    assert axe_violations(page) == []
    _through_provider(page, "nora")  # no role: the sign-in page with the refusal
    expect(page.locator("#sso-error")).to_contain_text("does not give you a role")
    assert axe_violations(page) == []
    with app.extensions["portal.db"].session() as s:  # an account in use has alice's address
        create_user(s, make_hasher(1, 1024, 1), Actor(None, "test"), name="Alice Local",
                    email="alice@justice.example", role=Role.TRIAGE, password=TEST_PASSWORD)
    page.context.clear_cookies()  # nora's session at the provider
    page.goto(f"{base}/login")
    _through_provider(page, "alice")
    expect(page).to_have_url(f"{base}/login/sso/link")
    expect(page.locator("h1")).to_have_text("Link your portal account")
    assert axe_violations(page) == []


SSO_BUTTON = {"es": "Iniciar sesión con la cuenta del Departamento",
              "ar": "تسجيل الدخول بحساب الوزارة"}
NO_ROLE = {"es": "no le asigna ninguna función en este portal",
           "ar": "لا يمنحك حسابك في الوزارة أي دور في هذه البوابة"}


@pytest.mark.parametrize("locale", ["es", "ar"])
def test_the_sign_in_page_and_a_refusal_in_the_users_language(  # type: ignore[no-untyped-def]
        app: Flask, portal_server: PortalServer, provider: Provider, browser, tmp_path,
        locale: str) -> None:
    context = browser.new_context(locale=locale)
    page = context.new_page()
    try:
        page.goto(f"{portal_server.url}/login")
        button = page.get_by_role("link", name=SSO_BUTTON[locale])
        expect(button).to_be_visible()
        assert page.locator("html").get_attribute("dir") == ("rtl" if locale == "ar" else "ltr")
        page.screenshot(path=str(tmp_path / f"sso-login-{locale}.png"), full_page=True)
        button.click()
        page.fill("#username", "nora")  # a person without a portal group
        page.fill("#password", PASSWORDS["nora"])
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#sso-error")).to_contain_text(NO_ROLE[locale])
        page.screenshot(path=str(tmp_path / f"sso-refused-{locale}.png"), full_page=True)
    finally:
        context.close()
