"""Pages read with statements compiled once per process: a statement built anew on every page
would be compiled again each time and crowd the others out of the compiled reads' cache."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import Role
from portal.db_reads import _COMPILED
from portal.requests.models import MlaRequest
from portal.triage import demo_volume
from tests.conftest import Accounts, login


def test_warm_pages_compile_no_read_again(app: Flask, client: FlaskClient,
                                          accounts: Accounts) -> None:
    with app.extensions["portal.db"].session() as db:
        demo_volume.generate(db, 30, seed=3)
    with app.extensions["portal.db"].session() as db:
        first, second = db.scalars(select(MlaRequest.public_id)
                                   .where(MlaRequest.status != "draft").limit(2))
    login(client, accounts.create(Role.TRIAGE, manager=True))
    pages = ["/triage", "/triage?status=submitted", f"/triage/{first}", "/triage/dashboard"]
    for url in pages:
        assert client.get(url).status_code == 200
    compiled = len(_COMPILED)
    for url in [*pages, f"/triage/{second}"]:
        assert client.get(url).status_code == 200
    assert len(_COMPILED) == compiled


def test_warm_wizard_pages_compile_no_read_again(app: Flask, client: FlaskClient,
                                                 accounts: Accounts) -> None:
    from tests.requests.test_wizard import _import

    account = accounts.create(Role.SUBMITTER, country="DE")
    drafts = [_import(app, account, "05-stored-content-good-de.json", documents=False),
              _import(app, account, "09-financial-records-good-eg.json", documents=False)]
    login(client, account)
    suffixes = ["", "/authority", "/assistance", "/procedures", "/check", "/review"]
    for suffix in suffixes:
        assert client.get(f"/requests/{drafts[0]}{suffix}").status_code == 200
    compiled = len(_COMPILED)
    for public_id in drafts:
        for suffix in suffixes:
            assert client.get(f"/requests/{public_id}{suffix}").status_code == 200
    assert len(_COMPILED) == compiled
