"""Attachments kept in an S3-compatible bucket (moto's server over HTTP): what is at rest is
the portal's ciphertext, written with server-side encryption; key rotation rewrites it; the
settings choose the backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.attachments.crypto import KeyRing, parse_header
from portal.attachments.rotation import FileRef, rotate
from portal.attachments.store import AttachmentStore, attachment_store
from portal.config import ConfigError, Settings
from portal.storage.directory import DirectoryStore
from portal.storage.s3 import S3Store
from tests.attachments.conftest import key_entry
from tests.storage.conftest import Bucket

PLAIN = b"%PDF-1.7 a letter of request, confidential" * 200
PLACE = {"request_id": "req-public-1", "attachment_id": "att-public-1"}


def _store(bucket: Bucket, keyring: KeyRing, **changes: str) -> AttachmentStore:
    config = bucket.config(**changes)
    return AttachmentStore(S3Store(config, config.client(), "attachments"), keyring)


def test_the_bucket_holds_the_portals_ciphertext_with_sse(bucket: Bucket) -> None:
    keyring = KeyRing.parse(key_entry("k1"))
    store = _store(bucket, keyring)
    stored = store.put(PLAIN, **PLACE)
    name = stored.storage_name
    object_key = f"mla/attachments/{name[:2]}/{name}"
    at_rest = bucket.objects()
    assert list(at_rest) == [object_key]
    assert PLAIN not in at_rest[object_key] and b"confidential" not in at_rest[object_key]
    assert parse_header(at_rest[object_key]).key_id == "k1"
    assert keyring.decrypt(at_rest[object_key], **PLACE) == PLAIN
    head = bucket.server.client().head_object(Bucket=bucket.name, Key=object_key)
    assert head["ServerSideEncryption"] == "AES256"
    assert store.get(name, sha256=stored.sha256, **PLACE) == PLAIN
    assert store.names() == [name]
    assert store.delete(name) and bucket.objects() == {}


def test_kms_encryption_names_its_key(bucket: Bucket) -> None:
    store = _store(bucket, KeyRing.parse(key_entry("k1")), sse="aws:kms",
                   sse_kms_key_id="alias/mla-portal")
    name = store.put(PLAIN, **PLACE).storage_name
    head = bucket.server.client().head_object(
        Bucket=bucket.name, Key=f"mla/attachments/{name[:2]}/{name}")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith("alias/mla-portal")


def test_rotation_re_encrypts_every_object_under_the_new_key(bucket: Bucket) -> None:
    old_entry = key_entry("old")
    old = KeyRing.parse(old_entry)
    store = _store(bucket, old)
    refs = []
    for index in range(4):
        place = {"request_id": f"r{index % 2}", "attachment_id": f"a{index}"}
        stored = store.put(f"document {index}".encode(), **place)
        refs.append((FileRef(stored.storage_name, **place), stored.sha256))
    new = KeyRing.parse(f"{key_entry('new')},{old_entry}")
    seen: list[str] = []
    result = rotate(_store(bucket, new), new, [ref for ref, _ in refs],
                    on_rotated=lambda ref, key_id: seen.append(key_id))
    assert (result.rotated, result.current, result.failed) == (4, 0, [])
    assert seen == ["new"] * 4
    at_rest = bucket.objects()
    assert len(at_rest) == 4 and {parse_header(blob).key_id for blob in at_rest.values()} == {
        "new"}
    only_new = _store(bucket, KeyRing(new.keys[:1]))
    for index, (ref, sha) in enumerate(refs):
        assert only_new.get(ref.storage_name, request_id=ref.request_id,
                            attachment_id=ref.attachment_id, sha256=sha) == \
            f"document {index}".encode()
    again = rotate(_store(bucket, new), new, [ref for ref, _ in refs])
    assert (again.rotated, again.current) == (0, 4)


def test_rotation_reports_an_object_that_is_gone(bucket: Bucket) -> None:
    keyring = KeyRing.parse(key_entry("k1"))
    result = rotate(_store(bucket, keyring), keyring,
                    [FileRef("ab" + "0" * 30, "r", "a")])
    assert result.rotated == 0 and len(result.failed) == 1


def _testing(tmp_path: Path) -> Settings:
    return Settings(env="testing", data_dir=tmp_path, secret_key="s" * 40,
                    attachment_keys=key_entry("k1"))


def test_the_settings_choose_the_backend(tmp_path: Path, bucket: Bucket) -> None:
    on_disk = attachment_store(_testing(tmp_path))
    assert isinstance(on_disk.blobs, DirectoryStore)
    assert on_disk.blobs.root == (tmp_path / "attachments").resolve()
    settings = bucket.settings(_testing(tmp_path))
    settings.validate()
    in_bucket = attachment_store(settings)
    blobs = in_bucket.blobs
    assert isinstance(blobs, S3Store)
    stored = in_bucket.put(PLAIN, **PLACE)
    assert list(bucket.objects()) == [
        f"mla/attachments/{stored.storage_name[:2]}/{stored.storage_name}"]
    assert not (tmp_path / "attachments").exists()
    # one client per configuration, shared by the stores built from it
    again = attachment_store(settings).blobs
    assert isinstance(again, S3Store) and again.client is blobs.client


def test_storage_settings_from_the_environment(tmp_path: Path) -> None:
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_STORAGE": "s3",
           "PORTAL_S3_BUCKET": "mla-files", "PORTAL_S3_PREFIX": "portal/",
           "PORTAL_S3_ENDPOINT_URL": "https://s3.example.org", "PORTAL_S3_REGION": "eu-west-1",
           "PORTAL_S3_ACCESS_KEY_ID": "AKIDEXAMPLE", "PORTAL_S3_SECRET_ACCESS_KEY": "very-secret",
           "PORTAL_S3_SSE": "aws:kms", "PORTAL_S3_SSE_KMS_KEY_ID": "alias/mla"}
    settings = Settings.from_env(env)
    settings.validate()
    assert (settings.storage, settings.s3_bucket, settings.s3_prefix, settings.s3_region) == (
        "s3", "mla-files", "portal/", "eu-west-1")
    assert (settings.s3_sse, settings.s3_sse_kms_key_id) == ("aws:kms", "alias/mla")
    assert "very-secret" not in repr(settings)
    default = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path)})
    assert (default.storage, default.s3_sse) == ("directory", "AES256")


@pytest.mark.parametrize(("env", "problem"), [
    ({"PORTAL_STORAGE": "s3"}, "PORTAL_STORAGE=s3 needs PORTAL_S3_BUCKET"),
    ({"PORTAL_STORAGE": "nfs"}, "PORTAL_STORAGE must be directory or s3"),
    ({"PORTAL_S3_SSE": "aes"}, "PORTAL_S3_SSE must be AES256, aws:kms or none"),
    ({"PORTAL_S3_SSE_KMS_KEY_ID": "alias/x"}, "PORTAL_S3_SSE_KMS_KEY_ID needs"),
    ({"PORTAL_S3_ACCESS_KEY_ID": "AKID"}, "go together"),
    ({"PORTAL_S3_ENDPOINT_URL": "s3.example.org"}, "PORTAL_S3_ENDPOINT_URL must be"),
])
def test_invalid_storage_settings_are_refused(tmp_path: Path, env: dict[str, str],
                                              problem: str) -> None:
    settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), **env})
    with pytest.raises(ConfigError, match=problem):
        settings.validate()
