"""A draft's documents by API: the page's service behind it (stored at once, checked by a
worker, accepted or refused with a stable reason), the page's limits, a clear problem with
the field for each bad upload, the token's limit on uploads at once, removal."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from portal.accounts.models import ApiToken
from portal.attachments.models import Attachment
from portal.audit.models import AuditEvent
from portal.limits import slots
from portal.limits.models import ConcurrencySlot
from tests.api.conftest import ApiClient, request_document
from tests.attachments import pdfs
from tests.conftest import run_jobs
from tests.packages.helpers import pdf as padded_pdf

PROBLEM = "application/problem+json"
TYPE = "https://mla-portal.example/problems/"


def _draft(api: ApiClient) -> str:
    response = api.open("POST", "/api/v1/drafts", json=request_document())
    assert response.status_code == 201, response.text
    return str(response.get_json()["id"])


def upload(api: ApiClient, draft: str, data: bytes, *, name: str = "letter.pdf",
           kind: str = "request_letter", language: str = "en",
           headers: dict[str, str] | None = None) -> Any:
    return api.open("POST", f"/api/v1/drafts/{draft}/attachments", data={
        "file": (io.BytesIO(data), name), "document_kind": kind, "language": language},
        content_type="multipart/form-data", headers=headers)


def _override(app: Flask, **changes: Any) -> None:
    app.extensions["portal.settings"] = app.extensions["portal.settings"].with_overrides(
        **changes)


def _count(app: Flask, model: Any, *where: Any) -> int:
    with app.extensions["portal.db"].session() as db:
        return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_an_upload_is_checked_in_the_background_then_accepted(
        app: Flask, api_client: Callable[..., ApiClient]) -> None:
    api = api_client()
    draft = _draft(api)
    data = pdfs.valid_pdf("Letter of request")
    response = upload(api, draft, data, name="Letter – request.pdf")
    assert response.status_code == 202, response.text
    body = response.get_json()
    assert body["status"] == "checking" and body["pages"] is None and body["reason"] is None
    assert body["filename"] == "Letter – request.pdf" and body["size"] == len(data)
    assert response.headers["Location"] == f"/api/v1/drafts/{draft}/attachments/{body['id']}"
    checking = api.open("GET", response.headers["Location"])
    assert checking.status_code == 200 and checking.get_json()["status"] == "checking"
    assert checking.headers["Retry-After"] == "2"
    # stored encrypted, by the page's service (its audit record)
    assert _count(app, AuditEvent, AuditEvent.action == "attachment.added") == 1
    run_jobs(app)
    accepted = api.open("GET", response.headers["Location"]).get_json()
    assert accepted["status"] == "accepted" and accepted["pages"] == 1
    listed = api.open("GET", f"/api/v1/drafts/{draft}/attachments").get_json()
    assert [a["id"] for a in listed["attachments"]] == [body["id"]]
    # the accepted file is in the draft's document, for the rules and the package
    content = api.open("GET", f"/api/v1/drafts/{draft}").get_json()["content"]
    assert [a["filename"] for a in content["attachments"]] == ["Letter – request.pdf"]


def test_a_pdf_refused_by_its_check_has_a_stable_code_and_a_translated_reason(
        app: Flask, api_client: Callable[..., ApiClient]) -> None:
    api = api_client()
    draft = _draft(api)
    response = upload(api, draft, pdfs.javascript_open_action_pdf())
    assert response.status_code == 202, response.text
    run_jobs(app)
    refused = api.open("GET", response.headers["Location"], headers={"Accept-Language": "es"})
    body = refused.get_json()
    assert body["status"] == "refused" and body["reason_code"] == "javascript"
    assert "JavaScript" in body["reason"] and "PDF" in body["reason"]
    assert body["reason"] != api.open("GET", response.headers["Location"]).get_json()["reason"]


def test_a_file_that_is_no_pdf_is_refused_at_once_naming_the_file(
        app: Flask, api_client: Callable[..., ApiClient]) -> None:
    api = api_client()
    draft = _draft(api)
    response = upload(api, draft, pdfs.png_named_pdf())
    assert response.status_code == 422 and response.mimetype == PROBLEM
    body = response.get_json()
    assert body["type"] == TYPE + "invalid-upload" and body["reason"] == "not_pdf"
    assert body["errors"][0]["path"] == "file" and "not a PDF" in body["errors"][0]["detail"]
    assert api.open("GET", f"/api/v1/drafts/{draft}/attachments").get_json() == \
        {"attachments": []}
    # the refusal is recorded as on the page, though the call answered an error
    assert _count(app, AuditEvent, AuditEvent.action == "attachment.rejected") == 1


def test_bad_uploads_are_problems_with_their_field(
        app: Flask, api_client: Callable[..., ApiClient]) -> None:
    api = api_client()
    draft = _draft(api)
    path = f"/api/v1/drafts/{draft}/attachments"
    not_multipart = api.open("POST", path, json={"file": "x"})
    assert not_multipart.status_code == 415
    assert not_multipart.get_json()["type"] == TYPE + "not-multipart"
    no_file = api.open("POST", path, data={"document_kind": "request_letter", "language": "en"},
                       content_type="multipart/form-data")
    assert no_file.status_code == 422
    assert [e["path"] for e in no_file.get_json()["errors"]] == ["file"]
    wrong = upload(api, draft, pdfs.valid_pdf(), kind="letter", language="xx-nowhere")
    assert wrong.status_code == 422
    assert [e["path"] for e in wrong.get_json()["errors"]] == ["document_kind", "language"]
    assert wrong.get_json()["errors"][1]["detail"] == "Choose the language of the document."
    broken = api.open("POST", path, data=b"--nope\r\nContent-Disposition: form-data\r\n\r\n",
                      content_type="multipart/form-data; boundary=elsewhere")
    assert broken.status_code == 422 and broken.mimetype == PROBLEM
    _override(app, max_file_mb=1)
    too_large = upload(api, draft, pdfs.valid_pdf() + b"%" * (1024 * 1024 + 100 * 1024))
    assert too_large.status_code == 413 and too_large.mimetype == PROBLEM
    assert too_large.get_json()["errors"][0]["path"] == "file"
    assert "larger than 1 MB" in too_large.get_json()["detail"]
    just_over = upload(api, draft, pdfs.valid_pdf() + b"%" * (1024 * 1024))
    assert just_over.status_code == 413  # (past the file limit, within the form's margin)
    assert just_over.get_json()["errors"][0]["path"] == "file"
    assert _count(app, Attachment) == 0


def test_the_requests_total_and_the_checks_in_flight_are_the_pages(
        app: Flask, api_client: Callable[..., ApiClient]) -> None:
    api = api_client()
    draft = _draft(api)
    _override(app, max_checks_in_flight=1)
    assert upload(api, draft, pdfs.valid_pdf("one")).status_code == 202
    busy = upload(api, draft, pdfs.valid_pdf("two"))
    assert busy.status_code == 429 and busy.get_json()["reason"] == "too_many_checks"
    assert int(busy.headers["Retry-After"]) > 0
    run_jobs(app)
    assert upload(api, draft, pdfs.valid_pdf("two")).status_code == 202
    run_jobs(app)
    _override(app, max_request_mb=1, max_file_mb=1)
    overhead = len(padded_pdf("big", padding=1)) - 1
    big = padded_pdf("big", padding=1024 * 1024 - overhead - 100)
    assert 1024 * 1024 - 200 < len(big) <= 1024 * 1024  # within the file limit, over the total
    over = upload(api, draft, big)
    assert over.status_code == 422 and over.get_json()["reason"] == "request_too_large"


def test_a_token_sends_at_most_its_limit_of_uploads_at_once(
        app: Flask, api_client: Callable[..., ApiClient]) -> None:
    api = api_client()
    draft = _draft(api)
    _override(app, limits=replace(app.extensions["portal.settings"].limits,
                                  api_token_uploads=1))
    with app.extensions["portal.db"].session() as db:
        token_id = db.scalar(select(ApiToken.id).where(ApiToken.user_id == api.account_id))
    engine = app.extensions["portal.db"].engine
    key = f"api.uploads:{token_id}"
    held = slots.acquire(engine, key, 1)  # another upload of the token, running now
    assert held == 0
    refused = upload(api, draft, pdfs.valid_pdf())
    assert refused.status_code == 429 and refused.mimetype == PROBLEM
    assert refused.get_json()["type"] == TYPE + "too-many-uploads"
    assert refused.headers["Retry-After"] == "5"
    other = api_client()  # another token is not held up
    assert upload(other, _draft(other), pdfs.valid_pdf()).status_code == 202
    slots.release(engine, key, held)
    assert upload(api, draft, pdfs.valid_pdf()).status_code == 202
    assert upload(api, draft, pdfs.png_named_pdf()).status_code == 422
    assert _count(app, ConcurrencySlot) == 0  # every call gave its slot back


def test_remove_a_document(app: Flask, api_client: Callable[..., ApiClient]) -> None:
    api = api_client()
    draft = _draft(api)
    location = upload(api, draft, pdfs.valid_pdf()).headers["Location"]
    run_jobs(app)
    assert api.open("GET", location).get_json()["status"] == "accepted"
    removed = api.open("DELETE", location)
    assert removed.status_code == 204 and removed.data == b""
    assert api.open("GET", location).status_code == 404
    assert api.open("DELETE", location).status_code == 404
    assert api.open("GET", f"/api/v1/drafts/{draft}").get_json()["content"].get(
        "attachments", []) == []
