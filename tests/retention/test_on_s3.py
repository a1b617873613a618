"""With PORTAL_STORAGE=s3 a purge deletes the encrypted attachments and the shared bag copies
from the bucket too (moto's S3 server, as in tests/storage)."""

from __future__ import annotations

import pytest
from flask import Flask

from portal.accounts.models import Role
from portal.config import Settings
from tests.attachments.conftest import key_entry
from tests.conftest import Accounts
from tests.retention.helpers import exists, retention, schedule, withdrawn
from tests.storage.conftest import Bucket, bucket, s3_server  # noqa: F401 - fixtures


@pytest.fixture()
def settings(settings: Settings, bucket: Bucket) -> Settings:  # noqa: F811
    return bucket.settings(settings, attachment_keys=key_entry("k1"))


def test_a_purge_empties_the_bucket_of_the_request(app: Flask, accounts: Accounts,
                                                   bucket: Bucket) -> None:  # noqa: F811
    schedule(app, withdrawn_days=1)
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    public_id = withdrawn(app, submitter)
    kept = bucket.objects()
    assert any("/packages/" in key for key in kept) and len(kept) >= 2
    report = retention(app, days_from_now=2)
    assert report.kinds["withdrawn"].purged == [public_id] and report.errors == []
    assert not exists(app, public_id)
    assert bucket.objects() == {}
