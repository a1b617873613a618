"""Real headless Chromium with its virtual authenticator (CTAP2, user verification): from the
home page, sign in, register a security key, sign out, sign in with the key, confirm a
sensitive action with the password and the key, remove the key. Served at
http://localhost:<port>: WebAuthn needs a secure context and a domain as relying party."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.accounts import totp
from portal.accounts.models import Role, SecurityKey
from tests.browser.test_accessibility import axe_violations
from tests.conftest import Accounts
from tests.web.conftest import age_sessions, user_row

pytestmark = pytest.mark.browser


def virtual_authenticator(page: Page, transport: str = "usb") -> tuple[Any, str]:
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    added = session.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": transport, "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True}})
    return session, added["authenticatorId"]


def sign_in_with_password(page: Page, base: str, email: str, password: str) -> None:
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("transport", ["usb", "internal"])
def test_register_sign_in_with_and_remove_a_security_key(
        app: Flask, accounts: Accounts, localhost_server: str, page: Page,
        transport: str) -> None:
    base = localhost_server
    account = accounts.create(Role.SUBMITTER)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    cdp, authenticator_id = virtual_authenticator(page, transport)

    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    sign_in_with_password(page, base, account.email, account.password)
    expect(page).to_have_url(f"{base}/")

    page.goto(f"{base}/account")
    page.get_by_role("link", name="Manage my security keys and passkeys").click()
    expect(page).to_have_url(f"{base}/account/keys")
    page.fill("#key-name", "Office key")
    page.get_by_role("button", name="Register a security key").click()
    expect(page.locator(".usa-alert--success")).to_contain_text(
        "The security key “Office key” is registered.")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody tr td").first).to_have_text("Office key")
    [credential] = cdp.send("WebAuthn.getCredentials",
                            {"authenticatorId": authenticator_id})["credentials"]
    assert user_row(app, account.id).security_keys == 1

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    sign_in_with_password(page, base, account.email, account.password)
    expect(page).to_have_url(f"{base}/login/code")
    expect(page.locator("#code")).to_have_count(0)  # a key only: no code to type
    page.get_by_role("button", name="Use my security key").click()
    expect(page).to_have_url(f"{base}/")
    [used] = cdp.send("WebAuthn.getCredentials",
                      {"authenticatorId": authenticator_id})["credentials"]
    assert used["signCount"] > credential["signCount"]
    with accounts.db.session() as s:
        assert s.scalar(select(SecurityKey.sign_count)) == used["signCount"]

    # removing it is sensitive: after a while, the password and the key confirm the person
    age_sessions(app, account.id, authenticated_at=timedelta(hours=1))
    page.goto(f"{base}/account/keys")
    page.get_by_role("button", name="Remove “Office key”").click()
    expect(page).to_have_url(re.compile(r"/reauth\?next="))
    page.fill("#password", account.password)
    page.get_by_role("button", name="Continue with my security key").click()
    expect(page).to_have_url(f"{base}/account/keys")
    page.get_by_role("button", name="Remove “Office key”").click()
    expect(page.locator(".usa-alert--info")).to_contain_text(
        "The security key “Office key” was removed from your account.")
    expect(page.locator("table")).to_have_count(0)
    assert user_row(app, account.id).security_keys == 0
    assert not [text for text in console if "Content Security Policy" in text], console


def test_the_same_key_twice_is_refused_with_a_message(app: Flask, accounts: Accounts,
                                                    localhost_server: str, page: Page) -> None:
    """The portal excludes the account's keys: the browser refuses to register one again and
    the page says so where the button is."""
    base = localhost_server
    account = accounts.create(Role.SUBMITTER)
    virtual_authenticator(page)
    page.goto(f"{base}/login")
    sign_in_with_password(page, base, account.email, account.password)
    expect(page).to_have_url(f"{base}/")
    page.goto(f"{base}/account/keys")
    page.fill("#key-name", "First")
    page.get_by_role("button", name="Register a security key").click()
    expect(page.locator("table tbody tr")).to_have_count(1)
    page.fill("#key-name", "Again")
    page.get_by_role("button", name="Register a security key").click()
    status = page.locator("#register-key-status")
    expect(status).to_be_visible()
    expect(status).to_contain_text("This security key is already registered.")
    expect(status).to_be_focused()
    assert user_row(app, account.id).security_keys == 1


def test_the_key_pages_have_no_wcag_violations(app: Flask, accounts: Accounts,
                                               localhost_server: str, axe_page: Page) -> None:
    """axe-core on the keys page (with a key, and with an error shown), the second step of a
    sign-in offering the key and the code, and the re-authentication with a key."""
    base = localhost_server
    page = axe_page
    account = accounts.create(Role.SUBMITTER, totp_enabled=True)
    assert account.totp_secret
    virtual_authenticator(page)
    page.goto(f"{base}/login")
    sign_in_with_password(page, base, account.email, account.password)
    page.fill("#code", totp.current_code(account.totp_secret))
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{base}/")
    page.goto(f"{base}/account/keys")
    page.fill("#key-name", "Office key")
    page.get_by_role("button", name="Register a security key").click()
    expect(page.locator("table tbody tr")).to_have_count(1)
    found: dict[str, list[dict[str, object]]] = {}
    found["keys"] = axe_violations(page)
    page.get_by_role("button", name="Register a security key").click()  # no name: an error
    expect(page.locator("#register-key-status")).to_be_visible()
    found["keys with an error"] = axe_violations(page)
    page.goto(f"{base}/account")
    found["account"] = axe_violations(page)
    age_sessions(app, account.id, authenticated_at=timedelta(hours=1))
    page.goto(f"{base}/reauth?next=/account/keys")
    found["reauth"] = axe_violations(page)
    page.get_by_role("button", name="Sign out").click()
    sign_in_with_password(page, base, account.email, account.password)
    expect(page).to_have_url(f"{base}/login/code")
    expect(page.get_by_role("button", name="Use my security key")).to_be_visible()
    expect(page.locator("#code")).to_be_visible()  # the person chooses: key or code
    found["second step"] = axe_violations(page)
    assert {name: v for name, v in found.items() if v} == {}


@pytest.mark.parametrize("locale", ["es", "ar"])
def test_a_key_is_registered_in_the_users_language(  # type: ignore[no-untyped-def]
        app: Flask, accounts: Accounts, localhost_server: str, page: Page, tmp_path,
        locale: str) -> None:
    from pathlib import Path

    from babel.support import Translations

    catalog = Translations.load(str(Path(__file__).resolve().parents[2] / "translations"),
                                [locale])
    account = accounts.create(Role.SUBMITTER, locale=locale)
    virtual_authenticator(page)
    page.goto(f"{localhost_server}/login")
    page.fill("#email", account.email)
    page.fill("#password", account.password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{localhost_server}/")
    page.goto(f"{localhost_server}/account/keys")
    expect(page.locator("h1")).to_have_text(catalog.gettext("Security keys and passkeys"))
    assert page.locator("html").get_attribute("dir") == ("rtl" if locale == "ar" else "ltr")
    page.fill("#key-name", "Llave de la fiscalía" if locale == "es" else "مفتاح النيابة")
    page.get_by_role("button", name=catalog.gettext("Register a security key")).click()
    expect(page.locator(".usa-alert--success")).to_be_visible()
    registered = catalog.gettext("The security key “%(name)s” is registered. You can use it "
                                 "at your next sign-in.").split("%(name)s")[0].strip("“«\"„ ")
    expect(page.locator(".usa-alert--success")).to_contain_text(registered)
    page.screenshot(path=str(tmp_path / f"keys-{locale}.png"), full_page=True)
