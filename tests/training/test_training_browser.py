"""Training mode in headless Chromium: a trainer steps through a deficient sample's findings with
the keyboard; a submitter's practice request shows nowhere in OIA's queue or statistics; axe-core
finds no WCAG 2.1 A/AA violation on the guide, the library and explain mode."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask

from portal.accounts import totp
from portal.accounts.models import Role
from portal.training import explain, samples
from tests.browser.test_accessibility import AXE, axe_violations
from tests.conftest import Account, Accounts

pytestmark = pytest.mark.browser

DEFICIENT = "10-financial-records-deficient-ng"


def _sign_in(page, live_server: str, account: Account) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login")
    page.fill("#email", account.email)
    page.fill("#password", account.password)
    page.click("form.usa-form button[type=submit]")
    if account.totp_secret:
        page.wait_for_url(re.compile(r"/login/code$"))
        page.fill("#code", totp.current_code(account.totp_secret))
        page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server}/")


def test_trainer_steps_through_every_finding_with_the_keyboard(  # type: ignore[no-untyped-def]
        app: Flask, accounts: Accounts, live_server: str, page) -> None:
    trainer = accounts.create(Role.TRAINER)
    sample = samples.get_sample(DEFICIENT)
    assert sample is not None
    with app.test_request_context("/"):
        walk = explain.walkthrough(sample, "en")
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    _sign_in(page, live_server, trainer)
    page.goto(f"{live_server}/training/samples/{DEFICIENT}/explain")
    status = page.locator("[data-explain-status]")
    assert status.get_attribute("aria-live") == "polite"
    assert status.inner_text() == "Introduction"
    page.locator("main h1").first.click()  # focus in the page, not in a form field
    for number, step in enumerate(walk.steps, start=1):
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(n) => document.querySelector('[data-explain-status]').textContent"
            ".startsWith('Step ' + n + ' of')", arg=number)
        assert step.title in page.locator("[data-explain-step] h1").inner_text()
        body = page.locator("[data-explain-step]").inner_text()
        assert step.code in body and step.fix in body and step.field.label in body
        assert all(citation in body for citation in step.citations)
        assert page.url.endswith(f"step={number}")  # the address follows, for reloading
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('[data-explain-step] h1')"
                           ".textContent.includes('After the fix')")
    assert page.locator("[data-explain-next]").count() == 0
    assert page.locator(".portal-explain__gone li").count() == len(walk.gone) == len(walk.steps)
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "(n) => document.querySelector('[data-explain-status]').textContent"
        ".startsWith('Step ' + n + ' of')", arg=len(walk.steps))
    # without JavaScript the same steps are plain links
    page.goto(f"{live_server}/training/samples/{DEFICIENT}/explain?step=1&present=1")
    assert page.locator(".portal-explain--present").count() == 1
    assert page.locator("a[data-explain-next]").get_attribute("href").endswith(
        "step=2&present=1")
    assert not [text for text in console if "Content Security Policy" in text], console


def test_submitter_practice_request_never_reaches_oia(  # type: ignore[no-untyped-def]
        app: Flask, accounts: Accounts, live_server: str, browser) -> None:
    submitter = accounts.create(Role.SUBMITTER, country="JP")
    manager = accounts.create(Role.TRIAGE, manager=True)
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _sign_in(page, live_server, submitter)
        page.goto(f"{live_server}/training/practice")
        page.select_option("#practice-sample", "19-other-good-jp")
        page.get_by_role("button", name="Start a practice request").click()
        page.wait_for_url(re.compile(r"/requests/[A-Za-z0-9_-]+$"))
        overview = page.url
        assert page.locator(".portal-training-banner").is_visible()
        assert page.locator(".portal-tag--training").first.is_visible()
        page.goto(overview + "/check")
        boxes = page.locator("input[name^='ack-']")
        if boxes.count():
            for index in range(boxes.count()):
                boxes.nth(index).check()
                page.locator("textarea[name^='why-']").nth(index).fill("Practice.")
            page.locator("form.portal-ack-form button[type=submit]").click()
            page.wait_for_load_state()
        page.goto(overview + "/review")
        assert page.locator(".portal-training-banner").is_visible()
        page.get_by_role("button", name="Submit the request").click()
        page.wait_for_url(re.compile(r"/submitted$"))
        assert page.locator(".portal-training-banner").is_visible()
        reference = page.locator("main strong bdi").first.inner_text()
        assert reference.startswith("PRACTICE-")
    finally:
        context.close()
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _sign_in(page, live_server, manager)
        page.goto(f"{live_server}/triage")
        assert reference not in page.content()
        page.goto(f"{live_server}/triage/dashboard")
        assert reference not in page.content()
        page.goto(f"{live_server}/training/statistics?start=2000-01-01&end=2100-01-01")
        assert "No request was submitted in this period." in page.inner_text("main")
        assert "Japan" not in page.inner_text("main")
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_training_pages_have_no_wcag_violations(  # type: ignore[no-untyped-def]
        app: Flask, accounts: Accounts, live_server: str, browser, locale: str) -> None:
    assert AXE.exists(), "run make static (installs axe-core into build/npm)"
    context = browser.new_context(locale="en-US", bypass_csp=True)  # axe is injected inline
    page = context.new_page()
    page.set_default_timeout(15000)
    found: dict[str, list[dict[str, object]]] = {}
    try:
        trainer = accounts.create(Role.TRAINER, locale=locale)
        public = [f"/guide?lang={locale}", f"/guide/stored_content?lang={locale}",
                  f"/guide/assets?lang={locale}"]
        for url in public:
            page.goto(f"{live_server}{url}")
            violations = axe_violations(page)
            if violations:
                found[url] = violations
        _sign_in(page, live_server, trainer)
        pages = ["/training/samples", f"/training/samples/{DEFICIENT}",
                 f"/training/samples/{DEFICIENT}/explain",
                 f"/training/samples/{DEFICIENT}/explain?step=1",
                 f"/training/samples/{DEFICIENT}/explain?step=2&present=1",
                 f"/training/samples/{DEFICIENT}/explain?step=6",
                 "/training/practice", "/training/statistics"]
        for url in pages:
            page.goto(f"{live_server}{url}")
            assert page.get_attribute("html", "lang") == ("ar" if locale == "ar" else "en")
            violations = axe_violations(page)
            if violations:
                found[url] = violations
    finally:
        context.close()
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)
