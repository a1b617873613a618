"""Packages with ``PORTAL_STORAGE=s3``: a built bag is also kept in the bucket (zipped,
encrypted), so a machine whose package folder lacks it (another web node, a node restored from
backup) fetches it and serves or hands over the same bag."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import Role
from portal.config import Settings
from portal.packages.building import built_bag
from portal.packages.models import Package
from portal.packages.verify import verify_package
from tests.attachments.conftest import key_entry
from tests.conftest import Accounts, login
from tests.packages.helpers import letter, submitted_request
from tests.storage.conftest import Bucket


@pytest.fixture()
def settings(settings: Settings, bucket: Bucket) -> Settings:
    return bucket.settings(settings, attachment_keys=key_entry("k1"))


def test_a_bag_built_on_one_node_is_served_by_another(
        app: Flask, client: FlaskClient, accounts: Accounts, bucket: Bucket,
        settings: Settings, tmp_path: Path) -> None:
    database = app.extensions["portal.db"]
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    public_id, _reference = submitted_request(database, settings, submitter.id, [letter()])
    with database.session() as db:
        package = db.scalar(select(Package))
        assert package is not None and package.state == "built"
        db.expunge(package)
    kept = {key: blob for key, blob in bucket.objects().items() if "/packages/" in key}
    assert list(kept) == [f"mla/packages/{package.bag_name}.zip"]
    [blob] = kept.values()
    assert b"bagit" not in blob and b"%PDF" not in blob  # encrypted with the key ring

    # node B: the same database and bucket, a package folder of its own, empty
    node_b = settings.with_overrides(package_dir=tmp_path / "node-b-packages")
    assert not (tmp_path / "node-b-packages").exists()
    bag = built_bag(node_b, package)
    assert bag is not None and bag.parent == tmp_path / "node-b-packages"
    with database.session() as db:
        assert verify_package(bag, db) == []
    original = built_bag(settings, package)
    assert original is not None
    assert sorted(p.relative_to(bag).as_posix() for p in bag.rglob("*")) == \
        sorted(p.relative_to(original).as_posix() for p in original.rglob("*"))

    # and through node B's pages: triage downloads the package
    app.extensions["portal.settings"] = node_b.with_overrides(
        package_dir=tmp_path / "node-b-again")
    login(client, accounts.create(Role.TRIAGE))
    page = client.get(f"/triage/{public_id}")
    link = re.search(r'href="(/triage/packages/[^"]+/download\.zip[^"]*)"', page.text)
    assert link, "the package view offers the download"
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.data[:2] == b"PK"
