"""Findings read from the text, as a submitter sees them in Chromium (issue #19): from the
home page to a draft whose "other" item asks in words for an interception; the check page
names the rule and quotes the words; "Show these words in the field" opens the section with
those words selected in the field. In English, Spanish and Arabic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from portal.accounts.models import Role, User
from portal.requests import drafts
from tests.browser.conftest import sign_in
from tests.conftest import Accounts

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "requests" / "19-other-good-jp.json"
ASKED = "intercept the messages of the WhatsApp account +81 90 1234 5678 in real time"
HEADINGS = {"en": "Interception of communications is not available through MLA",
            "es": "La interceptación de las comunicaciones no puede obtenerse",
            "ar": "اعتراض الاتصالات"}


def _draft_asking_interception(app: Flask, user_id: int) -> None:
    document = json.loads(SAMPLE.read_text(encoding="utf-8"))
    item = document["assistance"][0]
    item["description"]["text"] = (
        f"{item['description']['text']} We also ask the provider to {ASKED} until the "
        "suspect is arrested.")
    item["description"]["english"] = ""
    with app.extensions["portal.db"].session() as db:
        user = db.get(User, user_id)
        assert user is not None
        request, errors = drafts.import_json(db, user, json.dumps(document))
        assert request is not None and not errors, errors


@pytest.mark.parametrize("locale", ["en", "es", "ar"])
def test_the_check_page_quotes_the_words_and_selects_them(  # type: ignore[no-untyped-def]
        app: Flask, accounts: Accounts, live_server: str, page, tmp_path: Path,
        locale: str) -> None:
    account = accounts.create(Role.SUBMITTER, country="JP", locale=locale)
    _draft_asking_interception(app, account.id)
    sign_in(page, live_server, account)

    # From the home page: the latest draft is offered; then its overview and the check page.
    page.click(".portal-home-drafts a >> nth=0")
    page.wait_for_load_state()
    page.click("a[href$='/check']")
    page.wait_for_load_state()
    card = page.locator(".portal-finding", has_text="ELEC-INTERCEPT")
    assert card.count() == 1
    assert HEADINGS[locale] in card.inner_text()
    quote = card.locator(".portal-finding__excerpt mark")
    assert quote.inner_text().lower().startswith("intercept")
    page.screenshot(path=str(tmp_path / f"check-{locale}.png"), full_page=True)

    card.locator("a[data-mark-field]").click()
    page.wait_for_load_state()
    field = page.locator("#f-assistance-0-description-text textarea")
    selected = field.evaluate("el => el.value.substring(el.selectionStart, el.selectionEnd)")
    assert selected == quote.inner_text()
    active = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
    assert field.evaluate("el => document.activeElement === el"), active
    page.screenshot(path=str(tmp_path / f"field-{locale}.png"))
