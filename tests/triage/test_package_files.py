"""The triage package view lists the attachments (audited downloads, never inline) and each
version's package with its hand-off state."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.attachments import service
from portal.audit.models import AuditEvent
from portal.requests import submission
from portal.requests.models import MlaRequest
from portal.web.requests.attachment_views import sync_contract
from tests.attachments import pdfs
from tests.conftest import Accounts, login
from tests.requests.test_wizard import _db, _import


def test_triage_downloads_attachments_and_sees_the_package(app: Flask, client: FlaskClient,
                                                           accounts: Accounts) -> None:
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    public_id = _import(app, submitter, "05-stored-content-good-de.json", documents=False)
    settings = app.extensions["portal.settings"]
    letter = pdfs.valid_pdf("Signed letter")
    with app.test_request_context("/"):
        from flask import g

        with _db(app).session() as db:
            g.db, g.user = db, db.get(User, submitter.id)
            row = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
            assert row is not None and g.user is not None
            added = service.add_attachment(db, settings, g.user, row, "Ersuchen.pdf",
                                           "request_letter", letter, language="en",
                                           check_now=True)
            assert not isinstance(added, service.Rejection)
            sync_contract(row)
    with _db(app).session() as db:
        user = db.get(User, submitter.id)
        row = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert user is not None and row is not None
        submission.submit(db, settings, user, row, expected_revision=row.revision, locale="en")
    officer = accounts.create(Role.TRIAGE)
    login(client, officer)
    page = client.get(f"/triage/{public_id}")
    assert page.status_code == 200
    link = re.search(rf'href="(/triage/{public_id}/attachments/[^"]+)"', page.text)
    assert link and "Ersuchen.pdf" in page.text
    response = client.get(link.group(1))
    assert response.status_code == 200 and response.data == letter
    assert response.headers["Content-Disposition"].startswith("attachment;")
    with _db(app).session() as db:
        actions = db.scalars(select(AuditEvent.action)
                             .where(AuditEvent.actor_id == officer.id)).all()
        assert "attachment.downloaded" in actions
    assert "Package (zip)" in page.text or "Being built" in page.text
    stranger = client.application.test_client()
    login(stranger, accounts.create(Role.SUBMITTER, country="FR"))
    assert stranger.get(link.group(1)).status_code == 403
