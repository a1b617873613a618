"""The reference data in force is a database version (issue #25): version 1 is the package's
files; a check after a change uses the new version and the submitted version records it; a
request submitted before keeps the version it was judged with, and its findings are
re-evaluated with that version."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import Role, User
from portal.config import Settings
from portal.reference import load_reference, store
from portal.reference.ambient import using
from portal.reference.loading import read_documents
from portal.reference.models import ReferenceVersion
from portal.requests import checks, drafts, submission
from portal.requests.models import MlaRequest, RequestVersion
from portal.rules.refdata import load_default_reference
from tests.conftest import Accounts
from tests.packages.helpers import import_with_documents
from tests.requests.test_submission_gate import TODAY

SPAIN = Path(__file__).resolve().parents[2] / "examples" / "requests" / \
    "01-subscriber-info-good-es.json"


def test_version_1_is_the_files(app: Flask) -> None:
    with app.extensions["portal.db"].session() as db:
        first = store.ensure_seeded(db)  # on SQLite: the row migration 0021 wrote
        assert first.number == 1 and first.created_by_id is None
        assert json.loads(first.data_json) == read_documents()
        canonical = store.canonical_json(read_documents())
        assert first.sha256 == hashlib.sha256(canonical.encode()).hexdigest()
        data = store.current(db)
        assert data.version == store.label(1, first.sha256)
        assert data.legal_bases == load_reference().legal_bases
        with using(db):  # what the rule engine's default context gets
            assert load_default_reference() is data


def _submit_spain(db: Session, settings: Settings, account_id: int) -> RequestVersion:
    user = db.get(User, account_id)
    assert user is not None
    request = import_with_documents(db, settings, user, SPAIN.read_text(encoding="utf-8"))
    found = checks.compute(drafts.content_of(request), "en", TODAY,
                           reference=store.current(db), account_country="ES")
    request.acks_json = json.dumps({f.key: "Justified for the test." for f in found
                                    if f.severity == "warning"})
    db.flush()
    submission.submit(db, settings, user, request, expected_revision=request.revision,
                      locale="en", today=TODAY)
    version = db.scalar(select(RequestVersion).where(RequestVersion.request_id == request.id))
    assert version is not None
    return version


def _codes(version: RequestVersion) -> set[str]:
    return {f["code"] for f in json.loads(version.findings_json)}


def test_a_check_after_a_change_uses_it_and_earlier_versions_keep_theirs(
        app: Flask, accounts: Accounts) -> None:
    database, settings = app.extensions["portal.db"], app.extensions["portal.settings"]
    admin = accounts.create(Role.ADMIN)
    account = accounts.create(Role.SUBMITTER, country="ES")
    with database.session() as db:
        first = store.ensure_seeded(db)
        before = _submit_spain(db, settings, account.id)
        assert before.reference_version == store.label(1, first.sha256)
        assert "GEN-BASIS-COUNTRY" not in _codes(before)
        before_id = before.id

    with database.session() as db:  # the Spanish treaty is not in force on TODAY any more
        docs = store.in_force(db).documents
        basis = next(e for e in docs["legal_bases"]["entries"]  # type: ignore[index]
                     if e["id"] == "mlat-es")
        basis["in_force"] = "2999-01-01"
        second = store.save(db, docs, user_id=admin.id, reason="Test", source="Test",
                            based_on=1)
        label_2 = store.label(2, second.sha256)

    with database.session() as db:  # a new session (request or job): the new version
        assert store.current(db).version == label_2
        after = _submit_spain(db, settings, account.id)
        assert after.reference_version == label_2
        assert "GEN-BASIS-COUNTRY" in _codes(after)

    with database.session() as db:
        kept = db.get(RequestVersion, before_id)
        assert kept is not None and kept.reference_version == store.label(1, first.sha256)
        # the version it was judged with is the one used to re-evaluate it
        judged = store.recorded(db, kept.reference_version)
        assert judged.legal_bases["mlat-es"].in_force == "1993-06-30"
        assert store.recorded(db, "countries=2026-11-28.1").version == label_2


def test_a_refused_save_stores_nothing(app: Flask, accounts: Accounts) -> None:
    admin = accounts.create(Role.ADMIN)
    with app.extensions["portal.db"].session() as db:
        store.ensure_seeded(db)
        docs = store.in_force(db).documents
        docs["districts"] = {"version": "x", "entries": []}
        docs["providers"]["entries"][0]["hq_district"] = "ZZZ"  # type: ignore[index]
        with pytest.raises(store.Refused) as refused:
            store.save(db, docs, user_id=admin.id, reason="r", source="s", based_on=1)
        assert any("districts.json: 'version'" in str(p) for p in refused.value.problems)
        assert [r.number for r in db.scalars(select(ReferenceVersion))] == [1]
        assert db.scalar(select(MlaRequest).limit(1)) is None
