"""Complete means complete, through the pages (issue #18): a new draft shows no finding before
the user has answered; the check page refuses to go on with an unanswered warning; documents
carry their language, and a letter not in English needs its English translation; blank
entries are not stored; the submitter's home page leads to the work."""

from __future__ import annotations

import io
import re
from email import message_from_bytes, policy
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from portal.accounts.models import User
from portal.mail.outbox import deliver_pending
from portal.requests import submission
from portal.requests.models import MlaRequest, RequestVersion, Status
from portal.requests.submission import allocate_reference
from tests.attachments import pdfs
from tests.conftest import Account, run_jobs
from tests.requests.test_wizard import _content, _db, _import, _post_section, _token


def _new_draft(client: FlaskClient) -> str:
    home = client.get("/")
    assert 'action="/requests/new"' in home.text  # the home page starts a request
    response = client.post("/requests/new", data={"csrf_token": _token(home.text)})
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_home_page_leads_to_new_and_latest_drafts(client: FlaskClient,
                                                  submitter: Account) -> None:
    home = client.get("/")
    assert 'href="/requests"' in home.text  # My requests, in the page and the menu
    assert "Start a new request" in home.text
    public_id = _new_draft(client)
    home = client.get("/")
    assert f'href="/requests/{public_id}"' in home.text  # "Continue a draft"


def test_a_new_draft_shows_no_finding_before_a_save(client: FlaskClient,
                                                    submitter: Account) -> None:
    public_id = _new_draft(client)
    overview = client.get(f"/requests/{public_id}")
    assert "portal-tag--blocker" not in overview.text
    for slug in ("authority", "offences", "procedures"):
        page = client.get(f"/requests/{public_id}/{slug}")
        assert "portal-finding" not in page.text, slug
    # the check page always shows them all, and sends the user to the field with them
    check = client.get(f"/requests/{public_id}/check")
    assert "GEN-LETTER" in check.text and "GEN-REQUIRED" in check.text
    assert f"/requests/{public_id}/offences?check=1#f-offences" in check.text
    assert "portal-finding" in client.get(f"/requests/{public_id}/offences?check=1").text
    # once saved, a section shows its findings
    assert _post_section(client, f"/requests/{public_id}/offences").status_code == 302
    assert "GEN-OFFENCE" in client.get(f"/requests/{public_id}/offences").text


def test_the_check_page_refuses_unanswered_warnings(app: Flask, client: FlaskClient,
                                                    submitter: Account) -> None:
    public_id = _import(app, submitter, "22-subscriber-info-good-tr.json")
    page = client.get(f"/requests/{public_id}/check")
    warnings = re.findall(r'name="ack-([^"]+)"', page.text)
    assert warnings
    response = client.post(f"/requests/{public_id}/check",
                           data={"csrf_token": _token(page.text)})
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "Tick the box and write why you submit despite this warning." in response.text
    assert 'href="#ack-1"' in response.text
    assert "were saved" not in response.text


