"""The request's history (USWDS process list) stands on the reading side: its line and numbers
at the left in English, at the right in Arabic, reached from the home page."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from portal.accounts.models import Role
from tests.browser.conftest import sign_in
from tests.conftest import Accounts
from tests.triage.conftest import content, make_submitted, session, user

pytestmark = pytest.mark.browser

SIDES = """(item) => {
  const box = getComputedStyle(item), mark = getComputedStyle(item, '::before');
  return {left: box.borderLeftWidth, right: box.borderRightWidth,
          markLeft: mark.left, markRight: mark.right};
}"""


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_history_stands_on_the_reading_side(  # type: ignore[no-untyped-def]
        app: Flask, accounts: Accounts, live_server: str, page, tmp_path: Path,
        locale: str) -> None:
    account = accounts.create(Role.SUBMITTER, country="ES", locale=locale)
    with session(app) as db:
        public_id = make_submitted(db, app.extensions["portal.settings"], user(db, account),
                                   content("ES")).public_id
    sign_in(page, live_server, account)
    page.click("nav.portal-nav a[href$='/requests']")  # My requests
    page.wait_for_load_state()
    page.click(f"main a[href$='/requests/{public_id}']")
    page.wait_for_load_state()
    item = page.locator("ol.portal-timeline li.usa-process-list__item").first
    sides = item.evaluate(SIDES)
    if locale == "ar":
        assert sides["right"] == "8px" and sides["left"] == "0px", sides
        assert sides["markRight"] == "0px" and sides["markLeft"] != "0px", sides
    else:
        assert sides["left"] == "8px" and sides["right"] == "0px", sides
        assert sides["markLeft"] == "0px", sides
    page.locator("ol.portal-timeline").screenshot(path=str(tmp_path / f"history-{locale}.png"))
