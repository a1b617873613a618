"""A request across roles in a real headless Chromium: a submitter working in Spanish imports a
request with two deficiencies and submits it; an OIA attorney finds it in the queue and returns
it with both findings; the submitter sees each finding explained in Spanish, fixes it in the
wizard and submits it again; the attorney sees the difference between the versions, accepts it,
refers it to the district proposed from where the evidence is, and completes it. The timeline of
each side shows every step, in order and in its reader's language."""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from portal.accounts.models import Role, User
from portal.i18n_core import TRANSLATIONS_DIR
from portal.reference import load_reference
from portal.requests.summary import EVENT_LABELS as SUBMITTER_EVENT_LABELS
from portal.rules import DEFAULT_SETTINGS, RULES_BY_CODE
from portal.translation import force_locale
from portal.triage import referrals
from portal.triage.operations import Action
from portal.web.triage.labels import ACTION_LABELS, STATUS_LABELS
from portal.web.triage.labels import EVENT_LABELS as TRIAGE_EVENT_LABELS
from tests.browser.conftest import attach_document, sign_in
from tests.conftest import Accounts
from tests.requests.test_wizard import EXAMPLES

# the one journey through the real PostgreSQL server as well (the other browser tests run once)
pytestmark = [pytest.mark.browser, pytest.mark.every_database]

#: The two deficiencies built into the request, the fields they name, and the fix.
PERIOD = ("ELEC-PERIOD-BROAD", "assistance[0].period")
PROVIDER = ("ELEC-PROVIDER-US", "assistance[0].provider")
BROAD_START, FIXED_START = "2024-01-01", "2026-01-01"
WRONG_PROVIDER, FIXED_PROVIDER = "Kronvest Hosting GmbH", "Google LLC"
RETURN_NOTES = "Please narrow the period to the facts and name the company that holds the data."
REFERRAL_NOTE = "Internal: the district's cyber unit already knows this platform."
#: Every step, as the timeline's event kinds, in order.
STEPS = ["created", "submitted", "assigned", "returned", "resubmitted", "opened", "accepted",
         "assigned", "referred", "completed"]


@cache
def _spanish() -> Catalog:
    with (TRANSLATIONS_DIR / "es" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale="es")


def _es(msgid: str) -> str:
    """The Spanish translation of ``msgid`` as the translators wrote it in the catalog."""
    message = _spanish().get(msgid)
    assert message is not None and isinstance(message.string, str), msgid
    assert message.string and message.string != msgid and not message.fuzzy, msgid
    return message.string


def _deficient_request(tmp_path: Path) -> Path:
    """The good German stored-content sample with a period far broader than its facts and a
    provider not known to hold data in the United States (two warnings, no blocker)."""
    content = json.loads((EXAMPLES / "05-stored-content-good-de.json").read_text("utf-8"))
    item = content["assistance"][0]
    assert item["period"]["start"] == FIXED_START and item["provider"] == FIXED_PROVIDER
    item["period"]["start"] = BROAD_START
    item["provider"] = WRONG_PROVIDER
    # a fresh preservation, so that no date-dependent warning comes and goes with the calendar
    content["preservation"][0]["date"] = (date.today() - timedelta(days=7)).isoformat()
    target = tmp_path / "kronvest-request.json"
    target.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return target


def _attach(page: Page, base: str, public_id: str, tmp_path: Path, name: str, kind: str,
            language: str) -> None:
    """Upload one PDF on the documents block of the draft (the import brings no files)."""
    page.goto(f"{base}/requests/{public_id}/procedures")
    attach_document(page, tmp_path, name, kind, language)


