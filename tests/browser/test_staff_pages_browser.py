"""Real headless Chromium, in English and Arabic, from the home page through the header's
links: OIA's queue with its service-target column, the dashboard's targets panel, the
notifications list, the account page's notification preferences and API tokens (a token shown
once, then revoked) and the API's documentation page; and a submitter's search of "My
requests"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal import events
from portal.accounts.models import Role
from portal.i18n_core import get_translations
from portal.notify import triggers
from portal.requests.models import MlaRequest
from tests.browser.conftest import sign_in
from tests.conftest import PG_URL, Accounts
from tests.notify.conftest import staff
from tests.packages import helpers
from tests.triage.conftest import session

pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    bool(PG_URL), reason="runs once, on the SQLite pass: the pages do not depend on the "
    "database (the services' and pages' own tests run on both)")]

SHOTS = Path("build/screenshots")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _nav(page: Page, label: str) -> None:
    page.locator("nav.portal-nav a", has_text=label).first.click()


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_oia_staff_pages_from_the_home_page(app: Flask, accounts: Accounts, live_server: str,
                                            page: Page, locale: str) -> None:
    t = get_translations(locale)
    settings = app.extensions["portal.settings"]
    attorney = staff(accounts, locale=locale, countries=("DE",))
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    public_id, reference = helpers.submitted_request(app.extensions["portal.db"], settings,
                                                     submitter.id)
    with session(app) as db:
        request_id = db.scalar(select(MlaRequest.id).where(MlaRequest.public_id == public_id))
        assert request_id is not None
        triggers.on_submitted(db, events.RequestSubmitted(request_id, 1, settings))

    sign_in(page, live_server, attorney)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if locale == "ar" else "ltr")
    _nav(page, t.gettext("Triage queue"))
    row = page.locator("tbody tr", has_text=reference)
    # the service-target cell: which target, and when it is due, in the page's language
    expect(row).to_contain_text(t.gettext("First action"))
    _shot(page, f"staff-queue-{locale}")

    _nav(page, t.gettext("Dashboard"))
    expect(page.locator("main")).to_contain_text(t.gettext("Service targets owed now"))
    _shot(page, f"staff-dashboard-{locale}")

    _nav(page, t.gettext("Notifications"))
    expect(page).to_have_url(re.compile(r"/triage/notifications$"))
    expect(page.locator("main")).to_contain_text(reference)
    expect(page.locator("main")).to_contain_text(t.gettext("New requests in my portfolio"))
    _shot(page, f"staff-notifications-{locale}")

    _nav(page, t.gettext("My account"))
    expect(page.locator("#notifications")).to_be_visible()
    expect(page.locator('select[name="delivery_withdrawn"]')).to_be_visible()
    page.fill("#name", "Case system")
    page.locator("form[action$='/account/tokens'] button[type=submit]").click()
    if page.locator("#password").count():  # confirm the password first
        page.fill("#password", attorney.password)
        page.locator("main form button[type=submit]").first.click()
    token = page.locator("#api-token")
    expect(token).to_have_text(re.compile(r"^mlap_[0-9a-f]{12}_"))
    _shot(page, f"staff-api-token-{locale}")
    page.locator("main a", has_text=t.gettext("The API's documentation")).click()
    expect(page).to_have_url(re.compile(r"/api/v1/docs$"))
    expect(page.locator("main")).to_contain_text("/drafts/{draft_id}")
    _shot(page, f"staff-api-docs-{locale}")
    # (the API's pages read no cookie: back to the portal from its home page)
    page.goto(f"{live_server}/")
    _nav(page, t.gettext("My account"))
    tokens = page.locator("#api-tokens ~ table").first
    expect(tokens).to_contain_text("Case system")
    _shot(page, f"staff-account-{locale}")


@pytest.mark.parametrize("locale", ["ar"])  # (English: tests/requests' page tests)
def test_a_submitter_searches_my_requests(app: Flask, accounts: Accounts, live_server: str,
                                          page: Page, locale: str) -> None:
    t = get_translations(locale)
    settings = app.extensions["portal.settings"]
    submitter = accounts.create(Role.SUBMITTER, country="DE", locale=locale)
    database = app.extensions["portal.db"]
    _first, first_reference = helpers.submitted_request(database, settings, submitter.id)
    _second, second_reference = helpers.submitted_request(database, settings, submitter.id)
    sign_in(page, live_server, submitter)
    _nav(page, t.gettext("My requests"))
    table = page.locator("main table")
    expect(table).to_contain_text(first_reference)
    expect(table).to_contain_text(second_reference)
    page.fill("#q", second_reference.lower())  # case does not matter
    page.locator("form[role=search] button[type=submit]").click()
    expect(table).to_contain_text(second_reference)
    expect(table).not_to_contain_text(first_reference)
    expect(page.locator("#q")).to_have_value(second_reference.lower())
    _shot(page, f"my-requests-search-{locale}")
    page.fill("#q", "Zyxwvutsrq")
    page.locator("form[role=search] button[type=submit]").click()
    expect(table).to_contain_text(t.gettext("No request matches your search."))
