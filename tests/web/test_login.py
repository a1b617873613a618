"""Login: wrong password or code, replay, lockout, rate limit, session rotation and expiry."""

from __future__ import annotations

import html
import threading
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select, update

from portal.accounts import totp
from portal.accounts.models import Role, User
from portal.config import Settings
from portal.i18n_core import get_translations
from portal.limits.models import RateCounter
from tests.conftest import Account, Accounts, csrf_token, login
from tests.web.conftest import (
    AppFactory,
    age_sessions,
    error_messages,
    in_db,
    location_path,
    post,
    session_cookie,
    session_data,
    sessions_of,
    user_row,
    wrong_code,
)

#: One answer for a wrong password, an unknown address and a locked account (15 minutes in tests).
WRONG_LOGIN = ("The e-mail address or the password is not correct, or the account is locked for "
               "15 minutes after too many failed attempts.")
SESSION_ENDED = "Your session ended after a period without activity."


def password_step(client: FlaskClient, email: str, password: str, path: str = "/login",
                  **kwargs: object):  # type: ignore[no-untyped-def]
    return post(client, path, {"email": email, "password": password}, **kwargs)


def code_step(client: FlaskClient, code: str):  # type: ignore[no-untyped-def]
    return post(client, "/login/code", {"code": code})


def is_signed_in(client: FlaskClient) -> bool:
    response = client.get("/account")
    return response.status_code == 200


