"""The JSON API: bearer tokens only (no cookie), problem+json errors in the caller's language,
the check, drafts with If-Match, per-token limits, and every call audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from portal.accounts.models import ApiToken, Role
from portal.audit.models import AuditEvent
from portal.db import utcnow
from portal.requests.models import MlaRequest
from tests.api.conftest import ApiClient, request_document
from tests.conftest import Accounts, login

PROBLEM = "application/problem+json"


def _actions(app: Flask) -> list[str]:
    with app.extensions["portal.db"].session() as db:
        return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _assert_problem(response: object, status: int, slug: str) -> dict[str, object]:
    assert response.status_code == status, response.get_data(as_text=True)[:500]  # type: ignore[attr-defined]
    assert response.mimetype == PROBLEM  # type: ignore[attr-defined]
    body = response.get_json(force=True)  # type: ignore[attr-defined]
    assert body["type"] == f"https://mla-portal.example/problems/{slug}"
    assert body["status"] == status and body["title"] and body["detail"]
    return body  # type: ignore[no-any-return]


def test_check_answers_findings_and_stores_nothing(app: Flask,
                                                   api_client: Callable[..., ApiClient]) -> None:
    api = api_client(Role.SUBMITTER)
    response = api.open("POST", "/api/v1/check", json=request_document())
    assert response.status_code == 200, response.text[:500]
    body = response.get_json()
    assert set(body) == {"findings", "counts"}
    assert sum(body["counts"].values()) == len(body["findings"]) > 0
    finding = body["findings"][0]
    assert {"key", "code", "severity", "path", "title", "explanation", "fix"} <= set(finding)
    with app.extensions["portal.db"].session() as db:
        assert db.scalar(select(MlaRequest.id)) is None
    assert _actions(app)[-1] == "api.call"


def test_triage_may_check_but_not_create(api_client: Callable[..., ApiClient]) -> None:
    api = api_client(Role.TRIAGE)
    assert api.open("POST", "/api/v1/check", json=request_document()).status_code == 200
    _assert_problem(api.open("POST", "/api/v1/drafts", json=request_document()), 403,
                    "forbidden")


def test_draft_create_get_put_and_findings(app: Flask,
                                           api_client: Callable[..., ApiClient]) -> None:
    api = api_client(Role.SUBMITTER)
    created = api.open("POST", "/api/v1/drafts", json=request_document())
    assert created.status_code == 201, created.text[:500]
    draft = created.get_json()
    assert created.headers["Location"] == f"/api/v1/drafts/{draft['id']}"
    assert created.headers["ETag"] == '"1"' and draft["revision"] == 1
    assert draft["content"]["requesting_authority"]["country"] == "ES"
    got = api.open("GET", created.headers["Location"])
    assert got.status_code == 200 and got.get_json()["id"] == draft["id"]
    changed = request_document()
    changed["proceedings"]["conducting_authority"] = "Changed through the API."
    missing = api.open("PUT", created.headers["Location"], json=changed)
    _assert_problem(missing, 428, "precondition-required")
    saved = api.open("PUT", created.headers["Location"], json=changed,
                     headers={"If-Match": '"1"'})
    assert saved.status_code == 200, saved.text[:500]
    assert saved.get_json()["revision"] == 2 and saved.headers["ETag"] == '"2"'
    assert saved.get_json()["content"]["proceedings"]["conducting_authority"] == \
        "Changed through the API."
    stale = api.open("PUT", created.headers["Location"], json=request_document(),
                     headers={"If-Match": "1"})
    body = _assert_problem(stale, 412, "stale-revision")
    assert body["revision"] == 2
    for bad in ("abc", "99999999999999999999"):
        _assert_problem(api.open("PUT", created.headers["Location"], json=changed,
                                 headers={"If-Match": bad}), 412, "stale-revision")
    findings = api.open("GET", f"{created.headers['Location']}/findings")
    assert findings.status_code == 200
    assert findings.get_json()["revision"] == 2 and "ready" in findings.get_json()
    actions = _actions(app)
    assert {"request.created", "request.imported", "request.viewed", "request.saved"} \
        <= set(actions)


def test_validation_problems_name_the_fields(api_client: Callable[..., ApiClient]) -> None:
    api = api_client(Role.SUBMITTER)
    document = request_document()
    document["persons"] = [{"name": "A", "role": "suspect", "date_of_birth": "yesterday"}]
    document["language"] = 12
    body = _assert_problem(api.open("POST", "/api/v1/drafts", json=document), 422,
                           "invalid-request")
    paths = {e["path"]: e for e in body["errors"]}  # type: ignore[attr-defined]
    assert "persons[0].date_of_birth" in paths and "language" in paths
    assert paths["persons[0].date_of_birth"]["pointer"] == "/persons/0/date_of_birth"


def test_bad_bodies_are_problems_never_500(app: Flask,
                                          api_client: Callable[..., ApiClient]) -> None:
    api = api_client(Role.SUBMITTER)
    _assert_problem(api.open("POST", "/api/v1/drafts", data=b"{not json",
                             content_type="application/json"), 400, "malformed-json")
    _assert_problem(api.open("POST", "/api/v1/drafts", data=b"\xff\xfe",
                             content_type="application/json"), 400, "malformed-json")
    _assert_problem(api.open("POST", "/api/v1/drafts", data=b"[" * 100_000,
                             content_type="application/json"), 400, "malformed-json")
    _assert_problem(api.open("POST", "/api/v1/drafts", json=[1, 2]), 422, "invalid-request")
    _assert_problem(api.open("POST", "/api/v1/check", data=b"x=1",
                             content_type="application/x-www-form-urlencoded"), 415,
                    "unsupported-media-type")
    limit = app.extensions["portal.settings"].max_file_mb * 1024 * 1024
    _assert_problem(api.open("POST", "/api/v1/check", data=b" " * (limit + 1),
                             content_type="application/json"), 413, "too-large")
    _assert_problem(api.open("GET", "/api/v1/nothing-here"), 404, "not-found")
    not_allowed = api.open("DELETE", "/api/v1/check")
    _assert_problem(not_allowed, 405, "method-not-allowed")
    assert "POST" in not_allowed.headers["Allow"]


def test_problems_in_the_callers_language(api_client: Callable[..., ApiClient]) -> None:
    """(The Spanish text is the catalog's once the API's strings are merged into it.)"""
    api = api_client(Role.SUBMITTER)
    english = api.open("GET", "/api/v1/drafts/nope").get_json()
    spanish = api.open("GET", "/api/v1/drafts/nope",
                       headers={"Accept-Language": "es"}).get_json()
    assert english["type"] == spanish["type"]
    document = request_document()
    document["language"] = 12
    errors = api.open("POST", "/api/v1/check", json=document,
                      headers={"Accept-Language": "fr"}).get_json()["errors"]
    assert errors[0]["detail"] != "must be text" and errors[0]["path"] == "language"


def test_tokens_refused_and_cookies_ignored(app: Flask, client: FlaskClient,
                                            accounts: Accounts,
                                            api_client: Callable[..., ApiClient]) -> None:
    api = api_client(Role.SUBMITTER)
    created = api.open("POST", "/api/v1/drafts", json=request_document()).get_json()
    url = f"/api/v1/drafts/{created['id']}"
    anonymous = app.test_client(use_cookies=False)
    response = anonymous.get(url)
    _assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    _assert_problem(anonymous.get(url, headers={"Authorization": "Bearer mlap_x"}), 401,
                    "unauthorized")
    _assert_problem(anonymous.get(url, headers={"Authorization": "Basic abc"}), 401,
                    "unauthorized")
    # a browser's session does not open the API
    owner = accounts.create(Role.SUBMITTER)
    login(client, owner)
    _assert_problem(client.get(url), 401, "unauthorized")
    _assert_problem(client.post("/api/v1/check", json=request_document()), 401,
                    "unauthorized")
    assert "Set-Cookie" not in api.open("GET", url).headers
    with app.extensions["portal.db"].session() as db:
        db.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    _assert_problem(api.open("GET", url), 401, "unauthorized")
    with app.extensions["portal.db"].session() as db:
        db.execute(update(ApiToken).values(expires_at=None, revoked_at=utcnow()))
    _assert_problem(api.open("GET", url), 401, "unauthorized")
    with app.extensions["portal.db"].session() as db:
        refused = list(db.scalars(select(AuditEvent.details).where(
            AuditEvent.action == "api.call")))
    reasons = [json.loads(d).get("refused") for d in refused]
    assert "expired" in reasons and "revoked" in reasons and "malformed" in reasons


def test_another_authoritys_draft_is_not_found(api_client: Callable[..., ApiClient]) -> None:
    mine = api_client(Role.SUBMITTER, country="DE")
    theirs = api_client(Role.SUBMITTER, country="FR")
    created = mine.open("POST", "/api/v1/drafts", json=request_document()).get_json()
    url = f"/api/v1/drafts/{created['id']}"
    for method, path, kwargs in (("GET", url, {}), ("GET", f"{url}/findings", {}),
                                 ("PUT", url, {"json": request_document(),
                                               "headers": {"If-Match": "1"}})):
        _assert_problem(theirs.open(method, path, **kwargs), 404, "not-found")
    assert mine.open("GET", url).get_json()["revision"] == 1


def test_a_token_has_a_rate_limit(app: Flask, api_client: Callable[..., ApiClient]) -> None:
    from dataclasses import replace

    settings = app.extensions["portal.settings"]
    app.extensions["portal.settings"] = replace(
        settings, limits=replace(settings.limits, api_token_calls=3))
    api, other = api_client(Role.SUBMITTER), api_client(Role.SUBMITTER)
    statuses = [api.open("GET", "/api/v1/drafts/x").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    refused = api.open("GET", "/api/v1/drafts/x")
    _assert_problem(refused, 429, "rate-limited")
    assert 1 <= int(refused.headers["Retry-After"]) <= settings.limits.window_seconds
    assert other.open("GET", "/api/v1/drafts/x").status_code == 404


@pytest.mark.parametrize("role", [Role.SUBMITTER, Role.TRIAGE])
def test_the_docs_page_and_document_are_public(client: FlaskClient, role: Role) -> None:
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200 and document.get_json()["openapi"] == "3.1.0"
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "createDraft" in page.text
    assert "<script>" not in page.text


def test_the_guides_example_files_go_through(api_client: Callable[..., ApiClient]) -> None:
    """docs/API.md's curl example, in process: the same files, calls and answers."""
    from pathlib import Path

    examples = Path(__file__).resolve().parents[2] / "examples" / "requests"
    api = api_client(Role.SUBMITTER)
    deficient = (examples / "02-subscriber-info-deficient-mx.json").read_bytes()
    good = (examples / "01-subscriber-info-good-es.json").read_bytes()
    checked = api.open("POST", "/api/v1/check", data=deficient,
                       content_type="application/json", headers={"Accept-Language": "es"})
    assert checked.status_code == 200 and checked.get_json()["counts"]["blocker"] > 0
    created = api.open("POST", "/api/v1/drafts", data=good, content_type="application/json")
    assert created.status_code == 201, created.text[:300]
    url = f"/api/v1/drafts/{created.get_json()['id']}"
    assert api.open("GET", url).status_code == 200
    put = {"data": good, "content_type": "application/json", "headers": {"If-Match": "1"}}
    assert api.open("PUT", url, **put).status_code == 200
    assert api.open("GET", f"{url}/findings").status_code == 200
    assert api.open("PUT", url, **put).status_code == 412
