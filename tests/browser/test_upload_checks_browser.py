"""A submitter attaches two PDFs, from the home page on: the live server's worker checks them and
the page shows the verdicts: one accepted (a download link), one refused with its reason in the
page's language (English, Spanish, Arabic), listed until the submitter removes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.support import Translations
from flask import Flask

from portal.accounts.models import Role
from portal.attachments.inspect import MESSAGES
from tests.attachments import pdfs
from tests.browser.conftest import sign_in
from tests.conftest import Accounts
from tests.requests.test_wizard import _import

pytestmark = pytest.mark.browser

CATALOGS = Path(__file__).resolve().parents[2] / "translations"


def _translated(locale: str, message: str) -> str:
    return Translations.load(str(CATALOGS), [locale]).gettext(message)


def _choose(page, tmp_path: Path, name: str, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(data)
    page.select_option("#document_kind", "court_order")
    page.select_option("#language", "en")
    page.set_input_files("#file", str(path))
    page.click("form[data-upload] button[type=submit]")
    page.locator("#attachments tbody tr", has_text=name).wait_for()


@pytest.mark.parametrize("locale", ["en", "es", "ar"])
def test_the_page_follows_the_checks_of_its_uploads(  # type: ignore[no-untyped-def]
        app: Flask, accounts: Accounts, live_server: str, page, tmp_path: Path,
        locale: str) -> None:
    submitter = accounts.create(Role.SUBMITTER, country="DE", locale=locale)
    public_id = _import(app, submitter, "05-stored-content-good-de.json", documents=False)
    sign_in(page, live_server, submitter)
    page.click("a[href='/requests']")
    page.click(f"a[href='/requests/{public_id}']")
    page.click(f"a[href='/requests/{public_id}/procedures']")
    page.wait_for_load_state()
    _choose(page, tmp_path, "Order.pdf", pdfs.valid_pdf("Order"))
    _choose(page, tmp_path, "Script.pdf", pdfs.javascript_open_action_pdf())
    # (shown by the page's script when the verdict comes after the page, by the page itself
    # when before)
    good = page.locator('#attachments tbody tr[data-check-state="accepted"]', has_text="Order.pdf")
    bad = page.locator('#attachments tbody tr[data-check-state="refused"]', has_text="Script.pdf")
    good.wait_for(timeout=30_000)
    bad.wait_for(timeout=30_000)
    reason = _translated(locale, MESSAGES["javascript"])
    assert reason in bad.inner_text()
    assert _translated(locale, "Refused") in (bad.text_content() or "")
    assert good.locator("a[download]").count() == 1 and bad.locator("a[download]").count() == 0
    assert page.locator("[data-checks-running]").is_hidden()
    page.screenshot(path=str(tmp_path / f"checks-{locale}.png"), full_page=True)
    # the refused file stays listed, with its reason, until the submitter removes it
    page.reload()
    bad = page.locator("#attachments tbody tr", has_text="Script.pdf")
    assert reason in bad.inner_text()
    bad.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#attachments tbody tr", has_text="Script.pdf").count() == 0
    assert page.locator("#attachments tbody tr", has_text="Order.pdf").count() == 1