def test_a_letter_not_in_english_needs_its_translation(app: Flask, client: FlaskClient,
                                                       submitter: Account) -> None:
    public_id = _import(app, submitter, "05-stored-content-good-de.json", documents=False)

    def upload(name: str, kind: str, language: str) -> None:
        page = client.get(f"/requests/{public_id}/procedures")
        response = client.post(f"/requests/{public_id}/attachments", data={
            "csrf_token": _token(page.text), "document_kind": kind, "language": language,
            "file": (io.BytesIO(pdfs.valid_pdf(name)), name)},
            content_type="multipart/form-data")
        assert response.status_code == 302, response.text[:500]
        run_jobs(app)  # (the worker checks it)

    page = client.get(f"/requests/{public_id}/procedures")
    assert "Missing" in page.text and "Language of the document" in page.text
    # the language is required
    response = client.post(f"/requests/{public_id}/attachments", data={
        "csrf_token": _token(page.text), "document_kind": "request_letter", "language": "",
        "file": (io.BytesIO(pdfs.valid_pdf("x")), "x.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose the language of the document." in response.text
    upload("Ersuchen.pdf", "request_letter", "de")
    check = client.get(f"/requests/{public_id}/check").text  # (the accepted file listed)
    assert [(a.document_kind, a.language) for a in _content(app, public_id).attachments] == [
        ("request_letter", "de")]
    assert "GEN-LETTER-ENGLISH" in check and "GEN-LETTER<" not in check
    upload("Request.pdf", "translation", "en")
    check = client.get(f"/requests/{public_id}/check").text
    assert "GEN-LETTER-ENGLISH" not in check


def test_a_blank_case_reference_is_not_stored(app: Flask, client: FlaskClient,
                                              submitter: Account) -> None:
    public_id = _import(app, submitter, "05-stored-content-good-de.json")
    url = f"/requests/{public_id}/authority"
    before = _content(app, public_id).requesting_authority.case_references
    assert _post_section(client, url, op="add:requesting_authority.case_references"
                         ).status_code == 302
    assert len(_content(app, public_id).requesting_authority.case_references) == \
        len(before) + 1  # the new, blank entry is on the page to be filled in
    assert _post_section(client, url).status_code == 302  # saved without filling it in
    assert _content(app, public_id).requesting_authority.case_references == before
    with _db(app).session() as db:
        row = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert row is not None and '"  "' not in row.draft_json


def test_practice_requests_have_their_own_series(app: Flask, submitter: Account) -> None:
    with _db(app).session() as db:
        year = 2031
        assert allocate_reference(db, year) == f"MLA-{year}-000001"
        assert allocate_reference(db, year, "PRACTICE") == f"PRACTICE-{year}-000001"
        assert allocate_reference(db, year, "PRACTICE") == f"PRACTICE-{year}-000002"
        assert allocate_reference(db, year) == f"MLA-{year}-000002"  # no gap from practice
    public_id = _import(app, submitter, "05-stored-content-good-de.json")
    with _db(app).session() as db:
        row = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        user = db.get(User, submitter.id)
        assert row is not None and user is not None
        row.training = True
        db.flush()
        done = submission.submit(db, app.extensions["portal.settings"], user, row,
                                 expected_revision=row.revision, locale="en")
    assert done.reference.startswith("PRACTICE-")
    deliver_pending(_db(app).session, app.extensions["portal.settings"])
    outbox = Path(app.extensions["portal.settings"].data_dir) / "outbox"
    mails = [message_from_bytes(p.read_bytes(), policy=policy.default)
             for p in outbox.glob("*.eml")]
    mine = [m for m in mails if done.reference in str(m["Subject"])]
    assert len(mine) == 1
    body = mine[0].get_body().get_content()  # type: ignore[union-attr]
    assert "not sent to OIA" in str(mine[0]["Subject"])
    assert "Nothing was sent" in body and "submitted to the U.S." not in body


def test_the_submitted_request_can_be_read_and_printed(app: Flask, client: FlaskClient,
                                                       submitter: Account) -> None:
    from tests.requests.test_wizard import _submit

    public_id = _submit(app, submitter, "05-stored-content-good-de.json")
    overview = client.get(f"/requests/{public_id}").text
    assert f"/requests/{public_id}/versions/1" in overview
    review = client.get(f"/requests/{public_id}/review")
    assert review.status_code == 302
    assert review.headers["Location"].endswith(f"/requests/{public_id}/versions/1")
    page = client.get(f"/requests/{public_id}/versions/1")
    assert page.status_code == 200
    assert "Submitted request, version 1" in page.text
    assert "Check your answers" not in page.text
    assert "Findings at submission" in page.text and "ELEC-SUBSCRIBER" not in page.text
    content = _content(app, public_id)
    assert content.facts.summary.text[:40] in page.text.replace("&#39;", "'")
    assert client.get(f"/requests/{public_id}/versions/2").status_code == 404
    assert client.get(f"/requests/{public_id}/versions/99999999999999999999").status_code == 404
    pdf = client.get(f"/requests/{public_id}/versions/1.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Submitted request, version 1" in text
    with _db(app).session() as db:
        row = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert row is not None and row.reference and row.reference in text


def test_submission_waits_for_every_check(app: Flask, client: FlaskClient,
                                         submitter: Account) -> None:
    public_id = _import(app, submitter, "22-subscriber-info-good-tr.json")
    page = client.get(f"/requests/{public_id}/check")
    token = _token(page.text)
    data = {"csrf_token": token}
    for key in re.findall(r'name="ack-([^"]+)"', page.text):
        data[f"ack-{key}"] = "y"
        data[f"why-{key}"] = "The conduct is a true threat, not protected speech."
    assert client.post(f"/requests/{public_id}/check", data=data).status_code == 302
    response = client.post(f"/requests/{public_id}/attachments", data={
        "csrf_token": token, "document_kind": "court_order", "language": "en",
        "file": (io.BytesIO(pdfs.valid_pdf("Order")), "Order.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    review = client.get(f"/requests/{public_id}/review")
    assert "The request cannot be submitted yet." in review.text
    assert "Continue to the review" not in client.get(f"/requests/{public_id}/check").text
    assert "Cannot submit yet" in client.get(f"/requests/{public_id}").text
    revision = re.search(r'name="revision" value="(\d+)"', review.text)
    assert revision is None  # no submit button
    response = client.post(f"/requests/{public_id}/submit",
                           data={"csrf_token": token, "revision": "0"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/check")
    flashed = client.get(response.headers["Location"]).text
    assert "a document is still being checked or was refused" in flashed
    run_jobs(app)
    review = client.get(f"/requests/{public_id}/review")
    revision = re.search(r'name="revision" value="(\d+)"', review.text)
    assert revision, "the review offers the submission once the check ended"
    response = client.post(f"/requests/{public_id}/submit",
                           data={"csrf_token": token, "revision": revision.group(1)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/submitted")
    with _db(app).session() as db:
        row = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert row is not None and row.status == Status.SUBMITTED.value
        version = db.scalar(select(RequestVersion).where(RequestVersion.request_id == row.id))
        assert version is not None and "Order.pdf" in version.content_json
