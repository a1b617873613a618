"""Real headless Chromium, in English and Arabic: OIA asks for a document on the package page;
the requester uploads it on the request page (the worker checks it, the page follows) and sends
it with a message; OIA sees it in version 1.1's differences and accepts the request."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from portal.accounts.models import Role
from portal.i18n_core import get_translations
from tests.browser.conftest import attach_document, sign_in
from tests.conftest import PG_URL, Accounts
from tests.packages import helpers

pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    bool(PG_URL), reason="runs once, on the SQLite pass: the pages do not depend on the "
    "database (the services' and pages' own tests run on both)")]

SHOTS = Path("build/screenshots")
ASK = "Please send the certified English translation of the court order."
ANSWER = "Here is the certified translation."


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _page(browser: Browser, locale: str) -> Page:
    page = browser.new_context(locale="ar" if locale == "ar" else "en-US").new_page()
    page.set_default_timeout(15000)
    return page


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_oia_asks_the_requester_sends_and_oia_accepts_version_1_1(
        app: Flask, accounts: Accounts, live_server: str, browser: Browser, tmp_path: Path,
        locale: str) -> None:
    t = get_translations(locale)
    submitter = accounts.create(Role.SUBMITTER, country="DE", locale=locale)
    staff = accounts.create(Role.TRIAGE, locale=locale)
    public_id, _reference = helpers.submitted_request(
        app.extensions["portal.db"], app.extensions["portal.settings"], submitter.id)
    oia, requester = _page(browser, locale), _page(browser, locale)
    try:
        # OIA asks for the translation
        sign_in(oia, live_server, staff)
        oia.goto(f"{live_server}/triage/{public_id}#documents")
        expect(oia.locator("html")).to_have_attribute("dir", "rtl" if locale == "ar" else "ltr")
        section = oia.locator("#documents")
        section.locator("#ask-body").fill(ASK)
        box = section.locator('input[name="kinds"][value="translation"]')
        section.locator(f'label[for="{box.get_attribute("id")}"]').click()  # (USWDS: the label)
        expect(box).to_be_checked()
        section.locator("button[type=submit]").click()
        expect(oia.locator(".usa-alert--success")).to_contain_text(
            t.gettext("Your ask for documents was sent to the requesting authority."))
        expect(oia.locator("#documents .usa-alert--info")).to_be_visible()
        _shot(oia, f"asks-oia-asked-{locale}")
        section.screenshot(path=str(SHOTS / f"asks-oia-asked-part-{locale}.png"))

        # the requester uploads the PDF (checked by the worker) and sends it with a message
        sign_in(requester, live_server, submitter)
        requester.goto(f"{live_server}/requests/{public_id}")
        ask = requester.locator("#attachments")
        expect(ask).to_contain_text(ASK)
        expect(ask).to_contain_text(t.gettext("Documents asked for by OIA"))
        attach_document(requester, tmp_path, "translation.pdf", "translation", "en")
        _shot(requester, f"asks-requester-uploaded-{locale}")
        requester.fill("#answer", ANSWER)
        requester.locator(f'form[action="/requests/{public_id}/asked-documents/send"] '
                          "button[type=submit]").click()
        expect(requester.locator(".usa-alert--success")).to_contain_text(
            t.gettext("Your documents were sent to OIA as version %(version)s of the request.")
            % {"version": "1.1"})
        expect(requester.locator("#messages")).to_contain_text(ANSWER)
        expect(requester.locator("#attachments")).to_have_count(0)  # the ask is closed
        _shot(requester, f"asks-requester-sent-{locale}")

        # OIA sees the document in version 1.1's differences, then accepts
        oia.goto(f"{live_server}/triage/{public_id}")  # (a new fragment alone would not reload)
        added = oia.locator("table.portal-added-documents")
        expect(added).to_contain_text("translation.pdf")
        expect(added.locator("caption")).to_contain_text(
            t.gettext("Documents added in version %(b)s") % {"b": "1.1"})
        expect(oia.locator("#diff-b")).to_have_value("1.1")
        # the package of version 1.1, beside that of version 1
        expect(oia.locator("#attachments tbody th[scope=row]").filter(
            has_text=re.compile(r"^1\.1$"))).to_have_count(1)
        added.locator("a").scroll_into_view_if_needed()
        _shot(oia, f"asks-oia-diff-{locale}")
        oia.locator("#versions").screenshot(path=str(SHOTS / f"asks-oia-diff-part-{locale}.png"))
        oia.locator("#documents").screenshot(
            path=str(SHOTS / f"asks-oia-documents-part-{locale}.png"))
        for action in ("open", "accept"):
            details = oia.locator(f"#action-{action}")
            if details.get_attribute("open") is None:  # (the first possible one is open)
                details.locator("summary").click()
            details.locator("button[type=submit]").click()
            expect(oia.locator(".usa-alert--success")).to_be_visible()
        expect(oia.locator(".portal-summary-list")).to_contain_text(
            re.compile(t.gettext("Accepted")))
        _shot(oia, f"asks-oia-accepted-{locale}")
    finally:
        oia.context.close()
        requester.context.close()
