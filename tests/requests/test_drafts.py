"""Drafts: ownership by the authority, object-level access per role, optimistic saves,
export and import through the request contract."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.audit.models import AuditEvent
from portal.contract.model import Request
from portal.db import Database
from portal.requests import drafts
from portal.requests.models import MlaRequest, RequestEvent, Status
from tests.conftest import Account, Accounts


def _db(app: Flask) -> Database:
    return app.extensions["portal.db"]  # type: ignore[no-any-return]


def _user(db: object, account: Account) -> User:
    user = db.get(User, account.id)  # type: ignore[attr-defined]
    assert user is not None
    return user


def _facts(text: str) -> Request:
    return Request.from_dict({"facts": {"summary": {"text": text}}})


def test_colleague_opens_and_edits_draft_of_same_authority(app: Flask,
                                                           accounts: Accounts) -> None:
    author = accounts.create(Role.SUBMITTER, country="ES")
    colleague = accounts.create(Role.SUBMITTER, country="ES")
    with _db(app).session() as db:
        request = drafts.create_draft(db, _user(db, author), _facts("first"))
        public_id = request.public_id
    with _db(app).session() as db:
        request = drafts.get_request(db, _user(db, colleague), public_id)
        revision = drafts.save_draft(db, _user(db, colleague), request, _facts("second"),
                                     request.revision, section="facts")
        assert revision == 2
    with _db(app).session() as db:
        request = drafts.get_request(db, _user(db, author), public_id)
        assert drafts.content_of(request).facts.summary.text == "second"
        assert request.updated_by_id == colleague.id
        actions = db.scalars(select(AuditEvent.action)
                             .where(AuditEvent.object_id == public_id)).all()
        assert actions == ["request.created", "request.viewed", "request.saved",
                           "request.viewed"]
        kinds = db.scalars(select(RequestEvent.kind)).all()
        assert kinds == ["created"]


@pytest.mark.parametrize("role", [Role.TRIAGE, Role.TRAINER, Role.ADMIN])
def test_other_roles_never_see_a_draft(app: Flask, accounts: Accounts, role: Role) -> None:
    author = accounts.create(Role.SUBMITTER, country="ES")
    other = accounts.create(role)
    with _db(app).session() as db:
        public_id = drafts.create_draft(db, _user(db, author)).public_id
    with _db(app).session() as db, pytest.raises(drafts.NotFound):
        drafts.get_request(db, _user(db, other), public_id)


def test_other_authority_cannot_learn_of_a_request(app: Flask, accounts: Accounts) -> None:
    author = accounts.create(Role.SUBMITTER, country="ES")
    stranger = accounts.create(Role.SUBMITTER, country="FR")
    with _db(app).session() as db:
        public_id = drafts.create_draft(db, _user(db, author)).public_id
    with _db(app).session() as db:
        with pytest.raises(drafts.NotFound):
            drafts.get_request(db, _user(db, stranger), public_id)
        with pytest.raises(drafts.NotFound):
            drafts.get_request(db, _user(db, stranger), "does-not-exist")
        assert db.scalars(drafts.visible_requests(_user(db, stranger))).all() == []


def test_triage_sees_submitted_but_not_training_requests(app: Flask,
                                                         accounts: Accounts) -> None:
    author = accounts.create(Role.SUBMITTER)
    triage = accounts.create(Role.TRIAGE)
    with _db(app).session() as db:
        real = drafts.create_draft(db, _user(db, author))
        practice = drafts.create_draft(db, _user(db, author), training=True)
        real.status = practice.status = Status.SUBMITTED.value
        ids = (real.public_id, practice.public_id)
    with _db(app).session() as db:
        seen = db.scalars(drafts.visible_requests(_user(db, triage))).all()
        assert [r.public_id for r in seen] == [ids[0]]


def test_second_save_on_a_stale_revision_is_refused(app: Flask, accounts: Accounts) -> None:
    first = accounts.create(Role.SUBMITTER)
    second = accounts.create(Role.SUBMITTER)
    with _db(app).session() as db:
        public_id = drafts.create_draft(db, _user(db, first)).public_id
    with _db(app).session() as db:
        loaded_by_second = drafts.get_request(db, _user(db, second), public_id).revision
    with _db(app).session() as db:
        request = drafts.get_request(db, _user(db, first), public_id)
        drafts.save_draft(db, _user(db, first), request, _facts("by first"), request.revision)
    with _db(app).sessionmaker() as db:
        request = drafts.get_request(db, _user(db, second), public_id)
        with pytest.raises(drafts.DraftConflict) as conflict:
            drafts.save_draft(db, _user(db, second), request, _facts("by second"),
                              loaded_by_second)
        assert conflict.value.current_revision == 2
        assert conflict.value.updated_by.startswith("Test Submitter")
    with _db(app).session() as db:
        stored = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert stored is not None
        assert drafts.content_of(stored).facts.summary.text == "by first"


def test_submitted_request_is_not_editable(app: Flask, accounts: Accounts) -> None:
    author = accounts.create(Role.SUBMITTER)
    with _db(app).session() as db:
        request = drafts.create_draft(db, _user(db, author))
        request.status = Status.SUBMITTED.value
        db.flush()
        with pytest.raises(drafts.NotEditable):
            drafts.save_draft(db, _user(db, author), request, _facts("x"), request.revision)


def test_only_submitters_create_requests(app: Flask, accounts: Accounts) -> None:
    triage = accounts.create(Role.TRIAGE)
    with _db(app).session() as db, pytest.raises(PermissionError):
        drafts.create_draft(db, _user(db, triage))


def test_export_then_import_gives_the_same_content(app: Flask, accounts: Accounts) -> None:
    author = accounts.create(Role.SUBMITTER)
    content = Request.from_dict({
        "requesting_authority": {"name": "Fiscalía", "country": "ES",
                                 "case_references": ["DP 123/2026"]},
        "facts": {"summary": {"text": "Hechos con acentos y ñ", "english": "Facts"}},
    })
    with _db(app).session() as db:
        exported = drafts.export_json(drafts.create_draft(db, _user(db, author), content))
        imported, errors = drafts.import_json(db, _user(db, author), exported)
        assert errors == []
        assert imported is not None
        assert drafts.content_of(imported) == content
    assert "ñ" in exported  # UTF-8, not escaped


def test_import_of_invalid_json_reports_precise_errors(app: Flask, accounts: Accounts) -> None:
    author = accounts.create(Role.SUBMITTER)
    with _db(app).session() as db:
        request, errors = drafts.import_json(db, _user(db, author), '{"facts": ')
        assert request is None and len(errors) == 1
        assert "line 1" in errors[0].message
        bad = json.dumps({"assistance": [{"type": "stored_content", "nexus": 5}]})
        request, errors = drafts.import_json(db, _user(db, author), bad)
        assert request is None
        assert any(error.path.startswith("assistance[0]") for error in errors)
        assert db.scalars(select(MlaRequest)).all() == []
