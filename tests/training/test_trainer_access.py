"""Trainers see no case content: every route of the app, walked with the identifiers of real
requests (a draft with an attachment, a submitted request with its package), answers a trainer
403 or 404 on case content, and no page a trainer may open shows any of it."""

from __future__ import annotations

import html
import json
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from portal.accounts.models import Role
from portal.attachments import service as attachment_service
from portal.attachments.models import Attachment
from portal.packages.models import Package
from portal.requests.models import MlaRequest
from portal.training import samples
from tests.attachments import pdfs
from tests.conftest import Account, Accounts, csrf_token, login
from tests.packages.helpers import import_with_documents
from tests.training.conftest import session, user_of
from tests.training.helpers import submit
from tests.web.test_access import url_arguments

CASE_BLUEPRINTS = ("requests", "triage", "packages")
#: Strings put into the real requests: they must never reach a trainer.
SECRETS = ("Zorblax Quintavius", "zorblax.case@example.org", "Operation Hollowmere")


def _import_case(app: Flask, account: Account, name: str) -> str:
    """A sample made into a real case with recognisable content."""
    data = json.loads((samples.EXAMPLES_DIR / name).read_text(encoding="utf-8"))
    data["persons"][0]["name"] = SECRETS[0]
    data["requesting_authority"]["contact"]["email"] = SECRETS[1]
    data["requesting_authority"]["case_references"] = [SECRETS[2]]
    with session(app) as db:
        created = import_with_documents(db, app.extensions["portal.settings"],
                                        user_of(db, account), json.dumps(data))
        return created.public_id


def _real_cases(app: Flask, accounts: Accounts) -> dict[str, str]:
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    submitted = _import_case(app, submitter, "05-stored-content-good-de.json")
    reference = submit(app, submitter, submitted)
    draft = _import_case(app, submitter, "06-stored-content-deficient-gb.json")
    settings = app.extensions["portal.settings"]
    with session(app) as db:
        req = db.scalar(select(MlaRequest).where(MlaRequest.public_id == draft))
        assert req is not None
        stored = attachment_service.add_attachment(db, settings, user_of(db, submitter), req,
                                                   "letter.pdf", "request_letter",
                                                   pdfs.valid_pdf(), check_now=True)
        assert isinstance(stored, Attachment)
        attachment = stored.public_id
        package = db.scalar(select(Package.public_id))
        assert package is not None
    owner = app.test_client()  # the markers are really there for those who may see them
    login(owner, submitter)
    assert SECRETS[0] in owner.get(f"/requests/{submitted}/versions/1").get_data(as_text=True)
    return {"submitted": submitted, "draft": draft, "attachment": attachment,
            "package": package, "reference": reference}


def _arguments(rule: Rule, ids: dict[str, str], public_id: str) -> dict[str, Any]:
    values = url_arguments(rule)
    if "public_id" in rule.arguments:
        values["public_id"] = public_id
    if "attachment_id" in rule.arguments:
        values["attachment_id"] = ids["attachment"]
    if "package_id" in rule.arguments:
        values["package_id"] = ids["package"]
    if rule.endpoint == "requests.section":
        values["slug"] = "facts"
    if rule.endpoint == "triage.act":
        values["name"] = "accept"
    if rule.endpoint == "triage.dashboard_csv":
        values["table"] = "returns_by_country"
    return values


def test_a_trainer_gets_403_or_404_on_every_case_content_route(app: Flask,
                                                                accounts: Accounts) -> None:
    ids = _real_cases(app, accounts)
    client = app.test_client()
    login(client, accounts.create(Role.TRAINER))
    token = csrf_token(client, "/account")
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in CASE_BLUEPRINTS:
            continue
        for public_id in (ids["submitted"], ids["draft"]):
            with app.test_request_context():
                path = app.url_for(rule.endpoint, **_arguments(rule, ids, public_id))
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                response = client.open(path, method=method, data={"csrf_token": token})
                assert response.status_code in (403, 404), (method, path, response.status_code)
                body = html.unescape(response.get_data(as_text=True))
                assert not any(secret in body for secret in SECRETS), (method, path)
                assert ids["reference"] not in body, (method, path)
                checked += 1
    assert checked >= 40
    with session(app) as db:  # nothing was changed by the attempts
        statuses = dict(db.execute(select(MlaRequest.public_id, MlaRequest.status)).all())
    assert statuses == {ids["submitted"]: "submitted", ids["draft"]: "draft"}


def test_no_page_a_trainer_may_open_shows_case_content(app: Flask, accounts: Accounts) -> None:
    ids = _real_cases(app, accounts)
    client = app.test_client()
    login(client, accounts.create(Role.TRAINER))
    opened = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        if rule.endpoint in ("training.handout",):
            continue  # a PDF of the guide (tested in test_guide)
        arguments = _arguments(rule, ids, ids["submitted"])
        if "item_type" in rule.arguments:
            arguments["item_type"] = "stored_content"
        if "slug" in arguments and rule.endpoint.startswith("training."):
            arguments["slug"] = "05-stored-content-good-de"
        with app.test_request_context():
            path = app.url_for(rule.endpoint, **arguments)
        response = client.get(path)
        if response.status_code != 200:
            continue
        body = html.unescape(response.get_data(as_text=True))
        assert not any(secret in body for secret in SECRETS), path
        assert ids["reference"] not in body, path
        opened += 1
    assert opened >= 10
