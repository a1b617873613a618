"""axe-core finds no WCAG 2.1 A/AA violation on the triage pages, in English and Arabic."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from portal.accounts.models import Role
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import axe_violations
from tests.conftest import Accounts
from tests.requests.test_wizard import _submit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_triage_pages_have_no_wcag_violations(app: Flask, accounts: Accounts, live_server: str,
                                              axe_page, locale: str) -> None:  # type: ignore[no-untyped-def]
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    public_id = _submit(app, submitter, "05-stored-content-good-de.json")
    _submit(app, accounts.create(Role.SUBMITTER, country="ES"), "01-subscriber-info-good-es.json")
    officer = accounts.create(Role.TRIAGE, locale=locale, manager=True)
    page = axe_page
    assert officer.totp_secret
    sign_in(page, live_server, officer)
    found: dict[str, object] = {}
    for url in ("/triage", f"/triage/{public_id}", "/triage/dashboard", "/triage/portfolios"):
        response = page.goto(f"{live_server}{url}")
        assert response is not None and response.ok, url
        assert page.get_attribute("html", "dir") == ("rtl" if locale == "ar" else "ltr")
        violations = axe_violations(page)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 1:
            violations.append({"id": "horizontal-overflow", "help": f"{overflow} px"})
        if violations:
            found[url] = violations
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)
