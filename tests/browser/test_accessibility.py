"""axe-core finds no WCAG 2.1 A/AA violation on the wizard's pages, the accessibility statement and
the privacy notice, in every interface language (English and Arabic on the PostgreSQL pass)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from flask import Flask

from portal.accounts.models import Role
from portal.i18n_core import locale_codes, locale_info
from tests.conftest import Accounts
from tests.requests.test_wizard import _import

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "build" / "npm" / "node_modules" / "axe-core" / \
    "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIZARD_PAGES = ("", "/authority", "/legal-basis", "/proceedings", "/offences", "/facts",
                "/assistance", "/preservation", "/procedures", "/check", "/review")


def axe_violations(page) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Run axe-core in the page; the violations, each with its nodes' selectors."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


#: Every interface language on the SQLite pass; English and Arabic again on the PostgreSQL pass
#: (the pages do not depend on the database, the run time does).
LOCALES = ["en", "ar"] if os.environ.get("PORTAL_TEST_DATABASE_URL") else list(locale_codes())


@pytest.mark.parametrize("locale", LOCALES)
def test_wizard_pages_have_no_wcag_violations(app: Flask, accounts: Accounts, live_server: str,
                                              axe_page, locale: str) -> None:  # type: ignore[no-untyped-def]
    assert AXE.exists(), "run make static (installs axe-core into build/npm)"
    page = axe_page
    account = accounts.create(Role.SUBMITTER, country="DE", locale=locale)
    deficient = _import(app, account, "06-stored-content-deficient-gb.json")
    page.goto(f"{live_server}/login")
    page.fill("#email", account.email)
    page.fill("#password", account.password)
    page.click("form.usa-form button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    found: dict[str, list[dict[str, object]]] = {}
    urls = ["/", "/requests", "/requests/import", "/accessibility", "/privacy"] + [
        f"/requests/{deficient}{suffix}" for suffix in WIZARD_PAGES]
    for url in urls:
        page.goto(f"{live_server}{url}")
        assert page.get_attribute("html", "lang") == locale_info(locale).bcp47
        violations = axe_violations(page)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 1:  # no sideways scrolling (it once made Arabic pages 18,000 px wide)
            violations.append({"id": "horizontal-overflow", "impact": "serious",
                               "help": f"page is {overflow} px wider than the window",
                               "nodes": []})
        if violations:
            found[url] = violations
    # a section page showing errors
    page.goto(f"{live_server}/requests/{deficient}/authority")
    page.fill("#requesting_authority-contact-email", "not-an-address")
    page.click('button[name="op"][value="continue"]:not(.portal-default-button)')
    page.wait_for_load_state()
    assert page.locator("[data-error-summary]").count() == 1
    violations = axe_violations(page)
    if violations:
        found["authority with errors"] = violations
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


def test_the_checker_reports_a_real_violation(app: Flask, live_server: str,
                                              axe_page) -> None:  # type: ignore[no-untyped-def]
    axe_page.goto(f"{live_server}/login")
    axe_page.evaluate("document.querySelector('label[for=email]').remove()")
    ids = {v["id"] for v in axe_violations(axe_page)}
    assert "label" in ids
