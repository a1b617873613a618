"""Encryption at rest, the key ring and its settings, and the file store."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from portal.attachments.crypto import DecryptionError, KeyRing, UnknownKey, parse_header
from portal.attachments.rotation import FileRef, rotate
from portal.attachments.store import AttachmentStore, IntegrityError
from portal.config import ATTACHMENT_KEYS_FILE_NAME, ConfigError, Settings, parse_attachment_keys
from portal.storage.base import StoreError
from portal.storage.directory import DirectoryStore
from tests.attachments.conftest import key_entry

PLAIN = b"%PDF-1.7 a letter of request" * 100
PLACE = {"request_id": "req-public-1", "attachment_id": "att-public-1"}


def test_round_trip_with_a_fresh_nonce_each_time(keyring: KeyRing) -> None:
    first = keyring.encrypt(PLAIN, **PLACE)
    second = keyring.encrypt(PLAIN, **PLACE)
    assert first != second
    assert parse_header(first).nonce != parse_header(second).nonce
    assert parse_header(first).key_id == "k1"
    assert PLAIN not in first
    assert keyring.decrypt(first, **PLACE) == PLAIN


@pytest.mark.parametrize("position", [0, 5, 8, 30, -1, -20])
def test_a_flipped_byte_anywhere_is_detected(keyring: KeyRing, position: int) -> None:
    blob = bytearray(keyring.encrypt(PLAIN, **PLACE))
    blob[position] ^= 0x01
    with pytest.raises(DecryptionError):
        keyring.decrypt(bytes(blob), **PLACE)


def test_truncation_is_detected(keyring: KeyRing) -> None:
    blob = keyring.encrypt(PLAIN, **PLACE)
    for cut in (3, 10, len(blob) - 1):
        with pytest.raises(DecryptionError):
            keyring.decrypt(blob[:cut], **PLACE)


@pytest.mark.parametrize("other", [{"request_id": "req-public-2"},
                                   {"attachment_id": "att-public-2"}])
def test_associated_data_binds_the_file_to_its_request_and_attachment(
        keyring: KeyRing, other: dict[str, str]) -> None:
    blob = keyring.encrypt(PLAIN, **PLACE)
    with pytest.raises(DecryptionError, match="authentication failed"):
        keyring.decrypt(blob, **{**PLACE, **other})


def test_unknown_key_and_wrong_key(keyring: KeyRing) -> None:
    blob = keyring.encrypt(PLAIN, **PLACE)
    with pytest.raises(UnknownKey):
        KeyRing.parse(key_entry("k2")).decrypt(blob, **PLACE)
    with pytest.raises(DecryptionError):
        KeyRing.parse(key_entry("k1")).decrypt(blob, **PLACE)  # same id, other key


def test_key_material_never_in_repr(keyring: KeyRing) -> None:
    raw = key_entry("k9")
    ring = KeyRing.parse(raw)
    assert raw.split(":")[1] not in repr(ring)
    settings = Settings(attachment_keys=raw)
    assert raw.split(":")[1] not in repr(settings)


@pytest.mark.parametrize(("raw", "problem"), [
    ("", "no key"),
    ("k1", "id:base64key"),
    ("bad id!:AAAA", "id:base64key"),
    ("k1:not base64!", "not base64"),
    ("k1:" + "QUFB", "32 bytes"),
])
def test_invalid_key_settings_are_refused(raw: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        parse_attachment_keys(raw)


def test_duplicate_key_ids_are_refused() -> None:
    entry = key_entry("k1")
    with pytest.raises(ConfigError, match="twice"):
        parse_attachment_keys(f"{entry},{entry}")


def test_development_generates_a_private_key_file_once(tmp_path: Path) -> None:
    env = {"PORTAL_ENV": "development", "PORTAL_DATA_DIR": str(tmp_path)}
    first = Settings.from_env(env)
    path = tmp_path / ATTACHMENT_KEYS_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.attachment_keys_generated
    assert Settings.from_env(env).attachment_keys == first.attachment_keys
    assert KeyRing.from_settings(first).current_id == "dev1"
    first.validate()


def test_keys_from_the_environment_win(tmp_path: Path) -> None:
    raw = f"{key_entry('new')},{key_entry('old')}"
    settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path),
                                  "PORTAL_ATTACHMENT_KEYS": raw})
    assert not settings.attachment_keys_generated
    assert KeyRing.from_settings(settings).ids == ("new", "old")
    assert not (tmp_path / ATTACHMENT_KEYS_FILE_NAME).exists()


def _production(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({
        "PORTAL_ENV": "production", "PORTAL_DATA_DIR": str(tmp_path),
        "PORTAL_SECRET_KEY": "Zq8#vR2!mK9@pL4$wX7^nB3&cT6*yH1(uJ5)",
        "PORTAL_BASE_URL": "https://portal.example.org",
        "PORTAL_AUDIT_KEYS": key_entry("a1"), **env})


def test_production_refuses_to_start_without_attachment_keys(tmp_path: Path) -> None:
    settings = _production(tmp_path)
    assert settings.attachment_keys == ""
    assert not (tmp_path / ATTACHMENT_KEYS_FILE_NAME).exists()
    with pytest.raises(ConfigError, match="PORTAL_ATTACHMENT_KEYS"):
        settings.validate()
    with pytest.raises(ConfigError):
        KeyRing.from_settings(settings)
    _production(tmp_path, PORTAL_ATTACHMENT_KEYS=key_entry("p1")).validate()
    with pytest.raises(ConfigError, match="not base64"):
        _production(tmp_path, PORTAL_ATTACHMENT_KEYS="p1:???").validate()


def _directory(store: AttachmentStore) -> DirectoryStore:
    assert isinstance(store.blobs, DirectoryStore)
    return store.blobs


def path_of(store: AttachmentStore, name: str) -> Path:
    """The file of a storage name in the directory backend (both checks applied)."""
    return _directory(store).path_of(store.key_of(name))


def test_store_writes_private_files_under_random_names(store: AttachmentStore) -> None:
    stored = store.put(PLAIN, **PLACE)
    path = path_of(store, stored.storage_name)
    assert path.parent.name == stored.storage_name[:2]
    assert path.parent.parent == _directory(store).root
    assert _directory(store).root.name == "attachments"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert PLAIN not in path.read_bytes()
    assert stored.sha256 == hashlib.sha256(PLAIN).hexdigest() and stored.size == len(PLAIN)
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp")]
    assert store.get(stored.storage_name, sha256=stored.sha256, **PLACE) == PLAIN
    assert store.names() == [stored.storage_name]
    assert store.delete(stored.storage_name) and not store.exists(stored.storage_name)
    assert not store.delete(stored.storage_name)


@pytest.mark.parametrize("name", ["../../etc/passwd", "ab/../../secret", "/etc/passwd",
                                  "A" * 32, "0" * 31, "0" * 33, "", "0" * 30 + "/x",
                                  "00000000000000000000000000000000\n"])
def test_path_containment(store: AttachmentStore, name: str) -> None:
    with pytest.raises(StoreError):
        path_of(store, name)


def test_a_symlinked_directory_cannot_lead_outside(store: AttachmentStore,
                                                   tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = _directory(store).root
    root.mkdir(parents=True)
    os.symlink(outside, root / "ab")
    with pytest.raises(StoreError):
        path_of(store, "ab" + "0" * 30)
    with pytest.raises(StoreError):
        store.write_raw("ab" + "0" * 30, b"x", replace=False)
    assert list(outside.iterdir()) == []


def test_swapped_files_and_wrong_checksum_are_detected(store: AttachmentStore) -> None:
    first = store.put(b"first document", request_id="r", attachment_id="a1")
    second = store.put(b"second document", request_id="r", attachment_id="a2")
    a = path_of(store, first.storage_name)
    b = path_of(store, second.storage_name)
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b)
    b.write_bytes(data_a)
    with pytest.raises(DecryptionError):
        store.get(first.storage_name, request_id="r", attachment_id="a1", sha256=first.sha256)
    b.write_bytes(data_b)
    with pytest.raises(IntegrityError):
        store.get(second.storage_name, request_id="r", attachment_id="a2", sha256="0" * 64)


def test_rotation_re_encrypts_every_file_under_the_new_key(tmp_path: Path) -> None:
    old_entry = key_entry("old")
    old = KeyRing.parse(old_entry)
    store = AttachmentStore.for_data_dir(tmp_path, old)
    refs = []
    for index in range(5):
        place = {"request_id": f"r{index % 2}", "attachment_id": f"a{index}"}
        stored = store.put(f"document {index}".encode(), **place)
        refs.append((FileRef(stored.storage_name, **place), stored.sha256))
    new = KeyRing.parse(f"{key_entry('new')},{old_entry}")
    rotated_store = AttachmentStore.for_data_dir(tmp_path, new)
    seen: list[str] = []
    result = rotate(rotated_store, new, [ref for ref, _ in refs],
                    on_rotated=lambda ref, key_id: seen.append(key_id))
    assert (result.rotated, result.current, result.failed) == (5, 0, [])
    assert seen == ["new"] * 5
    only_new = AttachmentStore.for_data_dir(tmp_path, KeyRing(new.keys[:1]))
    for index, (ref, sha) in enumerate(refs):
        assert parse_header(only_new.read_raw(ref.storage_name)).key_id == "new"
        assert only_new.get(ref.storage_name, request_id=ref.request_id,
                            attachment_id=ref.attachment_id, sha256=sha) == \
            f"document {index}".encode()
    again = rotate(rotated_store, new, [ref for ref, _ in refs])
    assert (again.rotated, again.current) == (0, 5)


def test_rotation_reports_a_file_it_cannot_read(tmp_path: Path, keyring: KeyRing) -> None:
    store = AttachmentStore.for_data_dir(tmp_path, keyring)
    stored = store.put(b"x", request_id="r", attachment_id="a")
    new = KeyRing.parse(key_entry("new"))  # the old key is gone: cannot decrypt
    result = rotate(AttachmentStore.for_data_dir(tmp_path, new), new,
                    [FileRef(stored.storage_name, "r", "a")])
    assert result.rotated == 0 and len(result.failed) == 1
