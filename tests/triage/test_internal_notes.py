"""OIA's two kinds of text on an action (issue #18): the message to the requester reaches
their timeline as written; the internal note never reaches any page, e-mail or PDF of the
submitter."""

from __future__ import annotations

import io
import re
from email import message_from_bytes, policy
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.mail.outbox import deliver_pending
from portal.requests.models import MlaRequest
from portal.triage import operations
from tests.conftest import Accounts, login, run_jobs
from tests.requests.test_wizard import _submit

SECRET = "SECRET-OIA-NOTE-7731"
MESSAGE = "Your request is accepted; the evidence will follow."


def test_internal_notes_never_reach_the_submitter(app: Flask, client: FlaskClient,
                                                  accounts: Accounts) -> None:
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    officer = accounts.create(Role.TRIAGE)
    public_id = _submit(app, submitter, "05-stored-content-good-de.json")
    settings = app.extensions["portal.settings"]
    database = app.extensions["portal.db"]
    with database.session() as db:
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        user = db.get(User, officer.id)
        assert request is not None and user is not None
        operations.open_request(db, settings, user, request, note=f"{SECRET} opened")
        operations.accept(db, settings, user, request, note=f"{SECRET} accepted",
                          message=MESSAGE)
        operations.assign(db, settings, user, request, user, note=f"{SECRET} assigned")
        operations.start_execution(db, settings, user, request, note=f"{SECRET} executed")
        operations.complete(db, settings, user, request, note=f"{SECRET} completed")
        reference = request.reference
    deliver_pending(database.session, settings)

    login(client, submitter)
    pages = [client.get(f"/requests/{public_id}").text, client.get("/requests").text,
             client.get("/").text]
    assert MESSAGE in pages[0]
    for page in pages:
        assert SECRET not in page
    receipt = client.get(f"/requests/{public_id}/receipt.pdf")
    assert receipt.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.data)).pages)
    assert reference and reference in text and SECRET not in text
    assert run_jobs(app).kinds.get("mail.deliver")  # a worker delivers the e-mail
    outbox = Path(settings.data_dir) / "outbox"
    for path in outbox.glob("*.eml"):
        mail = message_from_bytes(path.read_bytes(), policy=policy.default)
        body = mail.get_body().get_content()  # type: ignore[union-attr]
        assert SECRET not in body and SECRET not in str(mail["Subject"])

    # OIA sees its notes on the package page
    staff = app.test_client()
    login(staff, officer)
    package = staff.get(f"/triage/{public_id}").text
    assert len(re.findall(SECRET, package)) >= 2
