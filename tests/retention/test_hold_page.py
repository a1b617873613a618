"""The legal hold on the triage package page: an OIA manager sets and lifts it with a reason
(audited, shown as a badge on the page and in the queue); other roles are refused."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from tests.conftest import Accounts, csrf_token, login
from tests.retention.helpers import database, request_row, submitted


def test_a_manager_sets_and_lifts_a_hold(app: Flask, client: FlaskClient,
                                         accounts: Accounts) -> None:
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    manager = accounts.create(Role.TRIAGE, manager=True)
    public_id = submitted(app, submitter)
    login(client, manager)
    page = client.get(f"/triage/{public_id}")
    assert "No legal hold" in page.text and "Put under a legal hold" in page.text
    token = csrf_token(client, f"/triage/{public_id}")
    empty = client.post(f"/triage/{public_id}/hold", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 400 and "Give the reason for the legal hold." in empty.text
    with database(app).session() as db:
        assert not request_row(db, public_id).held
    done = client.post(f"/triage/{public_id}/hold",
                       data={"csrf_token": token, "reason": "Litigation notice 14."})
    assert done.status_code == 303
    page = client.get(f"/triage/{public_id}")
    assert "Litigation notice 14." in page.text and "Lift the legal hold" in page.text
    assert 'portal-tag--blocker">Legal hold<' in page.text
    queue = client.get("/triage")
    assert 'portal-tag--blocker">Legal hold<' in queue.text
    with database(app).session() as db:
        row = request_row(db, public_id)
        assert row.held and row.held_by == manager.public_id
    again = client.post(f"/triage/{public_id}/hold",  # a stale page: refused, explained
                        data={"csrf_token": token, "reason": "Twice."}, follow_redirects=True)
    assert "already changed" in again.text
    lifted = client.post(f"/triage/{public_id}/hold/lift",
                         data={"csrf_token": token, "reason": "Case settled."})
    assert lifted.status_code == 303
    with database(app).session() as db:
        row = request_row(db, public_id)
        assert not row.held and row.hold_reason is None
        audit = [(a.action, json.loads(a.details)["reason"]) for a in db.scalars(
            select(AuditEvent).where(AuditEvent.action.like("retention.hold%"))
            .order_by(AuditEvent.id))]
    assert audit == [("retention.hold_set", "Litigation notice 14."),
                     ("retention.hold_lifted", "Case settled.")]
    assert 'portal-tag--blocker">Legal hold<' not in client.get("/triage").text


def test_other_roles_cannot_set_a_hold(app: Flask, accounts: Accounts) -> None:
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    public_id = submitted(app, submitter)
    for role in (Role.TRIAGE, Role.ADMIN, Role.TRAINER, Role.SUBMITTER):
        account = submitter if role is Role.SUBMITTER else accounts.create(role)
        client = app.test_client()
        login(client, account)
        token = csrf_token(client, "/")
        for path in (f"/triage/{public_id}/hold", f"/triage/{public_id}/hold/lift"):
            response = client.post(path, data={"csrf_token": token, "reason": "Mine."})
            assert response.status_code == 403, (role, path)
        if role is Role.TRIAGE:  # an attorney sees no hold form
            assert "Put under a legal hold" not in client.get(f"/triage/{public_id}").text
    with database(app).session() as db:
        assert not request_row(db, public_id).held
