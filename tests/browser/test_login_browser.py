"""Real headless Chromium: sign in with password and TOTP code, then switch to Arabic."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.accounts import totp
from portal.demo import DEMO_ACCOUNTS, load_demo
from portal.i18n_core import get_translations
from tests.conftest import Accounts

pytestmark = pytest.mark.browser

TRIAGE = next(a for a in DEMO_ACCOUNTS if a.email.startswith("triage@"))


def test_sign_in_with_code_and_switch_to_arabic(app: Flask, accounts: Accounts,
                                                live_server: str, page: Page) -> None:
    with accounts.db.session() as s:
        assert load_demo(s, accounts.hasher, accounts.keyring)
    assert TRIAGE.totp_secret
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))

    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.fill("#email", TRIAGE.email)
    page.fill("#password", TRIAGE.password)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/login/code$"))
    page.fill("#code", totp.current_code(TRIAGE.totp_secret))
    page.locator("main button[type=submit]").click()

    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("h1")).to_contain_text(TRIAGE.name)

    page.select_option("#language-select", "ar")
    page.locator(".portal-language__button").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("#language-select option:checked")).to_have_text("العربية")
    arabic = get_translations("ar")
    expect(page.locator(".portal-language__button")).to_have_text(
        arabic.gettext("Change language"))
    expect(page.locator("h1")).to_have_text(
        arabic.gettext("Welcome, %(name)s") % {"name": TRIAGE.name})
    assert re.search(r"[\u0600-\u06FF]", page.locator("body").inner_text())
    # the layout really is right-to-left
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # the stylesheets and scripts load under the CSP, and nothing inline was blocked
    assert page.evaluate("document.styleSheets.length") >= 2
    assert not [text for text in console if "Content Security Policy" in text], console


def test_wrong_code_is_refused_in_the_browser(app: Flask, accounts: Accounts,
                                              live_server: str, page: Page) -> None:
    with accounts.db.session() as s:
        load_demo(s, accounts.hasher, accounts.keyring)
    page.goto(f"{live_server}/login")
    page.fill("#email", TRIAGE.email)
    page.fill("#password", TRIAGE.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/login/code$"))
    page.fill("#code", "12345")
    page.locator("main button[type=submit]").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # portal.js moves focus to the error summary
    expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
