"""A returned request, seen by the submitter: OIA's reasons and findings explained in the
submitter's language, the request editable again, resubmitted as a new version."""

from __future__ import annotations

import html

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from portal.accounts.models import Role, User
from portal.i18n_core import get_translations
from portal.requests.models import MlaRequest, RequestVersion, Status
from portal.rules import RULES_BY_CODE
from portal.triage import operations
from tests.conftest import Accounts, login
from tests.requests.htmlform import read_form
from tests.requests.test_wizard import _content, _db, _submit, _token


def test_returned_request_is_explained_edited_and_resubmitted(
        app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    submitter = accounts.create(Role.SUBMITTER, country="DE", locale="es")
    triage = accounts.create(Role.TRIAGE)
    login(client, submitter)
    public_id = _submit(app, submitter, "05-stored-content-good-de.json")
    settings = app.extensions["portal.settings"]
    with _db(app).session() as db:
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        officer = db.get(User, triage.id)
        assert request is not None and officer is not None
        operations.open_request(db, settings, officer, request)
        operations.return_for_deficiency(
            db, settings, officer, request, ["ELEC-PRESERVE@assistance[0]"],
            "Please send the preservation reference from Google.")
    page = client.get(f"/requests/{public_id}")
    assert page.status_code == 200
    # OIA's notes, and the finding explained in the submitter's language (Spanish)
    assert "Please send the preservation reference from Google." in page.text
    assert "ELEC-PRESERVE" in page.text
    assert 'lang="es"' in page.text
    spanish = get_translations("es")
    title = spanish.gettext(RULES_BY_CODE["ELEC-PRESERVE"].title)
    assert title != RULES_BY_CODE["ELEC-PRESERVE"].title, "the Spanish catalog is compiled"
    assert html.escape(title, quote=False) in page.text
    # editable again: add the preservation record, then resubmit
    url = f"/requests/{public_id}/preservation"
    form = read_form(client.get(url).text, "portal-wizard-form")
    response = client.post(url, data=MultiDict([*form, ("op", "add:preservation")]))
    assert response.status_code == 302
    form = dict(read_form(client.get(url).text, "portal-wizard-form"))
    form.update({"preservation-0-date": "2026-10-01", "preservation-0-channel": "provider_direct",
                 "preservation-0-reference": "GOOG-PRES-4471",
                 "preservation-0-identifier": "k.berger.trading@gmail.com",
                 "preservation-0-provider": "Google LLC", "op": "continue"})
    assert client.post(url, data=form).status_code == 302
    assert _content(app, public_id).preservation[0].reference == "GOOG-PRES-4471"
    check = client.get(f"/requests/{public_id}/check")
    data = {"csrf_token": _token(check.text)}
    import re

    for key in re.findall(r'name="ack-([^"]+)"', check.text):
        data[f"ack-{key}"] = "y"
        data[f"why-{key}"] = "Explained to OIA in the message thread."
    client.post(f"/requests/{public_id}/check", data=data)
    review = client.get(f"/requests/{public_id}/review")
    revision = re.search(r'name="revision" value="(\d+)"', review.text)
    assert revision
    response = client.post(f"/requests/{public_id}/submit", data={
        "csrf_token": _token(review.text), "revision": revision.group(1)})
    assert response.status_code == 302, response.text[:1000]
    with _db(app).session() as db:
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert request is not None and request.status == Status.SUBMITTED.value
        versions = db.scalar(select(func.count(RequestVersion.id))
                             .where(RequestVersion.request_id == request.id))
        assert versions == 2
    timeline = client.get(f"/requests/{public_id}").text
    for label in ("Returned for changes", "Submitted again after changes"):
        assert html.escape(spanish.gettext(label), quote=False) in timeline
