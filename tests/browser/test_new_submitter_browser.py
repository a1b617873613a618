"""A new submitter in Chromium, in Spanish and in Arabic (issue #18): from the home page to a
new draft whose sections show no finding before a save; a blank offence name, a missing letter
and a Spanish text given as the English translation each stop the submission, with a link to
the field; fixed, with the letter and its translation attached, the request is submitted;
then "View submitted request" and its PDF."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.contract.load import load_request_json
from portal.requests import drafts
from portal.requests.models import MlaRequest
from portal.requests.sections import started_sections
from tests.browser.conftest import attach_document, sign_in
from tests.conftest import Accounts

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "requests" / \
    "01-subscriber-info-good-es.json"


def _answer_the_draft(app: Flask, user_id: int, public_id: str) -> str:
    """The draft's answers as the user might have typed them, with three deficiencies: no
    offence name, and the Spanish facts pasted as their "English translation"."""
    content = load_request_json(SAMPLE.read_text(encoding="utf-8")).request
    assert content is not None
    offence = replace(content.offences[0], name=replace(content.offences[0].name, text="  ",
                                                        english=""))
    facts = replace(content.facts, summary=replace(content.facts.summary,
                                                   english=content.facts.summary.text))
    typed = replace(content, offences=(offence,), facts=facts, attachments=())
    with app.extensions["portal.db"].session() as db:
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        user = db.get(User, user_id)
        assert request is not None and user is not None
        drafts.save_draft(db, user, request, typed, request.revision)
        request.progress_json = json.dumps(started_sections(typed))
    return content.facts.summary.english


@pytest.mark.parametrize("locale", ["es", "ar"])
def test_a_new_submitter_from_home_to_the_submitted_request(  # type: ignore[no-untyped-def]
        app: Flask, accounts: Accounts, live_server: str, page, tmp_path: Path,
        locale: str) -> None:
    account = accounts.create(Role.SUBMITTER, country="ES", locale=locale)
    sign_in(page, live_server, account)
    assert page.get_attribute("html", "dir") == ("rtl" if locale == "ar" else "ltr")
    page.click("main form[action$='/requests/new'] button")
    page.wait_for_url(re.compile(r"/requests/[A-Za-z0-9_-]+$"))
    overview = page.url
    public_id = overview.rsplit("/", 1)[-1]
    assert page.locator(".portal-tag--blocker").count() == 0  # nothing typed, nothing wrong
    for index in range(3):  # the first sections: no finding before a save
        page.goto(overview)
        page.locator("ol.portal-task-list a").nth(index).click()
        page.wait_for_load_state()
        assert page.locator(".portal-finding").count() == 0
    page.screenshot(path=str(tmp_path / f"new-draft-{locale}.png"), full_page=True)

    english = _answer_the_draft(app, account.id, public_id)
    page.goto(overview)
    page.click(f"a[href$='/requests/{public_id}/check']")
    page.wait_for_load_state()
    blockers = page.locator(".portal-finding--blocker")
    for code, field in (("GEN-REQUIRED", "#f-offences-0-name"), ("GEN-LETTER", "#f-attachments"),
                        ("GEN-ENGLISH", "#f-facts-summary-english")):
        card = blockers.filter(has_text=code)
        assert card.count() >= 1, code
        assert card.first.locator(f"a[href$='{field}']").count() >= 1, (code, field)
    page.screenshot(path=str(tmp_path / f"check-{locale}.png"), full_page=True)

    # the offence name, through the link of its finding
    blockers.filter(has_text="GEN-REQUIRED").first.locator("a[href$='#f-offences-0-name']"
                                                           ).first.click()
    page.wait_for_load_state()
    page.fill("#offences-0-name-text", "Estafa agravada")
    page.fill("#offences-0-name-english", "Aggravated fraud")
    page.click('button[name="op"][value="draft"]:not(.portal-default-button)')
    page.wait_for_load_state()
    # the translation, through the link of its finding
    page.goto(f"{live_server}/requests/{public_id}/check")
    blockers.filter(has_text="GEN-ENGLISH").first.locator(
        "a[href$='#f-facts-summary-english']").first.click()
    page.wait_for_load_state()
    page.fill("#facts-summary-english", english)
    page.click('button[name="op"][value="draft"]:not(.portal-default-button)')
    page.wait_for_load_state()
    # the letter (in Spanish), then its English translation
    page.goto(f"{live_server}/requests/{public_id}/check")
    blockers.filter(has_text="GEN-LETTER").first.locator("a[href$='#f-attachments']"
                                                         ).first.click()
    page.wait_for_load_state()
    attach_document(page, tmp_path, "solicitud-firmada.pdf", "request_letter", "es")
    page.goto(f"{live_server}/requests/{public_id}/check")
    assert page.locator(".portal-finding--blocker", has_text="GEN-LETTER-ENGLISH").count() == 1
    page.goto(f"{live_server}/requests/{public_id}/procedures")
    attach_document(page, tmp_path, "request-translation.pdf", "translation", "en")

    page.goto(f"{live_server}/requests/{public_id}/check")
    assert page.locator(".portal-finding--blocker").count() == 0
    warnings = page.locator(".portal-ack")
    for index in range(warnings.count()):
        block = warnings.nth(index)
        block.locator("label.usa-checkbox__label").click()
        block.locator("textarea").fill("La cuenta se conserva; explicado en la carta.")
    if warnings.count():
        page.click("form.portal-ack-form button[type=submit]")
    else:
        page.click(f"a[href$='/requests/{public_id}/review']")
    page.wait_for_url("**/review")
    page.click("form[action$='/submit'] button")
    page.wait_for_url("**/submitted")
    reference = page.locator(".usa-alert--success strong").inner_text().strip()
    assert reference.startswith("MLA-")

    page.goto(overview)
    page.click(f"a[href$='/requests/{public_id}/versions/1']")
    page.wait_for_load_state()
    assert reference in page.inner_text("main")
    assert page.locator(".portal-review__section").count() >= 8
    page.screenshot(path=str(tmp_path / f"submitted-{locale}.png"), full_page=True)
    with page.expect_download() as download:
        page.click(f"a[href$='/requests/{public_id}/versions/1.pdf']")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert reference in text and "Aggravated fraud" in text
