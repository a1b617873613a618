"""Documents after submission through the pages: OIA asks on the package page; the requester
uploads on the request page (checked by the worker) and sends with a message; OIA sees version
1.1 with the document added, downloads its package and accepts. CSRF and access checked."""

from __future__ import annotations

import io
import re
import zipfile

from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from tests.asks.conftest import Case
from tests.attachments.pdfs import javascript_open_action_pdf
from tests.conftest import Accounts, login, run_jobs
from tests.packages import helpers

TRANSLATION = helpers.pdf("certified translation", pages=2)


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def _clients(case: Case) -> tuple[FlaskClient, FlaskClient]:
    staff, requester = case.app.test_client(), case.app.test_client()
    login(staff, case.staff)
    login(requester, case.submitter)
    return staff, requester


def test_ask_upload_send_and_accept_through_the_pages(case: Case, accounts: Accounts) -> None:
    staff, requester = _clients(case)
    page = staff.get(f"/triage/{case.public_id}")
    assert page.status_code == 200 and "Ask for documents" in page.text
    url = f"/triage/{case.public_id}/documents/ask"
    assert staff.post(url, data={"body": "no token"}).status_code == 400  # CSRF
    token = _token(page.text)
    response = staff.post(url, data={"csrf_token": token, "body": ""})
    assert response.status_code == 400 and "Say which documents are needed." in response.text
    response = staff.post(url, data={"csrf_token": token, "kinds": ["translation"],
                                     "body": "Bitte die beglaubigte Übersetzung schicken."})
    assert response.status_code == 303
    page = staff.get(f"/triage/{case.public_id}")
    assert "the requesting authority has not sent them yet" in page.text
    assert f'action="/triage/{case.public_id}/documents/ask"' not in page.text
    # a submitter cannot ask, and another authority sees nothing
    assert requester.post(url, data={"csrf_token": token, "body": "x"}).status_code in (403, 404)
    stranger = case.app.test_client()
    login(stranger, accounts.create(Role.SUBMITTER, country="FR"))
    assert stranger.get(f"/requests/{case.public_id}").status_code == 404

    overview = requester.get(f"/requests/{case.public_id}")
    assert "Documents asked for by OIA" in overview.text
    assert "Bitte die beglaubigte Übersetzung schicken." in overview.text
    rtoken = _token(overview.text)
    response = requester.post(f"/requests/{case.public_id}/asked-documents", data={
        "csrf_token": rtoken, "document_kind": "translation", "language": "en",
        "file": (io.BytesIO(TRANSLATION), "Übersetzung.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 303, response.text[:2000]
    overview = requester.get(f"/requests/{case.public_id}")
    assert "Being checked" in overview.text and "Übersetzung.pdf" in overview.text
    send = f"/requests/{case.public_id}/asked-documents/send"
    response = requester.post(send, data={"csrf_token": rtoken, "answer": "Anbei."})
    assert response.status_code == 400
    assert "Wait until every file has been checked" in response.text
    file_id = re.search(r'data-attachment="([^"]+)"', overview.text)
    assert file_id
    # OIA cannot open a file that is part of no version yet
    assert staff.get(f"/triage/{case.public_id}/attachments/{file_id.group(1)}"
                     ).status_code == 404
    run_jobs(case.app)  # the worker checks the upload
    states = requester.get(f"/requests/{case.public_id}/attachments/checks").get_json()
    assert {"id": file_id.group(1), "state": "accepted", "pages": "2"} in states["attachments"]
    response = requester.post(send, data={"csrf_token": rtoken, "answer": "Anbei die Übersetzung."})
    assert response.status_code == 303
    run_jobs(case.app)  # the worker builds the package of version 1.1
    overview = requester.get(f"/requests/{case.public_id}")
    assert "Documents asked for by OIA" not in overview.text
    assert "Anbei die Übersetzung." in overview.text
    assert f"/requests/{case.public_id}/versions/1.1" in overview.text
    version = requester.get(f"/requests/{case.public_id}/versions/1.1")
    assert version.status_code == 200 and "Submitted request, version 1.1" in version.text
    assert requester.get(f"/requests/{case.public_id}/versions/1").status_code == 200

    page = staff.get(f"/triage/{case.public_id}")
    assert "Documents added in version 1.1" in page.text
    assert "Changes from version 1 to version 1.1" in page.text
    assert f"/triage/{case.public_id}/attachments/{file_id.group(1)}" in page.text
    assert staff.get(f"/triage/{case.public_id}/attachments/{file_id.group(1)}"
                     ).data == TRANSLATION
    assert "Ask for documents" in page.text  # a new ask is possible again
    assert staff.get(f"/triage/{case.public_id}?v=1.1").status_code == 200
    archive = staff.get(f"/triage/packages/{case.public_id}/download.zip?version=1&minor=1")
    assert archive.status_code == 200
    assert f"{case.reference}-v1.1.zip" in archive.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(archive.data)) as bag:
        assert f"{case.reference}-v1.1/bagit.txt" in bag.namelist()
    first = staff.get(f"/triage/packages/{case.public_id}/download.zip?version=1")
    assert f"{case.reference}-v1.zip" in first.headers["Content-Disposition"]
    for action in ("open", "accept"):
        response = staff.post(f"/triage/{case.public_id}/action/{action}",
                              data={"csrf_token": token, "note": ""})
        assert response.status_code == 303
    assert "Accepted by OIA" in staff.get(f"/triage/{case.public_id}").text
    with case.database.session() as db:
        actions = set(db.scalars(select(AuditEvent.action)))
    assert {"request.documents_asked", "attachment.added", "attachment.accepted",
            "request.documents_added", "triage.accept", "attachment.downloaded"} <= actions


def test_a_refused_file_is_shown_and_removed_before_sending(case: Case) -> None:
    staff, requester = _clients(case)
    token = _token(staff.get(f"/triage/{case.public_id}").text)
    assert staff.post(f"/triage/{case.public_id}/documents/ask",
                      data={"csrf_token": token, "body": "Send the order."}).status_code == 303
    rtoken = _token(requester.get(f"/requests/{case.public_id}").text)
    bad = javascript_open_action_pdf()  # stored, then refused by the worker's check
    response = requester.post(f"/requests/{case.public_id}/asked-documents", data={
        "csrf_token": rtoken, "document_kind": "court_order", "language": "en",
        "file": (io.BytesIO(bad), "order.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 303
    run_jobs(case.app)
    overview = requester.get(f"/requests/{case.public_id}")
    match = re.search(r'data-attachment="([^"]+)" data-check-state="refused"', overview.text)
    assert match and "usa-error-message" in overview.text
    response = requester.post(f"/requests/{case.public_id}/asked-documents/send",
                              data={"csrf_token": rtoken, "answer": "x"})
    assert response.status_code == 400
    assert "A file was refused: remove it before sending." in response.text
    response = requester.post(
        f"/requests/{case.public_id}/asked-documents/{match.group(1)}/remove",
        data={"csrf_token": rtoken})
    assert response.status_code == 303
    overview = requester.get(f"/requests/{case.public_id}")
    assert "data-attachment=" not in overview.text
    response = requester.post(f"/requests/{case.public_id}/asked-documents/send",
                              data={"csrf_token": rtoken, "answer": "Nothing yet."})
    assert response.status_code == 400
    assert "Attach at least one PDF file before sending." in response.text
