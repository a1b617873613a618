"""``PORTAL_FORWARD_TO_STORAGE``: packages handed over into the bucket (``dropbox/``), which any
worker on any machine reaches, instead of a machine's own drop folder: the zipped bag, then its
``.done`` marker; a repeat writes the same objects; a storage failure is retried."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import bagit
import pytest
from flask import Flask
from sqlalchemy import select

from portal.accounts.models import Role
from portal.config import ConfigError, Settings
from portal.packages import forwarder
from portal.packages.models import Handoff, HandoffState, Package
from portal.packages.targets import StorageDrop, target_for
from tests.attachments.conftest import key_entry
from tests.conftest import Accounts
from tests.packages.helpers import letter, submitted_request
from tests.storage.conftest import Bucket


@pytest.fixture()
def settings(settings: Settings, bucket: Bucket) -> Settings:
    return bucket.settings(settings, attachment_keys=key_entry("k1"), forward_to_storage=True)


def _dropped(bucket: Bucket) -> dict[str, bytes]:
    return {key.removeprefix("mla/dropbox/"): blob for key, blob in bucket.objects().items()
            if key.startswith("mla/dropbox/")}


def test_a_package_is_handed_over_into_the_bucket_by_a_worker_of_another_node(
        app: Flask, accounts: Accounts, bucket: Bucket, settings: Settings,
        tmp_path: Path) -> None:
    database = app.extensions["portal.db"]
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    _public_id, reference = submitted_request(database, settings, submitter.id, [letter()])
    with database.session() as db:
        package = db.scalar(select(Package))
        assert package is not None
        bag_name, package_id = package.bag_name, package.public_id
    assert isinstance(target_for(settings), StorageDrop)
    assert not (settings.dropbox_path).exists()

    # a worker on node B, whose package folder is empty, hands it over
    node_b = settings.with_overrides(package_dir=tmp_path / "node-b-packages")
    summary = forwarder.run(database.engine, node_b, until_idle=True, with_repair=False)
    assert summary.sent == 1
    dropped = _dropped(bucket)
    assert sorted(dropped) == [f"{bag_name}.done", f"{bag_name}.zip"]
    marker = json.loads(dropped[f"{bag_name}.done"])
    assert marker["reference"] == reference and marker["package_id"] == package_id
    assert marker["idempotency_key"] and marker["tagmanifest_sha256"]
    # the zip is the whole bag, readable by OIA's system (the bucket's own encryption only)
    with zipfile.ZipFile(io.BytesIO(dropped[f"{bag_name}.zip"])) as archive:
        archive.extractall(tmp_path / "received")
    bagit.Bag(str(tmp_path / "received" / bag_name)).validate()
    with database.session() as db:
        assert [h.state for h in db.scalars(select(Handoff))] == [HandoffState.SENT.value]
        assert not settings.dropbox_path.exists()  # no machine's own folder was written


def test_a_repeated_hand_off_writes_the_same_objects(
        app: Flask, accounts: Accounts, bucket: Bucket, settings: Settings) -> None:
    database = app.extensions["portal.db"]
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    submitted_request(database, settings, submitter.id, [letter()])
    forwarder.run(database.engine, settings, until_idle=True, with_repair=False)
    first = _dropped(bucket)
    with database.session() as db:
        handoff = db.scalar(select(Handoff))
        assert handoff is not None
        handoff.state = HandoffState.QUEUED.value  # as after a crash before the success was kept
    assert forwarder.run(database.engine, settings, until_idle=True, with_repair=False).sent == 1
    assert _dropped(bucket) == first


def test_an_unreachable_storage_is_retried(app: Flask, accounts: Accounts, bucket: Bucket,
                                           settings: Settings) -> None:
    database = app.extensions["portal.db"]
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    submitted_request(database, settings, submitter.id, [letter()])
    gone = settings.with_overrides(s3_bucket="portal-test-no-such-bucket")
    forwarder.run(database.engine, gone, once=True, with_repair=False)
    with database.session() as db:
        handoff = db.scalar(select(Handoff))
        assert handoff is not None
        assert handoff.state == HandoffState.QUEUED.value and handoff.attempts == 1
        assert "NoSuchBucket" in (handoff.last_error or "")
    assert forwarder.run(database.engine, settings.with_overrides(
        forward_backoff_base_seconds=0, forward_backoff_cap_seconds=0),
        until_idle=True, with_repair=False).sent == 1


def test_one_target_only(settings: Settings) -> None:
    both = settings.with_overrides(forward_url="https://cases.example.gov/intake")
    with pytest.raises(ConfigError, match="PORTAL_FORWARD_URL or PORTAL_FORWARD_TO_STORAGE"):
        both.validate()
    assert Settings.from_env({"PORTAL_DATA_DIR": str(settings.data_dir),
                              "PORTAL_FORWARD_TO_STORAGE": "true"}).forward_to_storage
