"""Following requests by machine (submitter tokens): the list in keyset pages with its filters,
one request with its timeline, versions and open ask, its messages both ways, and every call
audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask import Flask
from sqlalchemy import select, update

from portal.accounts.models import Role, User
from portal.asks import service as asks
from portal.audit.models import AuditEvent
from portal.mail.models import OutboxEmail
from portal.requests import thread
from portal.requests.models import MlaRequest, Status
from portal.triage import operations as ops
from tests.api.conftest import ApiClient, request_document, submitted
from tests.api.test_api import _assert_problem

Api = Callable[..., ApiClient]


def _db(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["portal.db"].session()


def _set_updated(app: Flask, public_id: str, at: datetime) -> None:
    with _db(app) as db:
        db.execute(update(MlaRequest).where(MlaRequest.public_id == public_id)
                   .values(updated_at=at))


def _all_pages(api: ApiClient, url: str) -> tuple[list[dict[str, object]], int]:
    """Every row, following next; and how many pages."""
    rows: list[dict[str, object]] = []
    pages = 0
    next_url: str | None = url
    while next_url:
        response = api.open("GET", next_url)
        assert response.status_code == 200, response.text[:300]
        body = response.get_json()
        rows += body["items"]
        pages += 1
        if body["next"]:
            assert response.headers["Link"] == f'<{body["next"]}>; rel="next"'
        else:
            assert "Link" not in response.headers
        next_url = body["next"]
        assert pages < 20
    return rows, pages


def test_the_list_in_pages_and_its_filters(app: Flask, api_client: Api) -> None:
    api = api_client(Role.SUBMITTER, country="DE")
    other = api_client(Role.SUBMITTER, country="FR")
    base = datetime(2026, 3, 1, 9, tzinfo=UTC)
    made = []
    for index in range(5):
        public_id, _reference = submitted(app, api.account_id)
        _set_updated(app, public_id, base + timedelta(hours=index))
        made.append(public_id)
    draft = api.open("POST", "/api/v1/drafts", json=request_document()).get_json()["id"]
    submitted(app, other.account_id)  # another authority's: never listed
    rows, pages = _all_pages(api, "/api/v1/requests?limit=2")
    assert pages == 3 and [r["id"] for r in rows] == [draft, *reversed(made)]
    first = rows[1]
    assert first["status"] == "submitted" and first["reference"].startswith("MLA-")
    assert first["links"] == {"self": f"/api/v1/requests/{first['reference']}",
                              "messages": f"/api/v1/requests/{first['reference']}/messages",
                              "receipt": f"/api/v1/requests/{first['reference']}/receipt.pdf"}
    assert rows[0]["reference"] is None and rows[0]["links"]["receipt"] is None
    assert rows[0]["links"]["self"] == f"/api/v1/requests/{draft}"
    # filters, kept in the next links
    only_drafts, _ = _all_pages(api, "/api/v1/requests?status=draft")
    assert [r["id"] for r in only_drafts] == [draft]
    submitted_rows, pages = _all_pages(api, "/api/v1/requests?status=submitted&limit=4")
    assert pages == 2 and len(submitted_rows) == 5
    since = (base + timedelta(hours=2, minutes=30)).astimezone(
        timezone(timedelta(hours=2))).isoformat()  # 13:30+02:00
    recent, pages = _all_pages(api, "/api/v1/requests?status=submitted&limit=1&updated_since="
                               + since.replace("+", "%2B"))
    assert [r["id"] for r in recent] == [made[4], made[3]] and pages == 2
    exact, _ = _all_pages(api, "/api/v1/requests?status=submitted&updated_since="
                          "2026-03-01T13:00:00Z")
    assert [r["id"] for r in exact] == [made[4]]


@pytest.mark.parametrize(("query", "parameter"), [
    ("status=lost", "status"), ("updated_since=yesterday", "updated_since"),
    ("updated_since=2026-03-01", "updated_since"),
    ("updated_since=2026-03-01T09:00:00", "updated_since"),  # no offset
    ("updated_since=0001-01-01T00:00:00Z", "updated_since"),
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=ten", "limit"), ("limit=-1", "limit"),
    ("cursor=nonsense", "cursor"), ("cursor=" + "x" * 300, "cursor"),
])
def test_bad_parameters_are_named(api_client: Api, query: str, parameter: str) -> None:
    api = api_client(Role.SUBMITTER)
    body = _assert_problem(api.open("GET", f"/api/v1/requests?{query}"), 400,
                           "invalid-parameter")
    assert body["parameter"] == parameter and parameter in str(body["detail"])


def test_a_request_with_its_timeline_versions_and_ask(app: Flask, api_client: Api,
                                                      accounts: object) -> None:
    api = api_client(Role.SUBMITTER, country="ES")
    staff = accounts.create(Role.TRIAGE)  # type: ignore[attr-defined]
    public_id, reference = submitted(app, api.account_id)
    settings = app.extensions["portal.settings"]
    with _db(app) as db:
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        officer = db.get(User, staff.id)
        ops.open_request(db, settings, officer, request)
        asks.ask_for_documents(db, settings, officer, request, "Send the court order.",
                               ["court_order"])
    response = api.open("GET", f"/api/v1/requests/{reference}")
    assert response.status_code == 200, response.text[:300]
    body = response.get_json()
    assert body["id"] == public_id and body["reference"] == reference
    assert body["status"] == Status.IN_TRIAGE.value
    assert [e["kind"] for e in body["timeline"]] == ["submitted", "opened", "documents_asked"]
    assert [e["label"] for e in body["timeline"][:2]] == ["Submitted to OIA",
                                                          "Review by OIA started"]
    assert body["timeline"][1]["to_status"] == "in_triage"
    assert body["versions"] == [{"number": 1, "minor": 0, "label": "1",
                                 "submitted_at": body["versions"][0]["submitted_at"],
                                 "package_digest": None}]
    [ask] = body["open_asks"]
    assert ask["kinds"] == ["court_order"] and ask["message"] == "Send the court order."
    assert body["links"]["receipt"] == f"/api/v1/requests/{reference}/receipt.pdf"
    # in the caller's language
    spanish = api.open("GET", f"/api/v1/requests/{reference}",
                       headers={"Accept-Language": "es"}).get_json()
    assert spanish["timeline"][0]["kind"] == "submitted"
    assert spanish["timeline"][0]["label"] not in ("", "Submitted to OIA")
    with _db(app) as db:
        viewed = list(db.scalars(select(AuditEvent.object_id).where(
            AuditEvent.action == "request.viewed")))
    assert viewed.count(public_id) == 2


def test_messages_both_ways(app: Flask, api_client: Api, accounts: object) -> None:
    api = api_client(Role.SUBMITTER, country="ES")
    staff = accounts.create(Role.TRIAGE)  # type: ignore[attr-defined]
    public_id, reference = submitted(app, api.account_id)
    url = f"/api/v1/requests/{reference}/messages"
    assert api.open("GET", url).get_json() == {"reference": reference, "items": []}
    sent = api.open("POST", url, json={"body": "  Any news?  "})
    assert sent.status_code == 201, sent.text[:300]
    message = sent.get_json()
    assert message["from"] == "requester" and message["body"] == "Any news?"
    assert message["author"].startswith("Test Submitter")
    settings = app.extensions["portal.settings"]
    with _db(app) as db:
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        thread.post_message(db, settings, db.get(User, staff.id), request, "Soon.")
        # OIA's staff were told, as for the page's form (no case content in the e-mail)
        mails = list(db.scalars(select(OutboxEmail).where(
            OutboxEmail.kind == "notify.message")))
        assert [m.to_addr for m in mails] == [staff.email]  # type: ignore[attr-defined]
        assert "Any news" not in mails[0].body
    listed = api.open("GET", url, headers={"Accept-Language": "fr"}).get_json()["items"]
    assert [(m["from"], m["author"], m["body"]) for m in listed] == [
        ("requester", message["author"], "Any news?"), ("oia", None, "Soon.")]
    with _db(app) as db:
        actions = list(db.scalars(select(AuditEvent.action).where(
            AuditEvent.object_id == public_id)))
    assert "request.message_posted" in actions


def test_messages_refused(app: Flask, api_client: Api) -> None:
    api = api_client(Role.SUBMITTER)
    draft = api.open("POST", "/api/v1/drafts", json=request_document()).get_json()["id"]
    _assert_problem(api.open("POST", f"/api/v1/requests/{draft}/messages",
                             json={"body": "Hello"}), 409, "message-refused")
    _public_id, reference = submitted(app, api.account_id)
    url = f"/api/v1/requests/{reference}/messages"
    for sent in ({}, {"body": "   "}, {"body": 12}, [1], {"body": "x" * 10_001}):
        body = _assert_problem(api.open("POST", url, json=sent), 422, "invalid-request")
        assert body["errors"][0]["path"] == "body"  # type: ignore[index]
    _assert_problem(api.open("POST", url, data=b"{body", content_type="application/json"),
                    400, "malformed-json")
    _assert_problem(api.open("POST", url, data=b"body=x",
                             content_type="application/x-www-form-urlencoded"), 415,
                    "unsupported-media-type")
    assert api.open("POST", url, json={"body": "x" * 10_000}).status_code == 201
    assert len(api.open("GET", url).get_json()["items"]) == 1


def test_triage_tokens_may_not_use_the_submitters_operations(app: Flask,
                                                              api_client: Api) -> None:
    owner = api_client(Role.SUBMITTER)
    _public_id, reference = submitted(app, owner.account_id)
    triage = api_client(Role.TRIAGE)
    for method, path in (("GET", "/api/v1/requests"), ("GET", f"/api/v1/requests/{reference}"),
                         ("GET", f"/api/v1/requests/{reference}/messages"),
                         ("POST", f"/api/v1/requests/{reference}/messages"),
                         ("GET", f"/api/v1/requests/{reference}/receipt.pdf")):
        _assert_problem(triage.open(method, path, json={"body": "x"}), 403, "forbidden")


def test_every_call_is_audited(app: Flask, api_client: Api) -> None:
    api = api_client(Role.SUBMITTER)
    _public_id, reference = submitted(app, api.account_id)
    calls = [("GET", "/api/v1/requests"), ("GET", "/api/v1/requests?limit=0"),
             ("GET", f"/api/v1/requests/{reference}"), ("GET", "/api/v1/requests/nope"),
             ("GET", f"/api/v1/requests/{reference}/messages"),
             ("POST", f"/api/v1/requests/{reference}/messages"),
             ("GET", f"/api/v1/requests/{reference}/receipt.pdf")]
    statuses = [api.open(m, p, json={"body": "Hello"}).status_code for m, p in calls]
    assert statuses == [200, 400, 200, 404, 200, 201, 200]
    with _db(app) as db:
        recorded = [json.loads(d) for d in db.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "api.call")
            .order_by(AuditEvent.id))]
    assert [(r["method"], r["path"], r["status"]) for r in recorded] == [
        (m, p.split("?")[0], s) for (m, p), s in zip(calls, statuses, strict=True)]
