"""With PORTAL_STORAGE=s3 a purge deletes the encrypted attachments and the shared bag copies
from the bucket too (moto's S3 server, as in tests/storage)."""

from __future__ import annotations

import pytest
from flask import Flask

from portal.accounts.models import Role
from portal.config import Settings
from tests.attachments.conftest import key_entry
from tests.conftest import Accounts
from tests.retention.helpers import exists, hand_over, retention, schedule, submitted, withdrawn
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


def test_copies_handed_over_into_the_bucket_go_after_their_days(
        app: Flask, accounts: Accounts, bucket: Bucket) -> None:  # noqa: F811
    app.extensions["portal.settings"] = app.extensions["portal.settings"].with_overrides(
        forward_to_storage=True)
    settings = schedule(app, drop_days=7)
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    public_id = submitted(app, submitter)
    hand_over(app)

    def dropped() -> list[str]:
        return sorted(key for key in bucket.objects() if "/dropbox/" in key)

    assert [key.rsplit(".", 1)[1] for key in dropped()] == ["done", "zip"]
    assert not settings.dropbox_path.exists()
    assert retention(app, days_from_now=6).kinds["drop"].purged == []
    report = retention(app, days_from_now=8)
    assert report.kinds["drop"].purged == [f"{public_id} v1"] and report.errors == []
    assert dropped() == []
    assert any("/packages/" in key for key in bucket.objects())  # the package itself stays
