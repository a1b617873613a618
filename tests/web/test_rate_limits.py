"""Rate limits of form posts per account and per address (portal.web.rate_limits), counted in
the database (portal.limits) and so shared by every process: two apps on one database count
together. A refused post is answered 429 with Retry-After and a page that keeps what was typed.
"""

from __future__ import annotations

import html
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.config import ConfigError, Settings
from portal.db import utcnow
from portal.i18n_core import get_translations
from portal.jobs import schedule
from portal.jobs.queue import enqueue
from portal.limit_settings import RateLimitSettings
from portal.limits import counters
from portal.limits.models import RateCounter
from portal.requests.models import MlaRequest
from tests.conftest import PG_URL, Accounts, csrf_token, login, run_jobs
from tests.requests.htmlform import read_form
from tests.requests.test_wizard import _import
from tests.web.conftest import AppFactory, database, in_db, post

TOO_MANY = "Too many forms sent"
SUMMARY = "facts-summary-text"


def limited(make_app: AppFactory, **limits: int) -> Flask:
    return make_app(limits=RateLimitSettings(**limits))


def forget_counts(app: Flask) -> None:
    """The window ends (its counts no longer matter; the scheduled job prunes them)."""
    in_db(app, lambda s: s.execute(RateCounter.__table__.delete()))


def switch_language(client: FlaskClient, address: str = "203.0.113.7", lang: str = "en") -> int:
    response = post(client, "/language", {"lang": lang, "next": "/"}, token_from="/guide",
                    environ_base={"REMOTE_ADDR": address})
    return int(response.status_code)


def test_a_post_over_the_account_limit_is_refused_and_what_was_typed_is_kept(
        make_app: AppFactory, accounts: Accounts) -> None:
    app = limited(make_app, account_posts=3)
    account = accounts.create(Role.SUBMITTER, country="DE")
    public_id = _import(app, account, "05-stored-content-good-de.json", documents=False)
    client = app.test_client()
    login(client, account)  # (signed out then: counted for the address only)
    url = f"/requests/{public_id}/facts"

    def fields() -> dict[str, str]:
        return dict(read_form(client.get(url).text, "portal-wizard-form"))

    assert SUMMARY in fields()
    for number in (1, 2, 3):
        response = client.post(url, data={**fields(), SUMMARY: f"Saved {number}", "op": "draft"})
        assert response.status_code == 302, response.status_code
    typed = "Kept <text> & “quotes”, ok"
    response = client.post(url, data={**fields(), SUMMARY: typed, "op": "draft"})
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert TOO_MANY in response.text and "what you typed is kept on this page" in response.text
    assert f'value="{html.escape(typed)}"' in response.text
    assert response.headers["Content-Security-Policy"]  # the app's headers, as on every page
    with database(app).session() as db:
        draft = db.scalar(select(MlaRequest.draft_json).where(MlaRequest.public_id == public_id))
        assert "Saved 3" in str(draft) and typed not in str(draft)  # not saved, and not lost
    # once the wait is over, the page's button sends the same form, and it is saved
    forget_counts(app)
    kept = read_form(response.text, "usa-form")
    assert dict(kept)[SUMMARY] == typed and dict(kept)["csrf_token"]
    assert client.post(url, data=dict(kept)).status_code == 302
    with database(app).session() as db:
        draft = db.scalar(select(MlaRequest.draft_json).where(MlaRequest.public_id == public_id))
        assert typed in str(draft)


def test_passwords_are_not_written_back_into_the_page(make_app: AppFactory,
                                                      accounts: Accounts) -> None:
    app = limited(make_app, account_posts=1)
    account = accounts.create(Role.SUBMITTER)
    client = app.test_client()
    login(client, account)
    assert switch_language(client) == 303
    response = post(client, "/account/password", {
        "current": "my secret password", "password": "new secret pass", "confirm": "x"})
    assert response.status_code == 429
    assert "my secret password" not in response.text and "new secret pass" not in response.text
    assert "passwords and security codes are not kept" in response.text


