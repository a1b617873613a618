"""Screenshots of the main pages in every interface language (``make screenshots``).

Serves the portal on a temporary SQLite database with the demo accounts, prepares a deficient
draft and a submitted request, and saves, for each locale of portal/locales.json, the task
list, a section page with errors, the check-and-submit page and the triage package view into
``screenshots/<locale>/`` (git-ignored). Arabic pages must come out mirrored.
"""

from __future__ import annotations

import logging
import socket
import sys
import tempfile
import threading
from pathlib import Path

from sqlalchemy import select
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import migrate  # noqa: E402
from portal.accounts import totp  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.app import create_app  # noqa: E402
from portal.config import Settings  # noqa: E402
from portal.crypto import KeyRing  # noqa: E402
from portal.demo import DEMO_ACCOUNTS, load_demo  # noqa: E402
from portal.i18n_core import locale_codes  # noqa: E402
from portal.requests import drafts, submission  # noqa: E402
from portal.requests.models import MlaRequest  # noqa: E402

OUT = ROOT / "screenshots"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prepare(app) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    database = app.extensions["portal.db"]
    migrate.upgrade(database.engine)
    with database.session() as db:
        load_demo(db, app.extensions["portal.hasher"],
                  KeyRing.from_settings(app.extensions["portal.settings"]))
    submitter = DEMO_ACCOUNTS[0]
    with database.session() as db:
        user = db.scalar(select(User).where(User.email == submitter.email))
        assert user is not None
        examples = ROOT / "examples" / "requests"
        deficient, _ = drafts.import_json(
            db, user, (examples / "06-stored-content-deficient-gb.json").read_text("utf-8"))
        good, _ = drafts.import_json(
            db, user, (examples / "05-stored-content-good-de.json").read_text("utf-8"))
        assert deficient is not None and good is not None
        ids = deficient.public_id, good.public_id
    with database.session() as db:
        user = db.scalar(select(User).where(User.email == submitter.email))
        row = db.scalar(select(MlaRequest).where(MlaRequest.public_id == ids[1]))
        assert user is not None and row is not None
        submission.submit(db, app.extensions["portal.settings"], user, row,
                          expected_revision=row.revision, locale="en")
    return ids


def _login(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    account = next(a for a in DEMO_ACCOUNTS if a.email == email)
    page.goto(f"{base}/login")
    page.fill("#email", account.email)
    page.fill("#password", account.password)
    page.click("form.usa-form button[type=submit]")
    if account.totp_secret:
        page.wait_for_url("**/login/code")
        page.fill("#code", totp.current_code(account.totp_secret))
        page.click("form.usa-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def _set_language(page, base: str, locale: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/")
    page.select_option("#language-select", locale)
    page.click("form.portal-language button[type=submit]")
    page.wait_for_load_state()


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({"PORTAL_ENV": "development", "PORTAL_DATA_DIR": tmp})
        app = create_app(settings)
        deficient, good = _prepare(app)
        server = make_server("127.0.0.1", _port(), app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=CHROMIUM_ARGS)
            # one signed-in context per user: a second sign-in within the same 30-second
            # step would reuse a TOTP code, which the portal refuses
            submitter = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            _login(submitter, base, DEMO_ACCOUNTS[0].email)
            triage = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            _login(triage, base, "triage@demo.example.org")
            for locale in locale_codes():
                folder = OUT / locale
                folder.mkdir(parents=True, exist_ok=True)
                page = submitter
                _set_language(page, base, locale)
                for name, path in (("task-list", f"/requests/{deficient}"),
                                   ("check", f"/requests/{deficient}/check")):
                    page.goto(base + path)
                    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
                page.goto(f"{base}/requests/{deficient}/authority")
                page.fill("#requesting_authority-contact-email", "not-an-address")
                page.click('form.portal-wizard-form button[name="op"][value="continue"]')
                page.wait_for_load_state()
                page.screenshot(path=str(folder / "section-with-errors.png"), full_page=True)
                _set_language(triage, base, locale)
                response = triage.goto(f"{base}/triage/{good}")
                if response is not None and response.ok:
                    triage.screenshot(path=str(folder / "triage-package.png"), full_page=True)
                print(f"{locale}: {sorted(p.name for p in folder.glob('*.png'))}")
            browser.close()
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
