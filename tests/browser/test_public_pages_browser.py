"""Real headless Chromium, signed out, in English, Spanish and Arabic: from the home page (sent
to sign in) the language form and the footer lead to the accessibility statement and, with the
keyboard, to the privacy notice; Arabic runs right to left, footer included."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from portal.i18n_core import get_translations
from tests.conftest import PG_URL

pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    bool(PG_URL), reason="runs once, on the SQLite pass: the pages do not depend on the "
    "database (their server-side tests run on both)")]

SHOTS = Path("build/screenshots")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("locale", ["en", "es", "ar"])
def test_a_visitor_reaches_both_notices_from_the_footer(live_server: str, page: Page,
                                                        locale: str) -> None:
    t = get_translations(locale)
    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    if locale != "en":
        page.select_option("#language-select", locale)
        page.locator("form.portal-language button[type=submit]").click()
        expect(page.locator("html")).to_have_attribute("lang", locale)
    direction = "rtl" if locale == "ar" else "ltr"

    links = page.locator("footer nav a")
    expect(links).to_have_count(2)
    if locale == "ar":  # the first link stands at the right
        first, second = (links.nth(i).bounding_box() for i in (0, 1))
        assert first and second and first["x"] > second["x"]
    links.first.click()
    expect(page).to_have_url(f"{live_server}/accessibility")
    expect(page.locator("html")).to_have_attribute("dir", direction)
    expect(page.locator("main h1")).to_have_text(t.gettext("Accessibility statement"))
    expect(page.locator("main a[href^='mailto:']")).to_have_attribute("dir", "ltr")
    assert page.evaluate("getComputedStyle(document.querySelector('main')).direction") == \
        direction
    assert page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    _shot(page, f"accessibility-{locale}")

    footer_privacy = page.locator("footer nav a").nth(1)
    footer_privacy.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/privacy")
    expect(page.locator("main h1")).to_have_text(t.gettext("Privacy notice"))
    expect(page.locator("main table.portal-kept")).to_have_count(2)
    assert page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    _shot(page, f"privacy-{locale}")
