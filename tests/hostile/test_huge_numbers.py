"""Numbers too large for the database or for Python's conversion, in an address or a file,
get a page (404, the first page, a translated import error), never a 500."""

from __future__ import annotations

import base64
import io

from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import Role
from tests.conftest import Accounts, csrf_token, login
from tests.packages import helpers

HUGE = "9" * 23


def _cursor(request_id: str) -> str:
    raw = f"2026-01-01|2026-01-01T00:00:00+00:00|{request_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def test_queue_cursors_with_huge_ids(app: Flask, client: FlaskClient,
                                     accounts: Accounts) -> None:
    login(client, accounts.create(Role.TRIAGE))
    for after in (HUGE, _cursor(HUGE), _cursor("-1"), _cursor("2147483648")):
        response = client.get(f"/triage?after={after}")
        assert response.status_code == 200, (after, response.status_code)
        assert "Triage queue" in response.text


def test_package_versions_too_large_are_no_package(app: Flask, accounts: Accounts) -> None:
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    public_id, _reference = helpers.submitted_request(
        app.extensions["portal.db"], app.extensions["portal.settings"], submitter.id)
    client = app.test_client()
    login(client, accounts.create(Role.TRIAGE))
    base = f"/triage/packages/{public_id}"
    assert client.get(f"{base}/download.zip?version=1").status_code == 200
    for path in (f"{base}/download.zip?version=99999999999999999999",
                 f"{base}/reading-copy.pdf?version=9223372036854775808",
                 f"{base}/download.zip?version=2147483648"):
        response = client.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert "text/html" in response.content_type
    # not a number at all: the latest version, as when the argument is absent
    assert client.get(f"{base}/download.zip?version=abc").status_code == 200


def test_an_import_with_a_4400_digit_number_is_refused_with_a_message(
        client: FlaskClient, accounts: Accounts) -> None:
    login(client, accounts.create(Role.SUBMITTER))
    text = '{"contract_version": "1", "reference": "X", "n": ' + "7" * 4400 + "}"
    for lang, expected in (("en", "is not valid JSON"), ("es", "JSON")):
        response = client.post(f"/requests/import?lang={lang}", data={
            "csrf_token": csrf_token(client, "/requests/import"),
            "file": (io.BytesIO(text.encode()), "huge.json")},
            content_type="multipart/form-data")
        assert response.status_code == 400
        assert expected in response.text and "a number is too long" in response.text
