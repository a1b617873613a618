"""Provenance (#18): the queue, its CSV, bag-info.txt and request.pdf record the submitting
account's authority and country, whatever the request typed or a file imported; naming another
country's authority gives GEN-ACCOUNT-COUNTRY, which the submitter must justify."""

from __future__ import annotations

import json

import bagit
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from portal.accounts.models import Authority, Role, User
from portal.attachments.models import Attachment
from portal.requests import checks, drafts
from portal.requests.models import MlaRequest
from portal.triage import queue
from portal.triage.models import TriageEntry
from portal.triage.queue import to_csv
from tests.conftest import Accounts
from tests.packages import helpers
from tests.packages.conftest import Env


def test_the_accounts_authority_whatever_the_file_says(app: Flask, accounts: Accounts) -> None:
    spanish = accounts.create(Role.SUBMITTER, country="ES")
    env = Env(app, app.extensions["portal.db"], app.extensions["portal.settings"], spanish.id)
    french_sample = "03-non-content-good-fr.json"  # names the Paris prosecutor's office
    public_id = helpers.draft_with_attachments(
        env.database, env.settings, env.user_id,
        [("demande.pdf", "request_letter", helpers.pdf("lettre")),
         ("request.pdf", "translation", helpers.pdf("letter"))],
        example=french_sample)
    with env.database.session() as db:
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        user = db.get(User, env.user_id)
        assert request is not None and user is not None
        for row in db.scalars(select(Attachment)
                              .where(Attachment.request_id == request.id)):
            row.language = "fr" if row.document_kind == "request_letter" else "en"
        db.flush()
        helpers.sync_contract(db, user, request)
        found = checks.compute(drafts.content_of(request), "en",
                               account_country=checks.account_country_of(request))
        warnings = [f for f in found if f.severity == "warning"]
        assert "GEN-ACCOUNT-COUNTRY" in {f.code for f in warnings}
        assert not [f for f in found if f.severity == "blocker"], [f.key for f in found]
        request.acks_json = json.dumps({f.key: "The Spanish central authority transmits this "
                                        "request of the Paris prosecutor." for f in warnings})
        spanish_name = db.scalar(select(Authority.name).join(User, User.authority_id ==
                                                              Authority.id)
                                 .where(User.id == env.user_id))
    reference = helpers.submit(env.database, env.settings, env.user_id, public_id)

    with env.database.session() as db:
        entry = db.scalar(select(TriageEntry).where(TriageEntry.reference == reference))
        assert entry is not None and entry.country == "ES"
    officer = accounts.create(Role.TRIAGE)
    with env.database.session() as db:
        triage_user = db.get(User, officer.id)
        assert triage_user is not None
        rows = [r for r in queue.iterate(db, triage_user, queue.Filters(country="ES"))
                if r.reference == reference]
        assert len(rows) == 1 and rows[0].country == "ES"
        assert not [r for r in queue.iterate(db, triage_user, queue.Filters(country="FR"))
                    if r.reference == reference]
        assert f"{reference},ES," in to_csv(rows)
    bag = env.settings.packages_path / f"{reference}-v1"
    info = bagit.Bag(str(bag)).info
    assert info["Source-Organization"] == spanish_name
    assert info["MLA-Source-Country"] == "ES"
    assert info["Contact-Email"] == spanish.email
    assert "Paris" not in info["Source-Organization"]
    first_page = PdfReader(str(bag / "data/request.pdf")).pages[0].extract_text()
    assert spanish_name in " ".join(first_page.split())
    findings = json.loads((bag / "data/findings.json").read_text("utf-8"))
    account = [f for f in findings["findings"] if f["code"] == "GEN-ACCOUNT-COUNTRY"]
    assert account and account[0]["acknowledgement"].startswith("The Spanish central")
