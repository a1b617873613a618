"""Headless Chromium against the real provider: from the home page, sign in with the
Department's account, land on the triage queue with the role from the claim, sign out (at
the portal and at the provider)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

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
