"""What tests/web/test_login.py and test_security.py leave out: session fixation with a planted
cookie, the lockout holding at the second-factor step, CSRF tokens of another session on every
POST route with real objects, and errors of the database on every route showing neither a
stack trace nor SQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, exc

from portal.accounts.models import Role
from portal.web import pending
from portal.web.access import view_rule
from tests.conftest import Accounts, csrf_token, login
from tests.security.test_object_routes import (
    OBJECT_ARGUMENTS,
    PLAIN_ARGUMENTS,
    USER_OBJECT_BLUEPRINTS,
    Scene,
    _state,
    object_urls,
    scene,  # noqa: F401 - the fixture
)
from tests.web.conftest import session_cookie, session_data, user_row, wrong_code
from tests.web.test_access import API
from tests.web.test_security import assert_security_headers

LEAKS = (b"Traceback", b"SELECT", b"INSERT", b"UPDATE ", b"FROM ", b"sqlalchemy", b"psycopg",
         b"sqlite3", b"secret_table", b"OperationalError", b'File "/')


def test_a_cookie_planted_before_login_is_not_the_session_after(app: Flask,
                                                                accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    name = app.config["SESSION_COOKIE_NAME"]
    attacker = app.test_client()
    attacker.get("/login")
    planted = session_cookie(app, attacker)
    assert planted
    victim = app.test_client()
    victim.set_cookie(name, planted)  # e.g. through a sibling domain or a shared computer
    login(victim, account)
    signed_in = session_cookie(app, victim)
    assert signed_in and signed_in != planted
    assert session_data(app, victim)["sid"] not in str(session_data(app, attacker))
    # the attacker's copy of the planted cookie stays anonymous
    response = attacker.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # and a session value the attacker makes up is not signed: ignored
    forged = signed_in[:-6] + ("AAAAAA" if not signed_in.endswith("AAAAAA") else "BBBBBB")
    intruder = app.test_client()
    intruder.set_cookie(name, forged)
    assert intruder.get("/account").status_code == 302


def test_the_pending_second_factor_cookie_cannot_be_finished_by_another_browser(
        app: Flask, accounts: Accounts) -> None:
    """The cookie of a password step is useless without the code, and dies at the login."""
    account = accounts.create(Role.TRIAGE)
    assert account.totp_secret
    victim = app.test_client()
    victim.post("/login", data={"email": account.email, "password": account.password,
                                "csrf_token": csrf_token(victim, "/login")})
    pending_cookie = session_cookie(app, victim)
    assert pending_cookie
    stealer = app.test_client()
    stealer.set_cookie(app.config["SESSION_COOKIE_NAME"], pending_cookie)
    response = stealer.post("/login/code", data={"code": wrong_code(account.totp_secret),
                                                 "csrf_token": csrf_token(stealer,
                                                                          "/login/code")})
    assert response.status_code == 400
    assert stealer.get("/triage").status_code == 302


def test_the_lockout_holds_at_the_second_factor_step(app: Flask, accounts: Accounts) -> None:
    from portal.accounts import totp

    account = accounts.create(Role.ADMIN)
    assert account.totp_secret
    settings = app.extensions["portal.settings"]
    client = app.test_client()
    for _ in range(settings.login_max_failures):
        client.post("/login", data={"email": account.email, "password": account.password,
                                    "csrf_token": csrf_token(client, "/login")})
        client.post("/login/code", data={"code": wrong_code(account.totp_secret),
                                         "csrf_token": csrf_token(client, "/login/code")})
    assert user_row(app, account.id).locked_until is not None
    # the right password and the right code: still refused while locked
    response = client.post("/login", data={"email": account.email,
                                           "password": account.password,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 400 and "or the account is locked for" in response.text
    response = client.post("/login/code", data={
        "code": totp.current_code(account.totp_secret),
        "csrf_token": csrf_token(client, "/login")})
    assert client.get("/admin/users").status_code == 302


def test_every_post_route_refuses_a_token_of_another_session_with_real_objects(
        scene: Scene) -> None:  # noqa: F811 - the fixture
    app = scene.app
    foreign = {"owner": csrf_token(app.test_client(), "/login"),
               "triage": csrf_token(app.test_client(), "/login")}
    before = _state(app, scene)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or not set(rule.arguments) & OBJECT_ARGUMENTS \
                or rule.endpoint.startswith(USER_OBJECT_BLUEPRINTS):
            continue
        actor = "triage" if rule.endpoint.split(".")[0] in ("triage", "packages") else "owner"
        for _which, url in object_urls(app, rule, scene):
            response = scene.clients[actor].post(url, data={"csrf_token": foreign[actor],
                                                            "op": "draft"})
            checked += 1
            if pending.preserves(app, rule.endpoint):
                assert response.status_code == 303, (url, response.status_code)
            else:
                assert response.status_code == 400, (url, response.status_code)
                assert b"Your form has expired" in response.data
    assert checked >= 10
    assert _state(app, scene) == before


class DatabaseDown:
    """Every statement fails (as a lost server or a broken query would), through SQLAlchemy
    or straight through the driver, with SQL in the exception's text; the page must show none
    of it. With ``after_sign_in``, the database goes away only once the request has loaded
    the signed-in user (in the middle of the request, the way an outage usually arrives)."""

    def __init__(self, app: Flask, *, after_sign_in: bool = False) -> None:
        self.engine = app.extensions["portal.db"].engine
        self.active = not after_sign_in
        self._patched: list[tuple[type, str, Any]] = []
        if after_sign_in:
            # after the app's own hooks, so after the user was loaded (the app has served
            # requests already: the lists are extended directly)
            app.before_request_funcs.setdefault(None, []).append(self._down)
            app.teardown_request_funcs.setdefault(None, []).append(self._up)

    def _down(self) -> None:
        self.active = True

    def _up(self, _error: BaseException | None) -> None:
        self.active = False

    def _fail(self, _conn: Any, _cursor: Any, statement: str, parameters: Any,
              _context: Any, _executemany: bool) -> None:
        if self.active:
            raise exc.OperationalError(statement, parameters, Exception(
                'server closed the connection unexpectedly: relation "secret_table"'))

    def __enter__(self) -> DatabaseDown:
        event.listen(self.engine, "before_cursor_execute", self._fail)
        if self.engine.dialect.name == "postgresql":
            # reads together and the audit chain go straight to the driver: it fails too
            import psycopg

            for owner, name in ((psycopg.Connection, "execute"), (psycopg.Cursor, "execute"),
                                (psycopg.Cursor, "executemany")):
                original = getattr(owner, name)
                self._patched.append((owner, name, original))
                setattr(owner, name, self._failing(original, psycopg.OperationalError))
        return self

    def _failing(self, original: Any, error: type[Exception]) -> Any:
        def call(target: object, *args: Any, **kwargs: Any) -> Any:
            if self.active:
                raise error('server closed the connection unexpectedly: '
                            'relation "secret_table"')
            return original(target, *args, **kwargs)

        return call

    def __exit__(self, *_args: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._fail)
        for owner, name, original in self._patched:
            setattr(owner, name, original)


@pytest.fixture(params=["from the start", "after the sign-in"])
def broken_db(scene: Scene, request: pytest.FixtureRequest  # noqa: F811 - the fixture
              ) -> Iterator[Scene]:
    mid_request = request.param == "after the sign-in"
    with DatabaseDown(scene.app, after_sign_in=mid_request):
        scene.mid_request = mid_request
        yield scene


def test_no_stack_trace_or_sql_when_the_database_fails_on_any_route(
        broken_db: Scene) -> None:
    app = broken_db.app
    checked = failed = 0
    for actor in ("owner", "triage", "admin", "anonymous"):
        client = broken_db.clients[actor]
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static" or \
                    set(rule.arguments) - OBJECT_ARGUMENTS - set(PLAIN_ARGUMENTS) - {"token"}:
                continue
            if rule.endpoint.startswith(USER_OBJECT_BLUEPRINTS) and rule.arguments:
                continue
            if rule.endpoint.startswith(API) and not view_rule(app, rule.endpoint)[0]:
                continue  # token calls: tests/api/test_api_routes.py
            urls = [url for _w, url in object_urls(app, rule, broken_db)] \
                if "token" not in rule.arguments else ["/invitation/NoSuchToken"]
            for url in urls:
                for method in ("GET", "POST"):
                    if method not in (rule.methods or ()):
                        continue
                    data = {"csrf_token": broken_db.tokens[actor]} if method == "POST" \
                        else None
                    response = client.open(url, method=method, data=data)
                    checked += 1
                    # (pages for anonymous visitors and public pages may need no database,
                    # and some pages need nothing more once the user is loaded)
                    assert response.status_code in (500, 503) or actor == "anonymous" \
                        or view_rule(app, rule.endpoint)[0] or broken_db.mid_request, \
                        (actor, method, url, response.status_code)
                    failed += response.status_code == 500
                    found = [m for m in LEAKS if m in response.data]
                    assert found == [], (actor, method, url, found)
                    assert_security_headers(response)
                    if response.mimetype == "text/html" and response.status_code == 500:
                        assert b"Error code: 500" in response.data
                        assert b'<html lang="en"' in response.data
    # (after the sign-in, a page that needs nothing more than the user and the request read
    # with the session answers without the database: 404 for a request the user may not see,
    # a redirect, a form sent back; 72 pages failed before that read went with the session)
    assert checked > 80 and failed > (50 if broken_db.mid_request else 60)