def test_correct_password_without_second_factor_signs_in(client: FlaskClient,
                                                         accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    response = password_step(client, account.email.upper(), account.password)
    assert response.status_code == 302
    assert location_path(response) == "/"
    assert is_signed_in(client)


def test_wrong_password_and_unknown_email_give_the_same_message(
        client: FlaskClient, accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    wrong = password_step(client, account.email, "not the password at all")
    unknown = password_step(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 400
    assert error_messages(wrong.text) == error_messages(unknown.text) == [WRONG_LOGIN]
    assert not is_signed_in(client)


def test_password_alone_is_not_enough_when_a_second_factor_is_set(
        client: FlaskClient, accounts: Accounts) -> None:
    account = accounts.create(Role.TRIAGE)
    response = password_step(client, account.email, account.password)
    assert location_path(response) == "/login/code"
    assert not is_signed_in(client)
    assert client.get("/").status_code == 302


def test_wrong_totp_code_is_refused(client: FlaskClient, accounts: Accounts) -> None:
    account = accounts.create(Role.TRIAGE)
    assert account.totp_secret
    password_step(client, account.email, account.password)
    response = code_step(client, wrong_code(account.totp_secret))
    assert response.status_code == 400
    assert "The code is not correct" in error_messages(response.text)[0]
    assert not is_signed_in(client)
    # the right code still works afterwards
    password_step(client, account.email, account.password)
    assert code_step(client, totp.current_code(account.totp_secret)).status_code == 302
    assert is_signed_in(client)


def test_a_totp_code_cannot_be_used_twice(app: Flask, accounts: Accounts) -> None:
    account = accounts.create(Role.TRIAGE)
    assert account.totp_secret
    code = totp.current_code(account.totp_secret)
    first = app.test_client()
    login(first, account, code=code)
    assert is_signed_in(first)
    second = app.test_client()  # e.g. someone who saw the code over the shoulder
    password_step(second, account.email, account.password)
    response = code_step(second, code)
    assert response.status_code == 400
    assert not is_signed_in(second)


def test_six_sign_ins_racing_with_one_fresh_code_let_one_in(app: Flask,
                                                             accounts: Accounts) -> None:
    """The same fresh code posted by six sessions at once: the database lets one use it."""
    account = accounts.create(Role.TRIAGE)
    assert account.totp_secret
    clients = [app.test_client() for _ in range(6)]
    for client in clients:
        password_step(client, account.email, account.password)
    code = totp.current_code(account.totp_secret)
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def post_code(client: FlaskClient) -> None:
        start.wait()
        statuses.append(code_step(client, code).status_code)

    threads = [threading.Thread(target=post_code, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [302, 400, 400, 400, 400, 400]
    assert sum(is_signed_in(client) for client in clients) == 1


def test_lockout_after_the_set_number_of_failures(app: Flask, client: FlaskClient,
                                                  accounts: Accounts, settings: Settings) -> None:
    """The lock of wrong passwords holds for the address they came from (tests/web/
    test_login_limits.py: not for the account's owner elsewhere)."""
    account = accounts.create(Role.SUBMITTER)
    for _ in range(settings.login_max_failures):
        password_step(client, account.email, "wrong password, again")
    response = password_step(client, account.email, account.password)
    assert response.status_code == 400
    assert error_messages(response.text) == [WRONG_LOGIN]  # the right password learns nothing
    assert not is_signed_in(client)

    # time passes: the lock's window ends (and the scheduled job prunes its count)
    in_db(app, lambda s: s.execute(delete(RateCounter)))
    response = password_step(client, account.email, account.password)
    assert response.status_code == 302
    assert is_signed_in(client)


def test_a_lock_reveals_neither_the_account_nor_a_right_guess(
        client: FlaskClient, accounts: Accounts, settings: Settings) -> None:
    account = accounts.create(Role.SUBMITTER)
    for _ in range(settings.login_max_failures):
        password_step(client, account.email, "wrong password, again")
    locked_wrong = password_step(client, account.email, "another wrong password")
    locked_right = password_step(client, account.email, account.password)
    unknown = password_step(client, "nobody-here@example.org", "another wrong password")
    assert locked_wrong.status_code == locked_right.status_code == unknown.status_code == 400
    assert error_messages(locked_wrong.text) == error_messages(locked_right.text) == \
        error_messages(unknown.text) == [WRONG_LOGIN]
    assert not is_signed_in(client)


def test_wrong_totp_codes_also_lock_the_account(app: Flask, client: FlaskClient,
                                                accounts: Accounts, settings: Settings) -> None:
    account = accounts.create(Role.ADMIN)
    assert account.totp_secret
    for _ in range(settings.login_max_failures):
        password_step(client, account.email, account.password)
        code_step(client, wrong_code(account.totp_secret))
    assert user_row(app, account.id).locked_until is not None
    response = password_step(client, account.email, account.password)
    assert error_messages(response.text) == [WRONG_LOGIN]


def test_rate_limit_per_address(make_app: AppFactory, accounts: Accounts) -> None:
    app = make_app(login_rate_limit=3)
    account = accounts.create(Role.SUBMITTER)
    client = app.test_client()
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for number in range(3):
        response = password_step(client, f"guess{number}@example.org", "guess guess guess",
                                 environ_base=attacker)
        assert response.status_code == 400
    response = password_step(client, account.email, account.password, environ_base=attacker)
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    # another address is not affected
    other = app.test_client()
    response = password_step(other, account.email, account.password,
                             environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code == 302


def test_the_429_page_is_translated(make_app: AppFactory) -> None:
    app = make_app(login_rate_limit=1)
    client = app.test_client()
    headers = {"Accept-Language": "ar"}
    password_step(client, "a@example.org", "guess guess guess", headers=headers)
    response = password_step(client, "a@example.org", "guess guess guess", headers=headers)
    assert response.status_code == 429
    assert '<html lang="ar" dir="rtl">' in response.text
    title = get_translations("ar").gettext("Too many attempts")
    assert html.escape(title) in response.text


def test_session_rotates_at_login_and_dies_at_logout(app: Flask, client: FlaskClient,
                                                     accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    client.get("/login")
    before = session_data(app, client)
    assert "sid" not in before and "csrf_token" in before
    login(client, account)
    after = session_data(app, client)
    assert after["sid"]
    assert after.get("csrf_token") != before["csrf_token"]  # nothing from before survives
    signed_in_cookie = session_cookie(app, client)
    assert signed_in_cookie

    login(second := app.test_client(), account)
    assert session_data(app, second)["sid"] != after["sid"]

    response = post(client, "/logout", {}, token_from="/account")
    assert location_path(response) == "/login"
    assert "sid" not in session_data(app, client)
    # replaying the cookie from before the logout gets nothing
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], signed_in_cookie)
    assert client.get("/account").status_code == 302
    assert is_signed_in(second)  # the other session is untouched


def test_idle_session_ends_and_next_brings_the_user_back(app: Flask, client: FlaskClient,
                                                         accounts: Accounts,
                                                         settings: Settings) -> None:
    account = accounts.create(Role.TRIAGE)
    login(client, account)
    assert is_signed_in(client)
    age_sessions(app, account.id,
                 last_seen_at=timedelta(minutes=settings.session_idle_minutes + 1))
    response = client.get("/account/password")
    assert response.status_code == 302
    target = location_path(response)
    assert target == "/login?next=/account/password"
    page = client.get(target)
    assert SESSION_ENDED in page.text
    assert sessions_of(app, account.id) == []
    # signing in again returns to the page the user was on
    assert account.totp_secret
    response = password_step(client, account.email, account.password, path=target)
    assert location_path(response) == "/login/code"
    from tests.web.conftest import fresh_code

    response = code_step(client, fresh_code(account.totp_secret))
    assert location_path(response) == "/account/password"


def test_recent_activity_keeps_the_session(app: Flask, client: FlaskClient,
                                           accounts: Accounts, settings: Settings) -> None:
    account = accounts.create(Role.SUBMITTER)
    login(client, account)
    age_sessions(app, account.id,
                 last_seen_at=timedelta(minutes=settings.session_idle_minutes - 1))
    assert is_signed_in(client)
    # and the visit counts as activity
    age_sessions(app, account.id,
                 last_seen_at=timedelta(minutes=settings.session_idle_minutes - 1))
    client.get("/account")
    assert is_signed_in(client)


def test_absolute_session_lifetime(app: Flask, client: FlaskClient, accounts: Accounts,
                                   settings: Settings) -> None:
    account = accounts.create(Role.SUBMITTER)
    login(client, account)
    age_sessions(app, account.id,
                 created_at=timedelta(hours=settings.session_absolute_hours, minutes=1),
                 last_seen_at=timedelta(seconds=5))
    assert client.get("/account").status_code == 302
    assert sessions_of(app, account.id) == []


def test_idle_expiry_without_next_on_a_post(app: Flask, client: FlaskClient,
                                            accounts: Accounts, settings: Settings) -> None:
    account = accounts.create(Role.SUBMITTER)
    login(client, account)
    token = csrf_token(client, "/account")
    age_sessions(app, account.id,
                 last_seen_at=timedelta(minutes=settings.session_idle_minutes + 1))
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 401


def test_logout_needs_post_and_csrf(app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    login(client, account)
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 400
    assert "Your form has expired" in response.text
    response = client.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert is_signed_in(client)
    assert len(sessions_of(app, account.id)) == 1
    post(client, "/logout", {}, token_from="/account")
    assert not is_signed_in(client)
    assert sessions_of(app, account.id) == []


def test_next_cannot_redirect_to_another_site(app: Flask, accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example",
                 "javascript:alert(1)", "http:/evil.example", "/\t/evil.example",
                 "/\n/evil.example", "/\r\n/evil.example", " //evil.example"):
        client = app.test_client()
        token = csrf_token(client, "/login")
        response = client.post("/login", query_string={"next": evil},
                               data={"email": account.email, "password": account.password,
                                     "csrf_token": token})
        assert response.status_code == 302
        assert location_path(response) == "/", evil


def test_next_with_totp_cannot_redirect_to_another_site(app: Flask, client: FlaskClient,
                                                        accounts: Accounts) -> None:
    account = accounts.create(Role.TRIAGE)
    assert account.totp_secret
    token = csrf_token(client, "/login")
    client.post("/login", data={"email": account.email, "password": account.password,
                                "next": "//evil.example/", "csrf_token": token})
    response = code_step(client, totp.current_code(account.totp_secret))
    assert location_path(response) == "/"


def test_failures_and_successes_are_counted_per_address(app: Flask, client: FlaskClient,
                                                        accounts: Accounts) -> None:
    from portal.accounts.models import LoginAttempt

    account = accounts.create(Role.SUBMITTER)
    password_step(client, account.email, "wrong wrong wrong")
    login(client, account)

    def count(success: bool) -> int:
        return int(in_db(app, lambda s: s.scalar(
            select(func.count(LoginAttempt.id)).where(LoginAttempt.success.is_(success)))))

    assert count(False) == 1
    assert count(True) == 1


def test_sign_in_attempts_older_than_90_days_are_pruned_daily(app: Flask) -> None:
    from portal.accounts import housekeeping
    from portal.accounts.models import LoginAttempt
    from portal.db import utcnow
    from portal.jobs import schedule
    from portal.jobs.queue import enqueue
    from tests.conftest import run_jobs

    assert housekeeping.PRUNE_LOGIN_ATTEMPTS in {task.kind for task in schedule.tasks()}
    now = utcnow()
    with app.extensions["portal.db"].session() as db:
        for days, email in ((91, "old@example.org"), (89, "recent@example.org")):
            db.add(LoginAttempt(ip="192.0.2.1", email=email, success=False,
                                at=now - timedelta(days=days)))
        enqueue(db, housekeeping.PRUNE_LOGIN_ATTEMPTS, {})
    run_jobs(app)
    assert in_db(app, lambda s: list(s.scalars(select(LoginAttempt.email)))) == [
        "recent@example.org"]


def test_sessions_that_can_no_longer_be_used_are_pruned_daily(app: Flask,
                                                             accounts: Accounts) -> None:
    from portal.accounts import housekeeping
    from portal.accounts.models import UserSession
    from portal.db import utcnow
    from portal.jobs.queue import enqueue
    from tests.conftest import run_jobs

    settings = app.extensions["portal.settings"]
    account = accounts.create(Role.SUBMITTER)
    now = utcnow()
    idle = timedelta(minutes=settings.session_idle_minutes + 1)
    old = timedelta(hours=settings.session_absolute_hours + 1)
    with app.extensions["portal.db"].session() as db:
        for name, created, seen in (("live", now, now), ("idle", now - idle, now - idle),
                                    ("old", now - old, now)):
            db.add(UserSession(token_hash=name, user_id=account.id, created_at=created,
                               last_seen_at=seen, authenticated_at=created, ip="192.0.2.9",
                               method="password"))
        enqueue(db, housekeeping.PRUNE_LOGIN_ATTEMPTS, {})
    run_jobs(app)
    assert in_db(app, lambda s: list(s.scalars(select(UserSession.token_hash)))) == ["live"]


def test_deactivated_account_cannot_start_the_code_step(app: Flask, client: FlaskClient,
                                                        accounts: Accounts) -> None:
    account: Account = accounts.create(Role.TRIAGE)
    assert account.totp_secret
    password_step(client, account.email, account.password)
    in_db(app, lambda s: s.execute(update(User).where(User.id == account.id)
                                   .values(active=False)))
    response = client.get("/login/code")
    assert location_path(response) == "/login"
