"""The same behaviour from both backends: the directory and the S3-compatible bucket (moto's
server over HTTP)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from portal.storage.base import BlobExists, BlobNotFound, BlobStore, StorageFailure, StoreError
from portal.storage.directory import DirectoryStore
from portal.storage.s3 import S3Store
from tests.storage.conftest import Bucket

KEY = "ab/ab" + "0" * 30
OTHER = "cd/cd" + "1" * 30


@pytest.fixture(params=["directory", "s3"])
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "directory":
        return DirectoryStore(tmp_path / "attachments")
    bucket: Bucket = request.getfixturevalue("bucket")
    config = bucket.config()
    return S3Store(config, config.client(), "attachments")


def test_round_trip(blobs: BlobStore) -> None:
    assert blobs.list_keys() == []
    assert not blobs.exists(KEY)
    data = bytes(range(256)) * 4096  # 1 MiB, every byte value
    blobs.put(KEY, data, replace=False)
    blobs.put(OTHER, b"", replace=False)
    assert blobs.get(KEY) == data
    assert blobs.get(OTHER) == b""
    assert blobs.exists(KEY) and blobs.exists(OTHER)
    assert blobs.list_keys() == [KEY, OTHER]


def test_a_taken_key_is_refused_unless_replacing(blobs: BlobStore) -> None:
    blobs.put(KEY, b"first", replace=False)
    with pytest.raises(BlobExists):
        blobs.put(KEY, b"second", replace=False)
    assert blobs.get(KEY) == b"first"
    blobs.put(KEY, b"replaced", replace=True)
    assert blobs.get(KEY) == b"replaced"
    assert blobs.list_keys() == [KEY]


def test_of_writers_racing_for_one_new_key_exactly_one_wins(blobs: BlobStore) -> None:
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def write(index: int) -> None:
        start.wait()
        try:
            blobs.put(KEY, f"writer {index}".encode(), replace=False)
        except BlobExists:
            outcomes.append("refused")
        else:
            outcomes.append(f"writer {index}")

    threads = [threading.Thread(target=write, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    winners = [outcome for outcome in outcomes if outcome != "refused"]
    assert len(outcomes) == 4 and len(winners) == 1
    assert blobs.get(KEY) == winners[0].encode()


def test_replacing_leaves_the_whole_old_or_the_whole_new(blobs: BlobStore) -> None:
    old, new = b"o" * 300_000, b"n" * 400_000
    blobs.put(KEY, old, replace=False)
    seen: set[bytes] = set()
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.add(blobs.get(KEY))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(5):
            blobs.put(KEY, new, replace=True)
            blobs.put(KEY, old, replace=True)
    finally:
        done.set()
        reader.join(60)
    assert seen <= {old, new} and old in seen


def test_delete(blobs: BlobStore) -> None:
    blobs.put(KEY, b"data", replace=False)
    blobs.put(OTHER, b"kept", replace=False)
    assert blobs.delete(KEY) is True
    assert not blobs.exists(KEY)
    assert blobs.delete(KEY) is False
    assert blobs.list_keys() == [OTHER] and blobs.get(OTHER) == b"kept"
    blobs.put(KEY, b"again", replace=False)  # a deleted key can be used again
    assert blobs.get(KEY) == b"again"


def test_a_missing_key(blobs: BlobStore) -> None:
    with pytest.raises(BlobNotFound) as raised:
        blobs.get(KEY)
    assert isinstance(raised.value, FileNotFoundError)  # callers that catch OSError see it
    assert blobs.exists(KEY) is False
    assert blobs.delete(KEY) is False


@pytest.mark.parametrize("key", ["../secret", "ab/../../secret", "/etc/passwd", "", ".tmp-1",
                                 "ab/.tmp-1", "ab//cd", "ab/", "a b", "ab\\cd", "ab/cd\n"])
def test_invalid_keys_are_refused_by_every_operation(blobs: BlobStore, key: str) -> None:
    with pytest.raises(StoreError):
        blobs.put(key, b"x", replace=True)
    with pytest.raises(StoreError):
        blobs.get(key)
    with pytest.raises(StoreError):
        blobs.exists(key)
    with pytest.raises(StoreError):
        blobs.delete(key)
    assert blobs.list_keys() == []


def test_directory_keeps_its_layout_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path / "attachments")
    store.put(KEY, b"data", replace=False)
    store.put(KEY, b"more", replace=True)
    assert (tmp_path / "attachments" / "ab" / KEY.split("/")[1]).read_bytes() == b"more"
    assert [p.name for p in (tmp_path / "attachments" / "ab").iterdir()] == [KEY.split("/")[1]]
    (tmp_path / "attachments" / "ab" / ".tmp-left-by-a-crash").write_bytes(b"half")
    assert store.list_keys() == [KEY]


def test_s3_keys_sit_under_the_prefix_and_area(bucket: Bucket) -> None:
    config = bucket.config(prefix="/mla/portal/")
    store = S3Store(config, config.client(), "attachments")
    store.put(KEY, b"data", replace=False)
    bucket.server.client().put_object(Bucket=bucket.name, Key="mla/portal/packages/x/y",
                                      Body=b"other area")
    assert set(bucket.objects()) == {f"mla/portal/attachments/{KEY}", "mla/portal/packages/x/y"}
    assert store.list_keys() == [KEY]


def test_s3_lists_more_than_one_page(bucket: Bucket) -> None:
    config = bucket.config()
    store = S3Store(config, config.client(), "attachments", page_size=3)
    keys = [f"k{index:02d}" for index in range(10)]
    for key in keys:
        store.put(key, b"x", replace=False)
    assert store.list_keys() == keys


def test_s3_failures_are_os_errors(bucket: Bucket) -> None:
    config = bucket.config(bucket="no-such-bucket-here")
    store = S3Store(config, config.client(), "attachments")
    with pytest.raises(StorageFailure) as raised:
        store.put(KEY, b"x", replace=False)
    assert isinstance(raised.value, OSError)
    with pytest.raises(StorageFailure):
        store.list_keys()
