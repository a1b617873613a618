"""Real headless Chromium, in English and Arabic, from the home page: a submitter without a
second factor is sent to set one up and does, from the QR page's secret; and a form refused by
the rate limit comes back on the 429 page with what was typed, sent again with one button once
the wait is over."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.accounts import totp
from portal.accounts.models import Role
from portal.config import Settings
from portal.i18n_core import get_translations
from portal.limit_settings import RateLimitSettings
from portal.limits.models import RateCounter
from portal.requests.models import MlaRequest
from tests.browser.conftest import sign_in
from tests.conftest import PG_URL, Accounts

pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    bool(PG_URL), reason="runs once, on the SQLite pass: the pages do not depend on the "
    "database (the counts' own tests run on both)")]

SHOTS = Path("build/screenshots")


@pytest.fixture()
def settings(settings: Settings) -> Settings:
    """As deployed (a second factor required of submitters), with room for two forms a
    minute per account."""
    return settings.with_overrides(submitter_2fa_required=True,
                                   limits=RateLimitSettings(account_posts=2))


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_a_submitter_sets_up_the_code_the_portal_asks_for(
        app: Flask, accounts: Accounts, live_server: str, page: Page, locale: str) -> None:
    t = get_translations(locale)
    account = accounts.create(Role.SUBMITTER, totp_enabled=False, locale=locale)
    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    page.fill("#email", account.email)
    page.fill("#password", account.password)
    page.click("form.usa-form button[type=submit]")

    expect(page).to_have_url(re.compile(r"/account/totp$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if locale == "ar" else "ltr")
    expect(page.locator("main")).to_contain_text(
        t.gettext("Your account requires a second factor. Set it up to continue."))
    expect(page.locator("main svg")).to_be_visible()  # the QR code
    secret = page.locator("code.portal-secret")
    expect(secret).to_have_attribute("dir", "ltr")  # a key read left to right in Arabic too
    _shot(page, f"enrol-totp-{locale}")
    # nothing else opens before it is done
    page.goto(f"{live_server}/requests")
    expect(page).to_have_url(re.compile(r"/account/totp$"))

    page.fill("#code", "000000" if totp.current_code(secret.inner_text()) != "000000"
              else "111111")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-error-summary]")).to_be_focused()
    _shot(page, f"enrol-totp-wrong-{locale}")

    page.fill("#code", totp.current_code(page.locator("code.portal-secret").inner_text()))
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.locator(".usa-alert--success")).to_contain_text(
        t.gettext("Your second factor is set up. You will be asked for a code at each "
                  "sign-in."))
    page.goto(f"{live_server}/requests")
    expect(page).to_have_url(re.compile(r"/requests$"))


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_a_form_refused_by_the_limit_keeps_what_was_typed(
        app: Flask, accounts: Accounts, live_server: str, page: Page, locale: str) -> None:
    t = get_translations(locale)
    account = accounts.create(Role.SUBMITTER, totp_enabled=True, locale=locale)
    sign_in(page, live_server, account)  # from the home page's sign-in
    page.click("a[href='/requests']")
    page.click("form[action$='/requests/new'] button")  # the first form of the minute
    page.wait_for_load_state()
    page.click("ol.portal-task-list a >> nth=0")
    page.select_option("#requesting_authority-role", "prosecutor")
    page.fill("#requesting_authority-contact-name", "Fatima Al-Zahra")
    page.click('button[name="op"][value="continue"]:not(.portal-default-button)')  # second
    page.wait_for_load_state()
    page.select_option("#legal_basis-kind", "bilateral_treaty")
    page.click('button[name="op"][value="continue"]:not(.portal-default-button)')  # third

    expect(page.locator("h1")).to_have_text(t.gettext("Too many forms sent"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if locale == "ar" else "ltr")
    expect(page.locator("#too-many-wait")).to_be_visible()
    kept = page.locator("form input[name='legal_basis-kind']")
    expect(kept).to_have_value("bilateral_treaty")
    _shot(page, f"too-many-posts-{locale}")

    # the window ends (the scheduled job prunes ended windows)
    with app.extensions["portal.db"].session() as db:
        db.execute(RateCounter.__table__.delete())
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).not_to_have_text(t.gettext("Too many forms sent"))
    with app.extensions["portal.db"].session() as db:
        content = json.loads(db.query(MlaRequest).one().draft_json)
    assert content["legal_basis"]["kind"] == "bilateral_treaty"
    assert content["requesting_authority"]["contact"]["name"] == "Fatima Al-Zahra"