def test_the_address_limit_counts_every_client_of_the_address(make_app: AppFactory) -> None:
    app = limited(make_app, address_posts=3)
    first, second, elsewhere = app.test_client(), app.test_client(), app.test_client()
    assert [switch_language(first), switch_language(second), switch_language(first)] == \
        [303, 303, 303]
    assert switch_language(second) == 429
    assert switch_language(elsewhere, "198.51.100.4") == 303  # another address is not held up
    # one audit event for the limit reached, not one per refused post
    assert switch_language(first) == 429
    events = in_db(app, lambda s: s.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "post.rate_limited")))
    assert events == 1


def test_an_ipv6_address_counts_with_its_network(make_app: AppFactory) -> None:
    app = limited(make_app, address_posts=2)
    client = app.test_client()
    assert switch_language(client, "2001:db8:1:2::1") == 303
    assert switch_language(client, "2001:db8:1:2:ffff::9") == 303
    assert switch_language(client, "2001:db8:1:2::abcd") == 429  # the same /64
    assert switch_language(client, "2001:db8:1:3::1") == 303


def test_two_apps_on_one_database_share_the_counts(make_app: AppFactory,
                                                   accounts: Accounts) -> None:
    one = limited(make_app, account_posts=4, address_posts=1000)
    two = limited(make_app, account_posts=4, address_posts=1000)
    account = accounts.create(Role.SUBMITTER)
    client_one = one.test_client()
    login(client_one, account)
    client_two = two.test_client()  # the same browser, served by another process
    cookie = client_one.get_cookie(one.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    client_two.set_cookie(one.config["SESSION_COOKIE_NAME"], cookie.value)
    assert switch_language(client_one) == 303  # 1
    assert switch_language(client_two) == 303  # 2
    assert switch_language(client_two) == 303  # 3
    assert switch_language(client_one) == 303  # 4
    assert switch_language(client_two) == 429
    assert switch_language(client_one) == 429
    # and the sign-in limits too: failures on one app count on the other
    failing = limited(make_app)
    other = make_app(login_rate_limit=3)
    attacker = {"REMOTE_ADDR": "192.0.2.66"}
    statuses = [post(app.test_client(), "/login", {"email": "x@example.org", "password": "wrong"},
                     environ_base=attacker).status_code for app in (failing, other, failing,
                                                                    other)]
    assert statuses == [400, 400, 400, 429]


def test_signing_out_is_never_refused(make_app: AppFactory, accounts: Accounts) -> None:
    app = limited(make_app, account_posts=1)
    account = accounts.create(Role.SUBMITTER)
    client = app.test_client()
    login(client, account)
    assert switch_language(client) == 303
    assert switch_language(client) == 429
    response = post(client, "/logout", {}, token_from="/account")
    assert response.status_code == 302
    assert client.get("/account").status_code == 302  # signed out


def test_a_forged_post_is_not_counted(make_app: AppFactory, accounts: Accounts) -> None:
    app = limited(make_app, account_posts=2)
    account = accounts.create(Role.SUBMITTER)
    client = app.test_client()
    login(client, account)
    for _ in range(5):  # no CSRF token: refused before the count
        assert client.post("/language", data={"lang": "en"}).status_code == 400
    assert switch_language(client) == 303
    assert switch_language(client) == 303
    assert switch_language(client) == 429


def test_the_429_page_is_in_the_page_language(make_app: AppFactory, accounts: Accounts) -> None:
    app = limited(make_app, account_posts=1)
    account = accounts.create(Role.SUBMITTER, locale="ar")
    client = app.test_client()
    login(client, account)
    assert switch_language(client, lang="ar") == 303
    response = post(client, "/account/password", {"current": "x"})
    assert response.status_code == 429
    assert '<html lang="ar" dir="rtl">' in response.text
    title = get_translations("ar").gettext(TOO_MANY)
    assert f"<h1>{html.escape(title)}</h1>" in response.text


def test_hits_from_many_threads_add_up_exactly(app: Flask) -> None:
    database_ = database(app)
    start = threading.Barrier(4)

    def hits() -> None:
        start.wait()
        for _ in range(25):
            with database_.session() as db:
                counters.hit(db, "test.threads", 3600)

    threads = [threading.Thread(target=hits) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    with database_.session() as db:
        assert counters.peek(db, "test.threads", 3600).count == 100


def test_ended_windows_are_pruned_by_the_scheduled_job(app: Flask) -> None:
    assert counters.PRUNE in {task.kind for task in schedule.tasks()}
    database_ = database(app)
    settings = app.extensions["portal.settings"]
    now = utcnow()
    old = now - timedelta(seconds=counters.longest_window(settings) + 120)
    with database_.session() as db:
        counters.hit(db, "test.old", 60, old)
        counters.hit(db, "test.current", 60, now)
        counters.hit(db, "test.lockout", settings.login_lockout_minutes * 60, now)
        enqueue(db, counters.PRUNE, {})
    run_jobs(app)
    keys = in_db(app, lambda s: set(s.scalars(select(RateCounter.key))))
    assert keys == {"test.current", "test.lockout"}


def test_retry_after_is_the_rest_of_the_window(app: Flask) -> None:
    with database(app).session() as db:
        start = counters.window_start(utcnow(), 60)
        count = counters.hit(db, "test.window", 60, start + timedelta(seconds=45))
        assert (count.count, count.retry_after) == (1, 15)
        count = counters.hit(db, "test.window", 60, start + timedelta(seconds=59, microseconds=1))
        assert (count.count, count.retry_after) == (2, 1)
        count = counters.hit(db, "test.window", 60, start + timedelta(seconds=60))
        assert (count.count, count.retry_after) == (1, 60)  # a new window


def test_the_csrf_token_of_the_kept_form_is_the_session_s(make_app: AppFactory,
                                                          accounts: Accounts) -> None:
    app = limited(make_app, account_posts=1)
    account = accounts.create(Role.SUBMITTER)
    client = app.test_client()
    login(client, account)
    assert switch_language(client) == 303
    response = post(client, "/language", {"lang": "en", "next": "/"}, token_from="/account")
    assert response.status_code == 429
    token = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert token is not None
    forget_counts(app)
    assert client.post("/language", data={"lang": "en", "csrf_token": token.group(1)}
                       ).status_code == 303
    assert csrf_token(client, "/account")


def test_the_limits_are_read_from_the_environment_and_checked(tmp_path: Path) -> None:
    base = {"PORTAL_DATA_DIR": str(tmp_path)}
    assert Settings.from_env(base).limits == RateLimitSettings(120, 600, 60, 10)
    read = Settings.from_env({**base, "PORTAL_RATE_LIMIT_ACCOUNT_POSTS": "30",
                              "PORTAL_RATE_LIMIT_ADDRESS_POSTS": "90",
                              "PORTAL_RATE_LIMIT_WINDOW_SECONDS": "10",
                              "PORTAL_LOGIN_ACCOUNT_RATE_LIMIT": "4"})
    assert read.limits == RateLimitSettings(30, 90, 10, 4)
    with pytest.raises(ConfigError, match="PORTAL_RATE_LIMIT_WINDOW_SECONDS"):
        Settings.from_env({**base, "PORTAL_RATE_LIMIT_WINDOW_SECONDS": "a minute"})
    with pytest.raises(ConfigError, match="must be positive"):
        read.with_overrides(limits=RateLimitSettings(account_posts=0)).validate()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL's synchronous_commit")
def test_counts_alone_are_committed_without_waiting_for_the_disk(make_app: AppFactory,
                                                                 accounts: Accounts) -> None:
    app = limited(make_app, account_posts=1)
    account = accounts.create(Role.SUBMITTER)
    client = app.test_client()
    login(client, account)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    engine = database(app).engine
    sa_event.listen(engine, "before_cursor_execute", seen)
    try:
        assert switch_language(client) == 303  # counted: the counts alone, not waited for
        assert sum("synchronous_commit TO OFF" in s for s in statements) == 1
        statements.clear()
        assert switch_language(client) == 429  # refused, and audited: committed as usual
        assert not [s for s in statements if "synchronous_commit" in s]
    finally:
        sa_event.remove(engine, "before_cursor_execute", seen)
    assert in_db(app, lambda s: s.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "post.rate_limited"))) == 1