def _acknowledge_and_submit(page: Page, base: str, public_id: str, codes: set[str]) -> str:
    """From the check page: acknowledge exactly the warnings ``codes``, review, submit; the
    reference shown on the confirmation."""
    page.goto(f"{base}/requests/{public_id}/check")
    assert page.locator(".portal-finding--blocker").count() == 0
    warnings = page.locator(".portal-ack")
    shown = {code for code in codes if page.locator(".portal-ack", has_text=code).count() == 1}
    assert shown == codes and warnings.count() == len(codes)
    if codes:
        for index in range(warnings.count()):
            block = warnings.nth(index)
            block.locator("label.usa-checkbox__label").click()
            block.locator("textarea").fill("The court in Frankfurt needs the whole period and "
                                           "the records of the hosting company.")
        page.click("form.portal-ack-form button[type=submit]")
    else:
        page.click(f"a[href$='/requests/{public_id}/review']")
    page.wait_for_url("**/review")
    page.click("form[action$='/submit'] button")
    page.wait_for_url("**/submitted")
    return page.locator(".usa-alert--success strong").inner_text().strip()


def _act(page: Page, name: Action, fill: dict[str, str] | None = None,
         tick: list[str] | None = None) -> None:
    """Do one triage action through its form on the package page."""
    details = page.locator(f"details#action-{name.value}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    for label in tick or []:
        details.locator("label.usa-checkbox__label", has_text=label).click()
    for selector, value in (fill or {}).items():
        field = details.locator(selector)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    details.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".usa-alert--success")).to_have_text(
        f"Done: {ACTION_LABELS[name]}.")


def _status_is(page: Page, status: str) -> None:
    expect(page.locator(".portal-summary-list .portal-tag--status")).to_have_text(
        str(STATUS_LABELS[status]))


