"""CSRF on every POST route, security headers on every kind of response, cookies, no inline code."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.accounts.models import Role
from portal.config import new_attachment_key_entry, new_key_entry
from portal.web import pending
from portal.web.access import public, view_rule
from tests.conftest import Accounts, csrf_token, login
from tests.web.conftest import AppFactory
from tests.web.test_access import API, url_arguments

PRODUCTION = {
    "env": "production",
    "secret_key": "Zq8#vR2!mK9@pL4$wX7^nB3&cT6*yH1(uJ5)",
    "secure_cookies": True,
    "base_url": "https://portal.example.org",
    "attachment_keys": new_attachment_key_entry("p1"),
    "audit_keys": new_key_entry("a1"),
}


def post_routes(app: Flask) -> list[tuple[str, str, frozenset[Role] | None]]:
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "POST" not in (rule.methods or ()) or rule.endpoint.startswith(API):
                continue  # (the API reads no cookie, so CSRF cannot apply: tests/api)
            _public, allowed = view_rule(app, rule.endpoint)
            found.append((rule.endpoint, app.url_for(rule.endpoint, **url_arguments(rule)),
                          allowed))
    return found


def test_every_post_route_rejects_a_missing_or_wrong_csrf_token(app: Flask,
                                                                accounts: Accounts) -> None:
    routes = post_routes(app)
    assert len(routes) >= 10
    for endpoint, path, allowed in routes:
        client = app.test_client()
        if allowed:  # sign in with a role that passes the gate, so only CSRF can refuse
            role = Role.ADMIN if Role.ADMIN in allowed else sorted(allowed)[0]
            login(client, accounts.create(role))
        real_token = csrf_token(client, "/account" if allowed else "/login")
        for data in ({}, {"csrf_token": "forged-token"}, {"csrf_token": real_token[:-4] + "AAAA"}):
            response = client.post(path, data=data)
            if allowed and pending.preserves(app, endpoint):
                # pages that keep what was typed: back to the page, nothing saved
                assert response.status_code == 303, (endpoint, data)
                assert response.headers["Location"] == path
                continue
            assert response.status_code == 400, (endpoint, data)
            assert "Your form has expired" in response.text, endpoint
            assert '<html lang="en"' in response.text  # the friendly page, not a bare error
            assert "Traceback" not in response.text


def test_a_token_from_another_session_is_refused(app: Flask, accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER)
    victim, attacker = app.test_client(), app.test_client()
    login(victim, account)
    stolen_elsewhere = csrf_token(attacker, "/login")
    response = victim.post("/logout", data={"csrf_token": stolen_elsewhere})
    assert response.status_code == 400
    assert victim.get("/account").status_code == 200


def assert_security_headers(response: TestResponse, *, production: bool = False) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert csp, response
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert headers.get("X-Content-Type-Options") == "nosniff"
    # never the full URL to other sites; the origin to this site (the CSRF check needs it)
    assert headers.get("Referrer-Policy") in ("same-origin", "strict-origin",
                                              "strict-origin-when-cross-origin")
    assert headers.get("X-Frame-Options") == "DENY"
    if production:
        assert headers.get("Strict-Transport-Security", "").startswith("max-age=")
        assert int(re.findall(r"max-age=(\d+)", headers["Strict-Transport-Security"])[0]) \
            >= 31536000
    else:
        assert "Strict-Transport-Security" not in headers


def _every_kind_of_response(app: Flask, client: FlaskClient, accounts: Accounts,
                            base: str = "http://localhost") -> dict[int | str, TestResponse]:
    @public
    def boom() -> str:
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/test-boom", "test_boom", boom)
    app.config["MAX_CONTENT_LENGTH"] = 1024
    referer = {"Referer": f"{base}/login"}  # what a browser sends under Referrer-Policy
    responses: dict[int | str, TestResponse] = {
        "200 html": client.get("/login", base_url=base),
        "200 json": client.get("/healthz", base_url=base),
        "200 static": client.get("/static/css/portal.css", base_url=base),
        "302": client.get("/account", base_url=base),
        404: client.get("/no/such/page", base_url=base),
        405: client.get("/logout", base_url=base),
        410: client.get("/invitation/unknown", base_url=base),
        413: client.post("/login", data={"x": "y" * 5000}, base_url=base, headers=referer),
        500: client.get("/test-boom", base_url=base),
    }
    token = csrf_token(client, f"{base}/login")
    responses[401] = client.post("/logout", base_url=base, headers=referer,
                                 data={"csrf_token": token})
    responses["400 csrf"] = client.post("/login", base_url=base, data={}, headers=referer)
    login_client = client
    account = accounts.create(Role.SUBMITTER)
    response = login_client.post("/login", base_url=base, headers=referer, data={
        "email": account.email, "password": account.password, "csrf_token": token})
    assert response.status_code == 302, response.text
    responses[403] = login_client.get("/admin/users", base_url=base)
    return responses


def test_security_headers_on_every_kind_of_response(app: Flask, client: FlaskClient,
                                                    accounts: Accounts) -> None:
    responses = _every_kind_of_response(app, client, accounts)
    for kind, response in responses.items():
        if isinstance(kind, int):
            assert response.status_code == kind, (kind, response.status_code)
        assert_security_headers(response)
    assert responses[403].status_code == 403
    for code in (403, 404, 405, 413, 500):
        page = responses[code].text
        assert f"Error code: {code}" in page, code
        assert '<html lang="en" dir="ltr">' in page
    assert "secret internal detail" not in responses[500].text
    assert "Traceback" not in responses[500].text
    assert "RuntimeError" not in responses[500].text
    assert responses["200 html"].headers["Cache-Control"] == "no-store"


def test_hsts_and_secure_cookies_in_production(make_app: AppFactory, accounts: Accounts) -> None:
    app = make_app(**PRODUCTION)
    client = app.test_client()
    base = "https://localhost"
    responses = _every_kind_of_response(app, client, accounts, base=base)
    for kind, response in responses.items():
        if isinstance(kind, int):
            assert response.status_code == kind, (kind, response.status_code)
        assert_security_headers(response, production=True)
    cookie = app.test_client().get("/login", base_url=base).headers.get("Set-Cookie", "")
    assert cookie.startswith("__Host-portal=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Domain=" not in cookie and "Path=/" in cookie


def test_production_csrf_check_wants_a_same_origin_referer(make_app: AppFactory,
                                                           accounts: Accounts) -> None:
    app = make_app(**PRODUCTION)
    account = accounts.create(Role.SUBMITTER)
    base = "https://localhost"
    client = app.test_client()
    token = csrf_token(client, f"{base}/login")
    data = {"email": account.email, "password": account.password, "csrf_token": token}
    for headers in ({}, {"Referer": "https://evil.example/login"}):
        response = client.post("/login", base_url=base, data=data, headers=headers)
        assert response.status_code == 400, headers
        assert "Your form has expired" in response.text
    response = client.post("/login", base_url=base, data=data,
                           headers={"Referer": f"{base}/login"})
    assert response.status_code == 302


def test_session_cookie_flags_in_development(app: Flask, client: FlaskClient) -> None:
    cookie = client.get("/login").headers.get("Set-Cookie", "")
    assert cookie.startswith("portal=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_secure_cookies_setting_alone_makes_cookies_secure(make_app: AppFactory) -> None:
    app = make_app(secure_cookies=True)
    cookie = app.test_client().get("/login", base_url="https://localhost").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers


class InlineCodeFinder(HTMLParser):
    """Collects every inline script, inline style and event-handler attribute of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False
        self.tags = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        names = {name.lower(): value for name, value in attrs}
        if tag == "script":
            self._in_script = True
            if not names.get("src"):
                self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in names.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
            if name in ("href", "src", "action", "formaction") and value and \
                    value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:...>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("inline script content")


