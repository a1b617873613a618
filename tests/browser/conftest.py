"""A live server (werkzeug, in a thread, on a free loopback port) and headless Chromium."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect
from werkzeug.serving import make_server

from portal.accounts import totp
from portal.app import create_app
from portal.config import Settings
from portal.jobs.queue import new_owner
from portal.jobs.worker import Summary, run_one
from tests.conftest import Account

#: Assertions on pages wait as long as actions do (Playwright's expect() waits 5 s by
#: default): on two busy cores a WebAuthn ceremony and its post took longer once.
expect.set_options(timeout=15_000)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _work(app: Flask, stop: threading.Event) -> None:
    """A background worker beside the server, as ``make run`` starts one: it runs the jobs the
    pages enqueue (uploads' checks, package builds, e-mail), not the scheduled ones."""
    engine = app.extensions["portal.db"].engine
    owner = new_owner()
    while not stop.is_set():
        # (the settings read each time: a test may change them)
        if not run_one(engine, app.extensions["portal.settings"], owner, Summary()):
            stop.wait(0.2)


def _serve(app: Flask, port: int, base: str) -> Iterator[str]:
    """``app`` served over HTTP on loopback ``port``, with a background worker; yields
    ``base``."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    stop = threading.Event()
    worker = threading.Thread(target=_work, args=(app, stop), name="live-worker", daemon=True)
    worker.start()
    try:
        yield base
    finally:
        stop.set()
        server.shutdown()
        thread.join(timeout=10)
        worker.join(timeout=30)


@pytest.fixture()
def live_server(app: Flask) -> Iterator[str]:
    """The test app served over HTTP, with a background worker; yields its base URL."""
    port = _free_port()
    yield from _serve(app, port, f"http://127.0.0.1:{port}")


@pytest.fixture()
def localhost_server(settings: Settings) -> Iterator[str]:
    """The portal at ``http://localhost:<port>`` (its PORTAL_BASE_URL too), on the test app's
    database: WebAuthn needs a secure context and a domain as the relying party, and Chromium
    takes neither from 127.0.0.1."""
    port = _free_port()
    base = f"http://localhost:{port}"
    app = create_app(settings.with_overrides(base_url=base))
    app.config["TESTING"] = True
    try:
        yield from _serve(app, port, base)
    finally:
        app.extensions["portal.db"].dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def page(browser: object) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture()
def axe_page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    # axe is injected as an inline script: allowed in this test context only
    context = browser.new_context(locale="en-US", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        yield page
    finally:
        context.close()


def sign_in(page: Any, base: str, account: Account) -> None:
    """Sign in through the real forms in the browser (the code step when the account has a
    second factor) and wait for the home page."""
    page.goto(f"{base}/login")
    page.fill("#email", account.email)
    page.fill("#password", account.password)
    page.click("form.usa-form button[type=submit]")
    if account.totp_secret:
        page.wait_for_url("**/login/code")
        page.fill("#code", totp.current_code(account.totp_secret))
        page.click("form.usa-form button[type=submit]")
    page.wait_for_url(f"{base}/")



def attach_document(page: Any, tmp_path: Any, name: str, kind: str, language: str) -> None:
    """Upload a PDF through the documents block of the page shown (procedures)."""
    from tests.attachments import pdfs

    path = tmp_path / name
    path.write_bytes(pdfs.valid_pdf(name))
    page.select_option("#document_kind", kind)
    page.select_option("#language", language)
    page.set_input_files("#file", str(path))
    page.click("form[data-upload] button[type=submit]")
    # the worker checks it; the page shows the verdict without being reloaded
    page.locator('#attachments tbody tr[data-check-state="accepted"]', has_text=name
                 ).wait_for(timeout=30_000)
