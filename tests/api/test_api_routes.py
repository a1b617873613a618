"""Every route of the API blueprint, walked from ``app.url_map`` (a route added later is
covered): no token is 401, a token of a role the route does not allow is 403, a browser's
session cookie opens nothing, and a failing database is a 500 problem without its text."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import Role
from portal.accounts.tokens import TOKEN_ROLES
from portal.web.access import view_rule
from tests.api.conftest import ApiClient, request_document, submitted
from tests.attachments import pdfs
from tests.conftest import Accounts, login
from tests.security.test_sessions_and_errors import LEAKS, DatabaseDown
from tests.web.test_access import url_arguments
from tests.web.test_security import assert_security_headers

PROBLEM = "application/problem+json"


def api_routes(app: Flask) -> list[tuple[str, str, str, frozenset[Role] | None]]:
    """(endpoint, method, path, allowed roles) of every non-public API operation."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            is_public, allowed = view_rule(app, rule.endpoint)
            if not rule.endpoint.startswith("api.") or is_public:
                continue
            path = app.url_for(rule.endpoint, **url_arguments(rule))
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, path, allowed))
    assert len(found) >= 5
    return found


def test_every_api_route_refuses_no_token_wrong_roles_and_cookies(
        app: Flask, client: FlaskClient, accounts: Accounts,
        api_client: Callable[..., ApiClient]) -> None:
    login(client, accounts.create(Role.SUBMITTER))
    anonymous = app.test_client(use_cookies=False)
    clients = {role: api_client(role) for role in TOKEN_ROLES}
    for endpoint, method, path, allowed in api_routes(app):
        assert allowed, f"{endpoint} declares no role"
        for who in (anonymous, client):  # nobody, and a browser's signed-in session
            response = who.open(path, method=method, json={})
            assert response.status_code == 401 and response.mimetype == PROBLEM, \
                (endpoint, method, response.status_code)
            assert_security_headers(response)
        for role, api in clients.items():
            response = api.open(method, path, json={})
            if role in allowed:
                assert response.status_code < 500 and response.status_code not in (401, 403), \
                    (endpoint, method, role, response.status_code)
            else:
                assert response.status_code == 403 and response.mimetype == PROBLEM, \
                    (endpoint, method, role, response.status_code)


def test_a_failing_database_is_a_problem_without_its_text(
        app: Flask, api_client: Callable[..., ApiClient]) -> None:
    api = api_client(Role.SUBMITTER)
    checked = 0
    with DatabaseDown(app):
        for _endpoint, method, path, _allowed in api_routes(app):
            response = api.open(method, path, json={"schema_version": "1.0"},
                                headers={"If-Match": "1"})
            checked += 1
            assert response.status_code == 500 and response.mimetype == PROBLEM, \
                (method, path, response.status_code)
            assert [m for m in LEAKS if m in response.data] == [], (method, path)
            assert_security_headers(response)
    assert checked >= 5


def test_a_token_of_authority_a_gets_404_on_every_object_of_authority_b(
        app: Flask, api_client: Callable[..., ApiClient]) -> None:
    """Each route with an object in its address, with objects of authority A (a draft by its
    id; a submitted request by its reference and by its id), called by a submitter of B: 404,
    as for an object that does not exist. OIA's routes are refused to submitters (403) before
    any object is read."""
    owner = api_client(Role.SUBMITTER, country="DE")
    stranger = api_client(Role.SUBMITTER, country="FR")
    draft = owner.open("POST", "/api/v1/drafts", json=request_document()).get_json()["id"]
    public_id, reference = submitted(app, owner.account_id)
    uploaded = owner.open("POST", f"/api/v1/drafts/{draft}/attachments", data={
        "file": (io.BytesIO(pdfs.valid_pdf()), "letter.pdf"), "document_kind": "request_letter",
        "language": "en"}, content_type="multipart/form-data")
    assert uploaded.status_code == 202, uploaded.text
    objects = {"draft_id": [draft], "reference": [reference, public_id, draft],
               "attachment_id": [uploaded.get_json()["id"]]}
    checked = 0
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("api.") or not rule.arguments:
                continue
            assert set(rule.arguments) <= set(objects), f"{rule.rule}: add its objects here"
            _public, allowed = view_rule(app, rule.endpoint)
            expected = 404 if allowed and Role.SUBMITTER in allowed else 403
            for values in itertools.product(*(objects[name] for name in rule.arguments)):
                path = app.url_for(rule.endpoint, **dict(zip(rule.arguments, values,
                                                             strict=True)))
                for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                    response = stranger.open(method, path, json={**request_document(),
                                                                 "body": "Hello"},
                                             headers={"If-Match": "1", "Idempotency-Key": "k-1"})
                    assert response.status_code == expected \
                        and response.mimetype == PROBLEM, (method, path, response.status_code)
                    # a multipart body does not get past the access check either
                    response = stranger.open(method, path, data={
                        "file": (io.BytesIO(pdfs.valid_pdf()), "x.pdf"),
                        "document_kind": "request_letter", "language": "en"},
                        content_type="multipart/form-data",
                        headers={"If-Match": "1", "Idempotency-Key": "k-1"})
                    assert response.status_code == expected, (method, path,
                                                              response.status_code)
                    checked += 1
    assert checked >= 20
    assert owner.open("GET", f"/api/v1/drafts/{draft}").get_json()["revision"] == 1
    assert owner.open("GET", f"/api/v1/requests/{reference}").status_code == 200
    for path in (f"/api/v1/requests/{public_id}", f"/api/v1/requests/{draft}"):
        assert owner.open("GET", path).status_code == 200
    listed = owner.open("GET", f"/api/v1/drafts/{draft}/attachments").get_json()
    assert [a["id"] for a in listed["attachments"]] == objects["attachment_id"]