def inline_code(page: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(page)
    finder.close()
    assert finder.tags > 20, "not an HTML page"
    return finder.problems


def test_the_checker_finds_inline_code() -> None:
    page = "<html>" + "<p>x</p>" * 25 + (
        '<script>alert(1)</script><div style="color:red" onclick="x()"></div>'
        '<a href="javascript:x()">x</a><style>p{}</style></html>')
    assert len(inline_code(page)) == 6


def test_no_inline_script_or_style_in_any_page(app: Flask, accounts: Accounts,
                                               settings: object) -> None:
    pages: dict[str, str] = {}
    anonymous = app.test_client()
    for path in ("/login", "/invitation/unknown", "/no/such/page"):
        pages[path] = anonymous.get(path).text
    with app.test_request_context():
        get_routes = [(rule, app.url_for(rule.endpoint, **url_arguments(rule)))
                      for rule in app.url_map.iter_rules()
                      if "GET" in (rule.methods or ()) and rule.endpoint != "static"
                      and not (rule.endpoint.startswith(API)
                               and not view_rule(app, rule.endpoint)[0])]
    for role in Role:
        client = app.test_client()
        login(client, accounts.create(role))
        for rule, path in get_routes:
            allowed = view_rule(app, rule.endpoint)[1]
            if allowed is not None and role not in allowed:
                pages[f"{role} {path} (403)"] = client.get(path).text
                continue
            response = client.get(path)
            if response.mimetype == "text/html" and response.status_code != 302:
                pages[f"{role} {path}"] = response.text
    # pages with a QR code and a form with errors
    admin = app.test_client()
    admin_account = accounts.create(Role.ADMIN)
    login(admin, admin_account)
    pages["admin user page"] = admin.get(f"/admin/users/{admin_account.public_id}").text
    pages["invite errors"] = admin.post("/admin/users/invite", data={
        "csrf_token": csrf_token(admin, "/admin/users/invite")}).text
    from portal.accounts.operations import Actor, invite

    with app.extensions["portal.db"].session() as s:
        token = invite(s, app.extensions["portal.settings"], Actor(None, "test"),
                       email="qr@example.org", name="Q R", role=Role.TRIAGE, authority_id=None)
    pages["invitation"] = anonymous.get(f"/invitation/{token}").text
    assert "<svg" in pages["invitation"]
    code_client = app.test_client()
    triage = accounts.create(Role.TRIAGE)
    code_client.post("/login", data={"email": triage.email, "password": triage.password,
                                     "csrf_token": csrf_token(code_client, "/login")})
    pages["login code"] = code_client.get("/login/code").text
    assert len(pages) > 20
    for name, page in pages.items():
        assert inline_code(page) == [], name if "<html" in page else (name, page[:300])


@pytest.mark.parametrize("path", ["/login", "/healthz"])
def test_responses_vary_on_cookie_and_are_not_cached(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Cookie" in response.headers.get("Vary", "")