def test_return_fix_resubmit_accept_refer_complete(app: Flask, accounts: Accounts,
                                                   live_server: str, browser: Browser,
                                                   page: Page, tmp_path: Path) -> None:
    submitter = accounts.create(Role.SUBMITTER, country="DE", locale="es")
    attorney = accounts.create(Role.TRIAGE)
    with accounts.db.session() as s:
        found = s.get(User, attorney.id)
        assert found is not None
        attorney_name = found.name
    with app.test_request_context():
        with force_locale("es"):
            submitter_steps = [str(SUBMITTER_EVENT_LABELS[kind]) for kind in STEPS]
        with force_locale("en"):
            english_steps = [str(SUBMITTER_EVENT_LABELS[kind]) for kind in STEPS]
            triage_steps = [str(TRIAGE_EVENT_LABELS[kind]) for kind in STEPS]
            statuses = {k: str(v) for k, v in STATUS_LABELS.items()}
    assert all(es != en for es, en in zip(submitter_steps, english_steps, strict=True))

    # 1. The submitter, in Spanish, imports the request file and submits it
    sign_in(page, live_server, submitter)
    assert page.get_attribute("html", "lang") == "es"
    page.goto(f"{live_server}/requests/import")
    page.set_input_files("#file", str(_deficient_request(tmp_path)))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_url(lambda url: "/requests/import" not in url)
    public_id = page.url.split("?")[0].rsplit("/", 1)[-1]
    _attach(page, live_server, public_id, tmp_path, "Ersuchen.pdf", "request_letter", "de")
    _attach(page, live_server, public_id, tmp_path, "Request.pdf", "translation", "en")
    reference = _acknowledge_and_submit(page, live_server, public_id,
                                        {PERIOD[0], PROVIDER[0]})
    assert reference.startswith("MLA-")

    # 2. The attorney finds it in the queue and by searching, assigns it, returns it
    triage_context = browser.new_context(locale="en-US")
    oia = triage_context.new_page()
    oia.set_default_timeout(15000)
    try:
        sign_in(oia, live_server, attorney)
        oia.goto(f"{live_server}/triage")
        row = oia.locator("table.portal-queue tbody tr", has_text=reference)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("2 warnings (2 acknowledged)")
        oia.fill("#q", reference)
        oia.click("form.portal-filters button[type=submit]")
        oia.wait_for_url("**/triage?*q=*")
        expect(oia.locator("table.portal-queue tbody tr")).to_have_count(1)
        oia.click(f"table.portal-queue a:has-text('{reference}')")
        oia.wait_for_url(f"**/triage/{public_id}")
        package_url = oia.url
        _status_is(oia, "submitted")
        _act(oia, Action.ASSIGN)
        _status_is(oia, "in_triage")
        expect(oia.locator(".portal-summary-list")).to_contain_text(attorney_name)
        ret = oia.locator("details#action-return")
        for code, path in (PERIOD, PROVIDER):
            box = ret.locator(f"input[type=checkbox][value='{code}@{path}']")
            expect(box).to_have_count(1)
        _act(oia, Action.RETURN, fill={"textarea[name=notes]": RETURN_NOTES},
             tick=[f"({PERIOD[0]})", f"({PROVIDER[0]})"])
        _status_is(oia, "returned")
        returned = oia.locator("#returns li")
        expect(returned).to_have_count(2)
        expect(returned.nth(0)).to_contain_text(RULES_BY_CODE[PERIOD[0]].title)
        expect(returned.nth(1)).to_contain_text(RULES_BY_CODE[PROVIDER[0]].title)

        # 3. The submitter sees both findings explained in Spanish, fixes them, resubmits
        page.goto(f"{live_server}/requests/{public_id}")
        block = page.locator("section.portal-return")
        expect(block).to_be_visible()
        expect(block.locator("#return-heading")).to_have_text(
            _es("OIA returned your request for changes"))
        expect(block.locator(".portal-return__notes")).to_have_text(RETURN_NOTES)
        findings = block.locator(".portal-finding")
        expect(findings).to_have_count(2)
        settings = DEFAULT_SETTINGS.as_dict()
        body = page.locator("main").inner_text()
        for code, path in (PERIOD, PROVIDER):
            rule = RULES_BY_CODE[code]
            card = block.locator(".portal-finding", has_text=code)
            expect(card).to_have_count(1)
            expect(card.locator(".portal-finding__title")).to_have_text(
                f"{_es(rule.title)} {code}")
            expect(card).to_contain_text(_es(rule.explanation).format(**settings))
            expect(card).to_contain_text(_es(rule.fix).format(**settings))
            assert rule.title not in body and rule.explanation.format(**settings) not in body
            anchor = "f-" + path.replace("[0]", "-0").replace(".", "-")
            expect(card.locator("a.usa-link")).to_have_attribute(
                "href", f"/requests/{public_id}/assistance#{anchor}")
        block.locator(".portal-finding", has_text=PERIOD[0]).locator("a.usa-link").click()
        page.wait_for_url(f"**/requests/{public_id}/assistance*")
        expect(page.locator("#assistance-0-period-start")).to_have_value(BROAD_START)
        expect(page.locator("#assistance-0-provider")).to_have_value(WRONG_PROVIDER)
        page.fill("#assistance-0-period-start", FIXED_START)
        page.fill("#assistance-0-provider", FIXED_PROVIDER)
        page.click('form.portal-wizard-form .portal-form-actions button[value="draft"]')
        page.wait_for_load_state()
        expect(page.locator("#assistance-0-period-start")).to_have_value(FIXED_START)
        assert page.locator(".portal-finding", has_text=PERIOD[0]).count() == 0
        assert page.locator(".portal-finding", has_text=PROVIDER[0]).count() == 0
        assert _acknowledge_and_submit(page, live_server, public_id, set()) == reference
        page.goto(f"{live_server}/requests/{public_id}")
        expect(page.locator("section.portal-return")).to_have_count(0)

        # 4. The attorney sees the difference, accepts, refers to the district, completes
        oia.goto(package_url)
        _status_is(oia, "submitted")
        diff = oia.locator("table.portal-diff")
        expect(diff.locator("caption")).to_have_text("Changes from version 1 to version 2")
        # the fields in words, the paths as a small hint
        expect(diff.locator("tbody th .portal-path")).to_have_text(
            ["assistance[0].period.start", "assistance[0].provider"])
        expect(diff.locator("tbody th").first).to_contain_text("Item of assistance 1 › Period")
        for path, old, new in (("assistance[0].period.start", BROAD_START, FIXED_START),
                               ("assistance[0].provider", WRONG_PROVIDER, FIXED_PROVIDER)):
            change = diff.locator("tbody tr", has_text=path)
            expect(change.locator("td").nth(0)).to_have_text("Changed")
            expect(change.locator("del")).to_have_text(old)
            expect(change.locator("ins")).to_have_text(new)
        # the fields the return named were changed: no "resubmitted unchanged" flag
        expect(oia.locator("#findings")).not_to_contain_text(
            RULES_BY_CODE["TRI-RESUBMIT-UNCHANGED"].title)
        expect(oia.locator("#findings")).to_contain_text("No finding.")
        # the request as submitted reads with names, not codes (as on the review page)
        reference_data = load_reference()
        treaty = oia.locator("#request .portal-review__row", has_text="Treaty, convention")
        expect(treaty.locator("dd")).to_have_text(reference_data.legal_bases["mlat-de"].name)
        country = oia.locator("#request .portal-review__row", has_text="Country").first
        expect(country.locator("dd")).to_have_text(reference_data.countries["DE"].name)
        _act(oia, Action.OPEN)
        _status_is(oia, "in_triage")
        _act(oia, Action.ACCEPT)
        _status_is(oia, "accepted")
        _act(oia, Action.ASSIGN)
        _status_is(oia, "assigned")
        provider = reference_data.find_provider(FIXED_PROVIDER)
        assert provider is not None and provider.hq_district
        district = provider.hq_district
        refer = oia.locator("details#action-refer")
        if refer.get_attribute("open") is None:
            refer.locator("summary").click()
        expect(refer).to_contain_text("Proposed from where the evidence is: "
                                      f"{referrals.district_label(district)}")
        expect(refer.locator("select[name=district]")).to_have_value(district)
        due = (date.today() + timedelta(days=45)).isoformat()
        _act(oia, Action.REFER, fill={"input[name=due]": due,
                                      "textarea[name=note]": REFERRAL_NOTE})
        _status_is(oia, "referred")
        expect(oia.locator("#referrals li")).to_have_count(1)
        expect(oia.locator("#referrals li")).to_contain_text(district)
        _act(oia, Action.COMPLETE)
        _status_is(oia, "completed")

        # 5. Each side's timeline shows every step, in order
        history = oia.locator("#history .portal-timeline > li")
        expect(history.locator(".usa-process-list__heading")).to_have_text(triage_steps)
        moves = [("draft", "submitted"), ("submitted", "in_triage"), ("in_triage", "returned"),
                 ("returned", "submitted"), ("submitted", "in_triage"),
                 ("in_triage", "accepted"), ("accepted", "assigned"), ("assigned", "referred"),
                 ("referred", "completed")]
        for index, (before, after) in enumerate(moves, start=1):
            expect(history.nth(index)).to_contain_text(
                f"{statuses[before]} → {statuses[after]}")
        expect(history.nth(STEPS.index("returned"))).to_contain_text(RETURN_NOTES)
        expect(history.nth(STEPS.index("referred"))).to_contain_text(REFERRAL_NOTE)
    finally:
        triage_context.close()

    page.goto(f"{live_server}/requests/{public_id}")
    timeline = page.locator(".portal-timeline > li")
    expect(timeline.locator(".usa-process-list__heading")).to_have_text(submitter_steps)
    expect(timeline.nth(STEPS.index("returned"))).to_contain_text(RETURN_NOTES)
    # OIA's internal note on the referral stays at OIA
    assert REFERRAL_NOTE not in page.locator("main").inner_text()
