"""Deny by default: every route refuses anonymous users and wrong roles, except a short public list.

The tests walk ``app.url_map`` so that a route added later without a decision fails here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.routing.converters import (
    AnyConverter,
    FloatConverter,
    IntegerConverter,
    PathConverter,
    UnicodeConverter,
    UUIDConverter,
)

from portal.accounts.models import Role
from portal.web.access import public, view_rule
from tests.conftest import Accounts, csrf_token, login
from tests.web.conftest import location_path

#: The API's blueprint: its calls sign in with tokens, never cookies (tests/api).
API = "api."
EXPECTED_PUBLIC = frozenset({
    "api.getOpenApi",  # the API's OpenAPI document and its page
    "api.docs",
    "static",
    "accounts.login",
    "accounts.login_code",
    "keys.login_options",  # a security key as the second factor of a sign-in
    "keys.login_key",
    "accounts.invitation",
    "sso.start",  # single sign-on (404 while it is off)
    "sso.callback",
    "sso.confirm_link",
    "i18n.set_language",
    "main.health",
    "metrics.metrics",  # a scraper's: its token or an allowed address (404 while off)
    "training.guide_index",
    "training.guide_page",
    "training.handout",
    "notices.accessibility",
    "notices.privacy",
})
CHECKED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def url_arguments(rule: Rule) -> dict[str, Any]:
    """Plausible values for each converter of a rule (objects that do not exist)."""
    values: dict[str, Any] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, IntegerConverter):
            values[name] = 987654
        elif isinstance(converter, FloatConverter):
            values[name] = 1.5
        elif isinstance(converter, UUIDConverter):
            values[name] = uuid.UUID(int=7)
        elif isinstance(converter, PathConverter):
            values[name] = "css/portal.css" if rule.endpoint == "static" else "no/such/path"
        elif isinstance(converter, UnicodeConverter):
            values[name] = "NoSuchObject123"
        else:  # a custom converter: add a case here so that its routes are checked
            raise AssertionError(f"no test value for converter {type(converter).__name__} "
                                 f"of {rule.rule}")
    return values


@dataclass(frozen=True)
class Route:
    endpoint: str
    path: str
    methods: tuple[str, ...]
    allowed: frozenset[Role] | None

    def __str__(self) -> str:
        return f"{'/'.join(self.methods)} {self.path}"


def routes(app: Flask, *, public_routes: bool) -> list[Route]:
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            is_public, allowed = view_rule(app, rule.endpoint)
            if is_public is not public_routes or (rule.endpoint.startswith(API) and not is_public):
                continue  # (API calls carry tokens, not cookies: tests/api/test_api_routes.py)
            path = app.url_for(rule.endpoint, **url_arguments(rule))
            methods = tuple(m for m in CHECKED_METHODS if m in (rule.methods or ()))
            found.append(Route(rule.endpoint, path, methods, allowed))
    assert found
    return found


def test_url_arguments_cover_every_converter(app: Flask) -> None:
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            path = app.url_for(rule.endpoint, **url_arguments(rule))
            assert app.url_map.bind("localhost").match(path, method=sorted(rule.methods)[0])


def test_the_public_list_is_exactly_the_expected_one(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    public_endpoints = {e for e in endpoints if view_rule(app, e)[0]}
    assert public_endpoints == EXPECTED_PUBLIC


def test_every_other_route_declares_its_roles(app: Flask) -> None:
    for route in routes(app, public_routes=False):
        assert route.allowed, f"{route.endpoint} declares no role: nobody can use it"


def _anonymous_check(app: Flask, client: FlaskClient, route: Route) -> None:
    token = csrf_token(client, "/login")
    for method in route.methods:
        response = client.open(route.path, method=method, data={"csrf_token": token})
        if method == "GET":
            assert response.status_code == 302, route
            target = location_path(response)
            assert target.startswith("/login?next="), (route, target)
        else:
            assert response.status_code == 401, (str(route), method, response.status_code)
            assert "Please sign in" in response.text
    head = client.head(route.path) if "GET" in route.methods else None
    if head is not None:
        assert head.status_code in (302, 401), route


def test_every_non_public_route_refuses_anonymous_users(app: Flask, client: FlaskClient) -> None:
    checked = routes(app, public_routes=False)
    for route in checked:
        _anonymous_check(app, client, route)
    assert len(checked) >= 10


def test_every_route_refuses_the_wrong_roles(app: Flask, accounts: Accounts) -> None:
    refused = 0
    for role in Role:
        client = app.test_client()
        login(client, accounts.create(role))
        token = csrf_token(client, "/account")
        for route in routes(app, public_routes=False):
            assert route.allowed is not None
            if role in route.allowed:
                continue
            for method in route.methods:
                response = client.open(route.path, method=method, data={"csrf_token": token})
                assert response.status_code == 403, (role, str(route), method)
                assert "You do not have access to this page" in response.text
                refused += 1
    assert refused > 10  # the admin pages alone give more than that


def test_allowed_roles_get_through_the_gate(app: Flask, accounts: Accounts) -> None:
    """The other side: the gate lets each allowed role reach every GET page."""
    for role in Role:
        client = app.test_client()
        login(client, accounts.create(role))
        for route in routes(app, public_routes=False):
            assert route.allowed is not None
            if role not in route.allowed or "GET" not in route.methods:
                continue
            response = client.get(route.path)
            assert response.status_code in (200, 302, 404), (role, str(route))
            if response.status_code == 302:
                assert not location_path(response).startswith("/login"), (role, str(route))


def test_public_routes_answer_anonymous_users(app: Flask, client: FlaskClient) -> None:
    expected = {
        "/login": 200, "/healthz": 200, "/static/css/portal.css": 200,
        "/invitation/NoSuchObject123": 410,
        "/login/code": 302,  # no password step yet: back to the login page
    }
    for path, status in expected.items():
        assert client.get(path).status_code == status, path
    response = client.post("/language", data={"lang": "es", "next": "/login",
                                              "csrf_token": csrf_token(client)})
    assert response.status_code == 303


def test_an_undeclared_view_fails_closed(app: Flask, accounts: Accounts) -> None:
    app.add_url_rule("/test-undeclared", "test_undeclared", lambda: "secret")
    app.add_url_rule("/test-public", "test_public", public(lambda: "open"))
    anonymous = app.test_client()
    assert anonymous.get("/test-undeclared").status_code == 302
    assert anonymous.get("/test-public").text == "open"
    for role in Role:
        client = app.test_client()
        login(client, accounts.create(role))
        response = client.get("/test-undeclared")
        assert response.status_code == 403, role
        assert "secret" not in response.text


@pytest.mark.parametrize("path", ["/admin/users/NoSuchUser", "/admin/users/%2E%2E"])
def test_admin_page_of_a_missing_user_is_404(app: Flask, client: FlaskClient,
                                             accounts: Accounts, path: str) -> None:
    login(client, accounts.create(Role.ADMIN))
    assert client.get(path).status_code == 404


def test_admin_action_on_a_missing_user_is_404(client: FlaskClient, accounts: Accounts) -> None:
    login(client, accounts.create(Role.ADMIN))
    response = client.post("/admin/users/NoSuchUser/deactivate",
                           data={"csrf_token": csrf_token(client, "/admin/users")})
    assert response.status_code == 404


def test_the_admin_page_of_an_existing_user_works(client: FlaskClient,
                                                  accounts: Accounts) -> None:
    other = accounts.create(Role.TRIAGE)
    login(client, accounts.create(Role.ADMIN))
    response = client.get(f"/admin/users/{other.public_id}")
    assert response.status_code == 200
    assert other.email in response.text


def test_staff_without_a_second_factor_must_enrol_first(app: Flask, accounts: Accounts) -> None:
    """E.g. a submitter promoted to admin: nothing but enrolment until a factor is set up."""
    from sqlalchemy import update

    from portal.accounts import totp
    from portal.accounts.models import User
    from tests.web.conftest import in_db

    account = accounts.create(Role.SUBMITTER)
    in_db(app, lambda s: s.execute(update(User).where(User.id == account.id)
                                   .values(role="admin", authority_id=None)))
    client = app.test_client()
    login(client, account)
    for path in ("/", "/admin/users", "/account"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert location_path(response) == "/account/totp"
    token = csrf_token(client, "/account/totp")
    assert client.post("/admin/authorities", data={"csrf_token": token}).status_code == 403
    page = client.get("/account/totp").text
    import re

    secret = re.search(r'<code class="portal-secret" dir="ltr">([A-Z2-7]+)</code>', page)
    assert secret
    response = client.post("/account/totp", data={
        "code": totp.current_code(secret.group(1)), "csrf_token": token})
    assert location_path(response) == "/account"
    assert client.get("/admin/users").status_code == 200
