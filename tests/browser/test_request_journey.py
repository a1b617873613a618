"""The submitter's whole journey in a real headless Chromium, in English and in Arabic: sign
in, fill every section of a stored-content request with one deficiency, see the blocker
explained, fix it, acknowledge a warning with a justification, attach a PDF, review, submit,
download the receipt, find the request in "My requests"."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader

from portal.accounts.models import Role
from tests.attachments import pdfs
from tests.browser.conftest import sign_in
from tests.conftest import Accounts

pytestmark = pytest.mark.browser

FACTS = (
    "Between {start} and {end} the suspect Karl Berger sent more than forty e-mails from the "
    "account k.berger.trading@gmail.com to elderly investors in Munich and Augsburg, offering "
    "shares in a fictitious solar company. On {paid} the victims paid 412,000 euros into an "
    "account at a Frankfurt bank controlled by the suspect. Witnesses identified the e-mails, "
    "and the bank confirmed the transfers. The suspect used the same account to reply to "
    "investors who asked for their money back."
)
NEXUS_SHORT = "The account k.berger.trading@gmail.com was used for the fraud."
NEXUS_LONG = (
    "The account k.berger.trading@gmail.com is the account from which every fraudulent offer "
    "was sent to the victims. Eleven victims have handed over the e-mails they received, and "
    "the headers show that they came from this account at Google. The suspect also used it to "
    "give the bank details into which the victims paid, and to reassure investors who asked "
    "for their money back. The content of the account is expected to show the drafts of the "
    "offers, the list of targeted investors, correspondence with the bank about the account, "
    "and messages with any accomplice, which together prove the scheme and the suspect's "
    "knowledge that the company did not exist."
)


def _continue(page) -> None:  # type: ignore[no-untyped-def]
    page.click('button[name="op"][value="continue"]:not(.portal-default-button)')
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_submitter_journey(app: Flask, accounts: Accounts, live_server: str, page,  # type: ignore[no-untyped-def]
                           tmp_path: Path, locale: str) -> None:
    account = accounts.create(Role.SUBMITTER, country="DE", locale=locale)
    today = date.today()
    start, end, paid = (today - timedelta(days=d) for d in (120, 30, 60))
    facts = FACTS.format(start=start.isoformat(), end=end.isoformat(), paid=paid.isoformat())

    sign_in(page, live_server, account)
    assert page.get_attribute("html", "dir") == ("rtl" if locale == "ar" else "ltr")

    page.goto(f"{live_server}/requests")
    page.click("form[action$='/requests/new'] button")
    page.wait_for_load_state()
    overview = page.url
    page.click("ol.portal-task-list a >> nth=0")

    # 1. Requesting authority
    # the authority's name and country are the account's, shown, not typed
    assert page.locator("#requesting_authority-name").count() == 0
    page.select_option("#requesting_authority-role", "prosecutor")
    page.fill("#requesting_authority-contact-name", "Dr. Anna Huber")
    page.fill("#requesting_authority-contact-email", "anna.huber@example.org")
    page.fill("#requesting_authority-contact-time_zone", "Europe/Berlin")
    _continue(page)
    # 2. Legal basis
    page.select_option("#legal_basis-kind", "bilateral_treaty")
    page.select_option("#legal_basis-instrument", "mlat-de")
    _continue(page)
    # 3. Proceedings and persons
    page.select_option("#proceedings-stage", "investigation")
    page.fill("#proceedings-conducting_authority", "Amtsgericht München (Ermittlungsrichter)")
    page.click('button[value="add:persons"]')
    page.fill("#persons-0-name", "Karl Berger")
    page.select_option("#persons-0-role", "suspect")
    _continue(page)
    # 4. Offences
    page.click('button[value="add:offences"]')
    page.fill("#offences-0-name-text", "Fraud (Betrug)")
    page.select_option("#offences-0-category", "fraud")
    page.fill("#offences-0-provision", "§ 263 StGB")
    page.fill("#offences-0-law_text-text",
              "Whoever, with the intention of obtaining an unlawful pecuniary benefit, damages "
              "the property of another by deception is liable to imprisonment.")
    page.fill("#offences-0-max_penalty_months", "120")
    _continue(page)
    # 5. Facts
    page.fill("#facts-summary-text", facts)
    _continue(page)
    # 6. Assistance: a stored-content item whose nexus is too short (the deficiency)
    page.select_option("#new_item_type", "stored_content")
    page.click('button[value="add:assistance"]')
    page.fill("#assistance-0-description-text", "The content of the e-mail account.")
    page.fill("#assistance-0-nexus-text", NEXUS_SHORT)
    page.click('button[value="add:assistance[0].identifiers"]')
    page.select_option("#assistance-0-identifiers-0-kind", "email")
    page.fill("#assistance-0-identifiers-0-value", "k.berger.trading@gmail.com")
    page.fill("#assistance-0-provider", "Google LLC")
    page.fill("#assistance-0-period-start", start.isoformat())
    page.fill("#assistance-0-period-end", end.isoformat())
    page.fill("#assistance-0-most_recent_use", end.isoformat())
    page.fill("#assistance-0-expected_evidence-text",
              "Drafts of the offers, lists of investors and messages with the bank.")
    page.click('form.portal-wizard-form button[name="op"][value="draft"] >> nth=1')
    page.wait_for_load_state()
    # the blocker is explained on the page, with a link to the field
    finding = page.locator(".portal-finding--blocker", has_text="ELEC-CONTENT-PC")
    assert finding.count() == 1
    assert finding.locator("a[href='#f-assistance-0-nexus']").count() == 1
    page.fill("#assistance-0-nexus-text", NEXUS_LONG)
    _continue(page)
    # 7. Preservation and urgency: nothing to add (a warning will follow)
    _continue(page)
    # 8. Procedures and attachments: attach the signed letter
    letter = tmp_path / "request-letter.pdf"
    letter.write_bytes(pdfs.valid_pdf("Signed request letter"))
    page.select_option("#document_kind", "request_letter")
    page.select_option("#language", "en")
    page.set_input_files("#file", str(letter))
    page.click("form[data-upload] button[type=submit]")
    page.locator("#attachments table").wait_for()
    assert page.locator("#attachments tbody tr", has_text="request-letter.pdf").count() == 1
    # the live server's worker checks it; the page shows the verdict where it stands
    page.locator('#attachments tbody tr[data-check-state="accepted"]',
                 has_text="request-letter.pdf").wait_for(timeout=30_000)
    _continue(page)

    # Check: no blocker left, one warning to acknowledge
    assert "/check" in page.url
    assert page.locator(".portal-finding--blocker").count() == 0
    warnings = page.locator(".portal-ack")
    assert warnings.count() >= 1
    assert page.locator(".portal-ack", has_text="ELEC-PRESERVE").count() == 1
    for index in range(warnings.count()):
        block = warnings.nth(index)
        block.locator("label.usa-checkbox__label").click()
        assert block.locator("input[type=checkbox]").is_checked()
        block.locator("textarea").fill("The provider keeps mailbox content for years; an "
                                       "order to preserve was not possible before this request.")
    page.click("form.portal-ack-form button[type=submit]")
    page.wait_for_url("**/review*")
    assert page.locator(".portal-review__section").count() == 8
    page.click("form[action$='/submit'] button")
    page.wait_for_url("**/submitted*")
    reference = page.locator(".usa-alert--success strong").inner_text().strip()
    assert reference.startswith("MLA-")

    with page.expect_download() as download_info:
        page.click("a[href$='/receipt.pdf']")
    receipt = tmp_path / "receipt.pdf"
    download_info.value.save_as(receipt)
    text = "".join(p.extract_text() or "" for p in PdfReader(str(receipt)).pages)
    assert reference in text.replace(" ", "")

    page.goto(f"{live_server}/requests")
    row = page.locator("table.portal-table tbody tr", has_text=reference)
    assert row.count() == 1
    page.goto(overview)
    assert page.locator(".portal-timeline li").count() == 2  # started, submitted
