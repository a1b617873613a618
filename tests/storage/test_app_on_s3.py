"""The real app with ``PORTAL_STORAGE=s3``: an attachment uploaded through the wizard's page
is stored in the bucket (moto's server over HTTP), encrypted, and downloads back intact; the
key rotation command's service rewrites it there."""

from __future__ import annotations

import hashlib
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import Role
from portal.attachments import service
from portal.attachments.crypto import parse_header
from portal.config import Settings
from tests.attachments import pdfs
from tests.attachments.conftest import key_entry
from tests.conftest import Account, Accounts, login, run_jobs
from tests.requests.test_attachments_web import _upload
from tests.requests.test_wizard import _content, _import
from tests.storage.conftest import Bucket

OLD_KEY = key_entry("k1")


@pytest.fixture()
def settings(settings: Settings, bucket: Bucket) -> Settings:
    """The suite's settings, with the attachments in the test's bucket."""
    return bucket.settings(settings, attachment_keys=OLD_KEY)


@pytest.fixture()
def submitter(client: FlaskClient, accounts: Accounts) -> Account:
    account = accounts.create(Role.SUBMITTER, country="DE")
    login(client, account)
    return account


def test_an_upload_is_stored_in_the_bucket_and_downloads_intact(
        app: Flask, client: FlaskClient, submitter: Account, bucket: Bucket,
        settings: Settings) -> None:
    public_id = _import(app, submitter, "05-stored-content-good-de.json", documents=False)
    data = pdfs.valid_pdf("Ersuchen um Rechtshilfe")
    response = _upload(client, public_id, data, "Ersuchen.pdf")
    assert response.status_code == 302, response.text[:2000]

    at_rest = bucket.objects()
    assert len(at_rest) == 1
    (object_key, blob), = at_rest.items()
    assert re.fullmatch(r"mla/attachments/([0-9a-f]{2})/\1[0-9a-f]{30}", object_key)
    assert data not in blob and parse_header(blob).key_id == "k1"
    head = bucket.server.client().head_object(Bucket=bucket.name, Key=object_key)
    assert head["ServerSideEncryption"] == "AES256"
    assert not (settings.data_dir / "attachments").exists()

    run_jobs(app)  # the worker reads it back from the bucket and checks it
    page = client.get(f"/requests/{public_id}/procedures")
    attachments = _content(app, public_id).attachments
    assert attachments[0].sha256 == hashlib.sha256(data).hexdigest()
    link = re.search(rf'href="(/requests/{public_id}/attachments/[^"/]+)"', page.text)
    assert link
    download = client.get(link.group(1))
    assert download.status_code == 200 and download.data == data

    # key rotation (``portal attachments rotate-keys``) rewrites the object in the bucket
    rotated = settings.with_overrides(attachment_keys=f"{key_entry('k2')},{OLD_KEY}")
    result = service.rotate_keys(app.extensions["portal.db"], rotated)
    assert (result.rotated, result.current, result.failed) == (1, 0, [])
    after = bucket.objects()
    assert list(after) == [object_key] and parse_header(after[object_key]).key_id == "k2"
    app.extensions["portal.settings"] = rotated
    again = client.get(link.group(1))
    assert again.status_code == 200 and again.data == data
