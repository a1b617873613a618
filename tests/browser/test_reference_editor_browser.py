"""Real headless Chromium, in English and Arabic, from the home page: an administrator opens the
reference data from the menu, edits a legal basis (a mistake first: the problem is shown and the
typed text kept), saves it as a new version with why and from which source, and finds it in the
history."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.accounts.models import Role
from portal.i18n_core import get_translations
from portal.reference import store
from tests.browser.conftest import sign_in
from tests.conftest import PG_URL, Accounts

pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    bool(PG_URL), reason="runs once, on the SQLite pass: the pages do not depend on the "
    "database (the versions' own tests run on both)")]

SHOTS = Path("build/screenshots")


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_an_administrator_edits_a_legal_basis(app: Flask, accounts: Accounts,
                                             live_server: str, page: Page,
                                             locale: str) -> None:
    t = get_translations(locale)
    with app.extensions["portal.db"].session() as db:
        store.ensure_seeded(db)
    admin = accounts.create(Role.ADMIN, locale=locale)
    sign_in(page, live_server, admin)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if locale == "ar" else "ltr")
    page.get_by_role("link", name=t.gettext("Reference data"), exact=True).first.click()
    page.locator("a[href$='/admin/reference/legal_bases']").click()
    page.locator("a[href$='/admin/reference/legal_bases/mlat-es/edit']").click()

    entry = page.locator("textarea[name='entry']")
    expect(entry).to_have_attribute("dir", "ltr")  # JSON reads left to right in Arabic too
    document = json.loads(entry.input_value())
    document["countries"] = ["QQ"]
    entry.fill(json.dumps(document, indent=1))
    page.fill("input[name='reason']", "Checked against Treaties in Force, 2026 edition")
    page.fill("input[name='source']", "https://www.state.gov/treaties-in-force/")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    expect(page.locator("main")).to_contain_text("QQ")
    assert json.loads(entry.input_value())["countries"] == ["QQ"]  # nothing typed is lost
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"reference-refused-{locale}.png"), full_page=True)

    document["countries"] = ["ES"]
    document["verified"] = True
    entry.fill(json.dumps(document, indent=1))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/reference/legal_bases$"))
    expect(page.locator(".usa-alert--success")).to_contain_text(
        t.gettext("Version %(number)s of the reference data is now in force.") % {"number": 2})
    page.screenshot(path=str(SHOTS / f"reference-saved-{locale}.png"), full_page=True)

    page.goto(f"{live_server}/admin/reference/history")
    expect(page.locator("main")).to_contain_text(
        "Checked against Treaties in Force, 2026 edition")
    expect(page.locator("main")).to_contain_text("mlat-es")
    page.screenshot(path=str(SHOTS / f"reference-history-{locale}.png"), full_page=True)
