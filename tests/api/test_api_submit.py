"""Submission by API: what stops it (blockers, unanswered warnings, documents being checked),
Idempotency-Key (required, replayed, refused with another body, released after a crash), and
two concurrent calls with one key making one submission."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from portal.accounts import idempotency
from portal.accounts.idempotency import IdempotencyKey
from portal.db import utcnow
from portal.jobs import schedule
from portal.jobs.queue import enqueue
from portal.limit_settings import RateLimitSettings
from portal.requests import submission
from portal.requests.models import MlaRequest, RequestVersion
from tests.api.conftest import ApiClient, request_document
from tests.api.test_api_attachments import upload
from tests.attachments import pdfs
from tests.conftest import run_jobs

TYPE = "https://mla-portal.example/problems/"
PROBLEM = "application/problem+json"
BASE_REQUEST = Path(__file__).resolve().parents[1] / "rules" / "base_request.json"


def _submit(api: ApiClient, draft: str, body: dict[str, Any] | None = None,
            key: str | None = "key-1", **kwargs: Any) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return api.open("POST", f"/api/v1/drafts/{draft}/submit", json=body or {},
                    headers=headers, **kwargs)


def _create(api: ApiClient, document: dict[str, Any]) -> str:
    response = api.open("POST", "/api/v1/drafts", json=document)
    assert response.status_code == 201, response.text
    return str(response.get_json()["id"])


def _ready(app: Flask, api: ApiClient) -> tuple[str, dict[str, Any]]:
    """A draft with no blocker, its letter accepted; and the body that answers its warnings."""
    document = json.loads(BASE_REQUEST.read_text(encoding="utf-8"))
    document["persons"] = []  # a warning to answer
    draft = _create(api, document)
    assert upload(api, draft, pdfs.valid_pdf("Letter of request")).status_code == 202
    run_jobs(app)
    api.open("GET", f"/api/v1/drafts/{draft}/attachments")  # (lists the accepted letter)
    findings = api.open("GET", f"/api/v1/drafts/{draft}/findings").get_json()
    assert findings["counts"]["blocker"] == 0, findings["findings"]
    assert findings["counts"]["warning"] >= 1 and not findings["ready"]
    return draft, {"acknowledgements": [
        {"finding": f["key"], "justification": "Checked with the investigating judge."}
        for f in findings["findings"] if f["severity"] == "warning"]}


def _count(app: Flask, model: Any, *where: Any) -> int:
    with app.extensions["portal.db"].session() as db:
        return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _versions(app: Flask, draft: str) -> int:
    with app.extensions["portal.db"].session() as db:
        request_id = db.scalar(select(MlaRequest.id).where(MlaRequest.public_id == draft))
        return int(db.scalar(select(func.count(RequestVersion.id))
                             .where(RequestVersion.request_id == request_id)) or 0)


def test_the_key_is_required_and_must_be_visible_ascii(
        api_client: Callable[..., ApiClient]) -> None:
    api = api_client()
    draft = _create(api, request_document())
    missing = _submit(api, draft, key=None)
    assert missing.status_code == 428 and missing.mimetype == PROBLEM
    assert missing.get_json()["type"] == TYPE + "idempotency-key-missing"
    for bad in ("", "with space", "x" * 256, "caf\u00e9".encode().decode("latin-1")):
        response = _submit(api, draft, key=bad)
        assert response.status_code == 400, (bad, response.status_code)
        assert response.get_json()["type"] == TYPE + "idempotency-key-malformed"
    assert _count(api.client.application, IdempotencyKey) == 0


def test_blockers_stop_it_and_the_refusal_is_replayed(
        app: Flask, api_client: Callable[..., ApiClient]) -> None:
    api = api_client()
    draft = _create(api, request_document())  # no offence (a blocker), no person (a warning)
    response = _submit(api, draft, key="blocked-1")
    assert response.status_code == 422 and response.mimetype == PROBLEM
    body = response.get_json()
    assert body["type"] == TYPE + "submission-blocked"
    assert body["blockers"] and all({"key", "code", "path", "title"} <= set(b)
                                    for b in body["blockers"])
    assert any(b["path"].startswith("offences") for b in body["blockers"])
    assert body["unacknowledged"]
    again = _submit(api, draft, key="blocked-1")
    assert again.status_code == 422 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == body
    assert "Idempotent-Replayed" not in response.headers
    other_body = _submit(api, draft, {"revision": 1}, key="blocked-1")
    assert other_body.status_code == 422
    assert other_body.get_json()["type"] == TYPE + "idempotency-key-reused"
    assert _versions(app, draft) == 0


def test_bad_bodies_name_their_field(api_client: Callable[..., ApiClient]) -> None:
    api = api_client()
    draft = _create(api, request_document())
    unknown = _submit(api, draft, {"acknowledgements": [
        {"finding": "NOPE@persons", "justification": "x"}]}, key="b-1")
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"][0]["path"] == "acknowledgements[0].finding"
    empty = _submit(api, draft, {"acknowledgements": [{"finding": "A@b", "justification": ""}]},
                    key="b-2")
    assert empty.status_code == 422
    assert empty.get_json()["errors"] == [{
        "path": "acknowledgements[0].justification",
        "pointer": "/acknowledgements/0/justification",
        "detail": "Write why you submit despite this warning."}]
    extra = _submit(api, draft, {"revision": "one", "more": 1}, key="b-3")
    assert {e["path"] for e in extra.get_json()["errors"]} == {"revision", "more"}
    not_json = api.open("POST", f"/api/v1/drafts/{draft}/submit", data=b"{nope",
                        content_type="application/json", headers={"Idempotency-Key": "b-4"})
    assert not_json.status_code == 400
    assert not_json.get_json()["type"] == TYPE + "malformed-json"


def test_documents_being_checked_stop_it(app: Flask,
                                         api_client: Callable[..., ApiClient]) -> None:
    api = api_client()
    draft, answers = _ready(app, api)
    pending = upload(api, draft, pdfs.valid_pdf("Annex"), kind="other").get_json()
    response = _submit(api, draft, answers, key="pending-1")
    assert response.status_code == 422
    body = response.get_json()
    assert body["type"] == TYPE + "documents-not-settled"
    assert [(a["id"], a["status"]) for a in body["attachments"]] == [(pending["id"],
                                                                      "checking")]
    assert _versions(app, draft) == 0


def test_submit_replay_and_nothing_twice(app: Flask,
                                         api_client: Callable[..., ApiClient]) -> None:
    api = api_client()
    draft, answers = _ready(app, api)
    stale = _submit(api, draft, {**answers, "revision": 1}, key="stale-1")
    assert stale.status_code == 412 and stale.get_json()["revision"] > 1
    revision = api.open("GET", f"/api/v1/drafts/{draft}").get_json()["revision"]
    body = {**answers, "revision": revision}
    response = _submit(api, draft, body, key="ok-1")
    assert response.status_code == 201, response.text
    done = response.get_json()
    assert done["reference"].startswith("MLA-") and done["version"] == 1
    assert done["status"] == "submitted"
    assert done["request"] == f"/api/v1/requests/{done['reference']}"
    assert done["receipt"] == f"/api/v1/requests/{done['reference']}/receipt.pdf"
    assert response.headers["Location"] == done["request"]
    replay = _submit(api, draft, body, key="ok-1")
    assert replay.status_code == 201 and replay.data == response.data  # byte for byte
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.headers["Location"] == done["request"]
    again = _submit(api, draft, body, key="ok-2")  # a new key: not a draft any more
    assert again.status_code == 409 and again.get_json()["type"] == TYPE + "not-editable"
    assert _versions(app, draft) == 1
    letter = api.open("GET", f"/api/v1/drafts/{draft}/attachments").get_json()["attachments"][0]
    removed = api.open("DELETE", f"/api/v1/drafts/{draft}/attachments/{letter['id']}")
    assert removed.status_code == 409
    # the acknowledgements were saved with the version
    with app.extensions["portal.db"].session() as db:
        version = db.scalar(select(RequestVersion).join(MlaRequest)
                            .where(MlaRequest.public_id == draft))
        assert version is not None
        stored = json.loads(version.findings_json)
    warnings = [f for f in stored if f["severity"] == "warning"]
    assert warnings and all(f["acknowledgement"] == "Checked with the investigating judge."
                            for f in warnings)


def test_a_crash_releases_the_key(app: Flask, api_client: Callable[..., ApiClient],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    api = api_client()
    draft, answers = _ready(app, api)
    real = submission.submit

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(submission, "submit", crash)
    crashed = _submit(api, draft, answers, key="crash-1")
    assert crashed.status_code == 500 and crashed.mimetype == PROBLEM
    assert b"fire" not in crashed.data
    assert _count(app, IdempotencyKey) == 0 and _versions(app, draft) == 0
    monkeypatch.setattr(submission, "submit", real)
    retried = _submit(api, draft, answers, key="crash-1")
    assert retried.status_code == 201, retried.text
    assert "Idempotent-Replayed" not in retried.headers
    assert _versions(app, draft) == 1


def test_two_concurrent_calls_with_one_key_make_one_submission(
        app: Flask, api_client: Callable[..., ApiClient],
        monkeypatch: pytest.MonkeyPatch) -> None:
    api = api_client()
    draft, answers = _ready(app, api)
    real = submission.submit

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.5)  # the other call arrives while this one submits
        return real(*args, **kwargs)

    monkeypatch.setattr(submission, "submit", slow)
    barrier = threading.Barrier(2)
    answers_by_thread: list[Any] = [None, None]

    def call(index: int) -> None:
        client = ApiClient(app, api.raw, api.account_id)  # a client of its own
        barrier.wait()
        answers_by_thread[index] = _submit(client, draft, answers, key="same-key")

    threads = [threading.Thread(target=call, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = sorted(r.status_code for r in answers_by_thread)
    assert statuses in ([201, 201], [201, 409]), statuses
    first = next(r for r in answers_by_thread
                 if r.status_code == 201 and "Idempotent-Replayed" not in r.headers)
    for other in answers_by_thread:
        if other is first:
            continue
        if other.status_code == 201:
            assert other.headers["Idempotent-Replayed"] == "true"
            assert other.get_json() == first.get_json()
        else:
            assert other.get_json()["type"] == TYPE + "idempotency-key-in-use"
            assert int(other.headers["Retry-After"]) >= 1
    assert _versions(app, draft) == 1
    with app.extensions["portal.db"].session() as db:
        references = db.scalars(select(MlaRequest.reference)
                                .where(MlaRequest.public_id == draft)).all()
    assert references == [first.get_json()["reference"]]
    later = _submit(api, draft, answers, key="same-key")
    assert later.status_code == 201 and later.get_json() == first.get_json()
    assert later.headers["Idempotent-Replayed"] == "true"


def test_keys_expire_after_their_hours_and_are_pruned_hourly(
        app: Flask, api_client: Callable[..., ApiClient]) -> None:
    api = api_client()
    draft = _create(api, request_document())
    assert _submit(api, draft, key="old").status_code == 422
    assert _submit(api, draft, key="recent").status_code == 422
    with app.extensions["portal.db"].session() as db:
        old = db.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "old"))
        assert old is not None
        old.created_at = utcnow() - timedelta(hours=25)
    # an expired key is a new key: the body may differ, the call runs again
    assert _submit(api, draft, {"revision": 1}, key="recent").get_json()["type"] == \
        TYPE + "idempotency-key-reused"
    anew = _submit(api, draft, {"revision": 1}, key="old")
    assert anew.get_json()["type"] == TYPE + "submission-blocked"
    assert "Idempotent-Replayed" not in anew.headers
    with app.extensions["portal.db"].session() as db:
        db.execute(update(IdempotencyKey).where(IdempotencyKey.key == "old")
                   .values(created_at=utcnow() - timedelta(hours=25)))
        enqueue(db, idempotency.PRUNE, {})
    assert idempotency.PRUNE in {task.kind for task in schedule.tasks()}
    run_jobs(app)
    with app.extensions["portal.db"].session() as db:
        assert list(db.scalars(select(IdempotencyKey.key))) == ["recent"]
    assert RateLimitSettings.from_env({}).api_idempotency_hours == 24
    assert RateLimitSettings.from_env({"PORTAL_API_IDEMPOTENCY_HOURS": "2",
                                       "PORTAL_API_TOKEN_CONCURRENT_UPLOADS": "5"}) == \
        RateLimitSettings(api_idempotency_hours=2, api_token_uploads=5)
    assert RateLimitSettings(api_token_uploads=0).problems()
