"""Attachments through the wizard's pages: limits shown before upload, hostile files refused
with their reason and nothing else lost, the contract's attachment list kept in step,
downloads as attachments only, other authorities refused."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import Role
from portal.attachments.inspect import check_bytes
from tests.attachments import pdfs
from tests.conftest import Account, Accounts, login, run_jobs
from tests.requests.test_wizard import _content, _import, _token


def _upload(client: FlaskClient, public_id: str, data: bytes, name: str = "letter.pdf",
            kind: str = "request_letter"):  # type: ignore[no-untyped-def]
    page = client.get(f"/requests/{public_id}/procedures")
    return client.post(f"/requests/{public_id}/attachments", data={
        "csrf_token": _token(page.text), "document_kind": kind, "language": "en",
        "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_limits_are_shown_before_upload(app: Flask, client: FlaskClient,
                                        submitter: Account) -> None:
    public_id = _import(app, submitter, "05-stored-content-good-de.json", documents=False)
    page = client.get(f"/requests/{public_id}/procedures")
    assert "At most 25\u00a0MB per file." in page.text
    assert "At most 100\u00a0MB for all documents" in page.text
    assert 'enctype="multipart/form-data"' in page.text


def test_upload_list_download_remove(app: Flask, client: FlaskClient,
                                     submitter: Account) -> None:
    public_id = _import(app, submitter, "05-stored-content-good-de.json", documents=False)
    data = pdfs.valid_pdf("Ersuchen")
    response = _upload(client, public_id, data, "Ersuchen – Staatsanwaltschaft.pdf")
    assert response.status_code == 302, response.text[:2000]
    page = client.get(f"/requests/{public_id}/procedures")
    assert "Ersuchen – Staatsanwaltschaft.pdf" in page.text
    assert "1 document is being checked." in page.text
    refresh = re.search(r'href="([^"]+)" data-checks-refresh', page.text)
    assert refresh and refresh.group(1) == f"/requests/{public_id}/procedures#attachments"
    checking = re.search(r'data-attachment="([^"]+)" data-check-state="checking"', page.text)
    assert checking, "the file is listed as being checked"
    assert client.get(f"/requests/{public_id}/attachments/{checking.group(1)}"
                      ).status_code == 404  # not served before its check
    states = client.get(f"/requests/{public_id}/attachments/checks")
    assert states.json == {"attachments": [{"id": checking.group(1), "state": "checking"}]}
    assert states.headers["Cache-Control"] == "no-store"
    assert _content(app, public_id).attachments == ()
    run_jobs(app)
    states = client.get(f"/requests/{public_id}/attachments/checks")
    assert states.json == {"attachments": [{"id": checking.group(1), "state": "accepted",
                                            "pages": "1"}]}
    page = client.get(f"/requests/{public_id}/procedures")
    assert "being checked" not in page.text
    attachments = _content(app, public_id).attachments
    assert len(attachments) == 1 and attachments[0].document_kind == "request_letter"
    import hashlib

    assert attachments[0].sha256 == hashlib.sha256(data).hexdigest()
    link = re.search(rf'href="(/requests/{public_id}/attachments/[^"/]+)"', page.text)
    assert link
    download = client.get(link.group(1))
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    remove = re.search(r'action="([^"]+/remove)"', page.text)
    assert remove
    response = client.post(remove.group(1), data={"csrf_token": _token(page.text)})
    assert response.status_code == 302
    assert _content(app, public_id).attachments == ()


@pytest.mark.parametrize(("builder", "reason"), [
    (pdfs.encrypted_pdf, "encrypted or protected by a password"),
    (pdfs.javascript_open_action_pdf, "contains JavaScript"),
    (pdfs.embedded_file_pdf, "embedded files"),
    (pdfs.png_named_pdf, "not a PDF document"),
    (pdfs.truncated_pdf, "damaged or incomplete"),
    (pdfs.launch_action_pdf, "starts a program"),
])
def test_hostile_files_are_refused_with_their_reason(app: Flask, client: FlaskClient,
                                                     submitter: Account, builder, reason: str
                                                     ) -> None:  # type: ignore[no-untyped-def]
    public_id = _import(app, submitter, "05-stored-content-good-de.json", documents=False)
    before = _content(app, public_id)
    data = builder()
    response = _upload(client, public_id, data)
    if check_bytes(data) is not None:  # not a PDF at all: refused by the upload itself
        assert response.status_code == 400
        assert reason in response.text
        assert "The document was not attached" in response.text
    else:  # refused by its check, in the list with its reason until removed
        assert response.status_code == 302
        run_jobs(app)
        page = client.get(f"/requests/{public_id}/procedures")
        assert reason in page.text and 'data-check-state="refused"' in page.text
        assert "1 document was refused" in page.text
        states = client.get(f"/requests/{public_id}/attachments/checks").json
        assert states["attachments"][0]["state"] == "refused"
        assert reason in states["attachments"][0]["message"]
        review = client.get(f"/requests/{public_id}/review")
        assert "The request cannot be submitted yet." in review.text
        remove = re.search(r'action="([^"]+/remove)"', page.text)
        assert remove
        client.post(remove.group(1), data={"csrf_token": _token(page.text)})
        assert "data-attachment=" not in client.get(f"/requests/{public_id}/procedures").text
    assert _content(app, public_id) == before  # nothing else lost or changed


def test_file_over_the_limit_is_explained_not_reset(app: Flask, client: FlaskClient,
                                                    submitter: Account) -> None:
    app.extensions["portal.settings"] = app.extensions["portal.settings"].with_overrides(
        max_file_mb=1)
    public_id = _import(app, submitter, "05-stored-content-good-de.json", documents=False)
    response = _upload(client, public_id, b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert "larger than 1 MB" in response.text
    assert '<html lang="en"' in response.text


def test_a_body_over_the_whole_request_limit_gets_the_translated_page(
        app: Flask, client: FlaskClient, submitter: Account) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    page = client.get("/requests/import")
    response = client.post("/requests/import", data={
        "csrf_token": _token(page.text),
        "file": (io.BytesIO(b"{" + b" " * (2 * 1024 * 1024) + b"}"), "big.json")},
        content_type="multipart/form-data")
    assert response.status_code == 413
    assert "The file is too large" in response.text


def test_other_authority_cannot_download_or_remove(app: Flask, client: FlaskClient,
                                                   accounts: Accounts,
                                                   submitter: Account) -> None:
    public_id = _import(app, submitter, "05-stored-content-good-de.json", documents=False)
    _upload(client, public_id, pdfs.valid_pdf())
    run_jobs(app)
    page = client.get(f"/requests/{public_id}/procedures")
    link = re.search(rf'href="(/requests/{public_id}/attachments/[^"/]+)"', page.text)
    assert link
    stranger = client.application.test_client()
    login(stranger, accounts.create(Role.SUBMITTER, country="FR"))
    assert stranger.get(link.group(1)).status_code == 404
    assert stranger.get(f"/requests/{public_id}/attachments/checks").status_code == 404
    token = _token(stranger.get("/requests").text)
    assert stranger.post(link.group(1) + "/remove",
                         data={"csrf_token": token}).status_code == 404
    assert len(_content(app, public_id).attachments) == 1
