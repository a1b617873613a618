"""Pages now drawn by templates and macros, seen in Chromium from the home page (issue #20): a
section's labels in the language chosen (and in the next one after switching: labels are kept
per language), and the dashboard's charts as labelled images in English, Spanish and Arabic,
every label inside the picture (a right-to-left page had pushed them out)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.support import Translations
from flask import Flask

from portal.accounts.models import Role
from portal.i18n_core import TRANSLATIONS_DIR
from portal.triage import demo_volume
from tests.browser.conftest import sign_in
from tests.conftest import Accounts

pytestmark = pytest.mark.browser


def _in(locale: str, text: str) -> str:
    """``text`` as the portal's catalog for ``locale`` has it."""
    if locale == "en":
        return text
    translated = Translations.load(str(TRANSLATIONS_DIR), [locale]).gettext(text)
    assert translated != text, (locale, text)  # the test would prove nothing otherwise
    return str(translated)


def _switch_language(page: Any, code: str) -> None:
    page.select_option("#language-select", code)
    page.click("form.portal-language button[type=submit]")
    page.wait_for_load_state()


def test_a_section_is_labelled_in_the_language_chosen(  # type: ignore[no-untyped-def]
        accounts: Accounts, live_server: str, page, tmp_path: Path) -> None:
    account = accounts.create(Role.SUBMITTER, country="ES", locale="es")
    sign_in(page, live_server, account)
    page.click("main form[action$='/requests/new'] button")
    page.wait_for_url(re.compile(r"/requests/[A-Za-z0-9_-]+$"))
    page.click("ol.portal-task-list a[href$='/authority']")
    page.wait_for_load_state()
    for locale in ("es", "ar", "en"):
        if locale != "es":
            _switch_language(page, locale)
        assert page.get_attribute("html", "lang") == locale
        assert page.get_attribute("html", "dir") == ("rtl" if locale == "ar" else "ltr")
        office = page.locator("label[for='requesting_authority-office']")
        assert office.inner_text().strip() == _in(locale, "Office or unit"), locale
        role = page.locator("#requesting_authority-role option[value='']")
        assert role.inner_text().strip() == _in(locale, "Choose…"), locale
        page.screenshot(path=str(tmp_path / f"authority-{locale}.png"), full_page=True)


@pytest.mark.parametrize("locale", ["en", "es", "ar"])
def test_the_dashboard_draws_its_charts(  # type: ignore[no-untyped-def]
        app: Flask, accounts: Accounts, live_server: str, page, tmp_path: Path,
        locale: str) -> None:
    with app.extensions["portal.db"].session() as db:
        demo_volume.generate(db, 300, seed=7)
        db.commit()
    manager = accounts.create(Role.TRIAGE, manager=True, locale=locale)
    sign_in(page, live_server, manager)
    page.click("nav.portal-nav a[href$='/triage/dashboard']")
    page.wait_for_url("**/triage/dashboard")
    charts = page.locator("svg.portal-chart[role=img]")
    assert charts.count() == 7  # (the service targets owed now among them)
    for index in range(charts.count()):
        chart = charts.nth(index)
        title_id, desc_id = chart.get_attribute("aria-labelledby").split()
        assert (chart.locator(f"title#{title_id}").text_content() or "").strip()
        assert (chart.locator(f"desc#{desc_id}").text_content() or "").strip()
        box = chart.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 40
        texts = chart.locator("text")
        for n in range(texts.count()):  # every label and value inside the picture (in Arabic too)
            inner = texts.nth(n).bounding_box()
            assert inner is not None, (index, n)
            assert box["x"] - 1 <= inner["x"] and inner["x"] + inner["width"] <= \
                box["x"] + box["width"] + 1, (locale, texts.nth(n).text_content())
    titles = [charts.nth(i).locator("title").text_content() for i in range(charts.count())]
    assert _in(locale, "Pending caseload per week") in titles
    assert _in(locale, "Open requests by age") in titles
    bars = page.locator("svg.portal-chart rect")
    assert bars.count() > 3  # the demo volume's figures are drawn
    page.screenshot(path=str(tmp_path / f"dashboard-{locale}.png"), full_page=True)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_queue_rows_read_in_the_page_language(  # type: ignore[no-untyped-def]
        app: Flask, accounts: Accounts, live_server: str, page, tmp_path: Path,
        locale: str) -> None:
    with app.extensions["portal.db"].session() as db:
        demo_volume.generate(db, 60, seed=11)
    staff = accounts.create(Role.TRIAGE, locale=locale)
    sign_in(page, live_server, staff)
    page.click("nav.portal-nav a[href$='/triage']")
    page.wait_for_url("**/triage")
    rows = page.locator("table.portal-queue tbody tr")
    assert 5 < rows.count() <= 50
    first = rows.first
    assert first.locator("th a bdi[dir=ltr]").count() == 1  # the reference, left to right
    findings = first.locator("td").nth(7).inner_text()  # after the service target, the assignee
    blockers = int(re.findall(r"\d+", findings)[0])
    catalog = Translations.load(str(TRANSLATIONS_DIR), [locale])
    assert catalog.ngettext("%(num)d blocker", "%(num)d blockers", blockers) % {
        "num": blockers} in findings, findings
    statuses = {(rows.nth(i).locator(".portal-tag--status").text_content() or "").strip()
                for i in range(rows.count())}
    assert statuses & {_in(locale, "Submitted"), _in(locale, "Assigned"),
                       _in(locale, "In triage")}, statuses
    page.screenshot(path=str(tmp_path / f"queue-{locale}.png"), full_page=True)
