"""The backend the settings choose (``PORTAL_STORAGE``): one place builds every store."""

from __future__ import annotations

from typing import Any

from portal import cache
from portal.config import Settings
from portal.storage.base import BlobStore
from portal.storage.directory import DirectoryStore
from portal.storage.s3 import S3Config, S3Store

_CLIENTS = cache.named(
    "storage.s3_clients", max_bytes=64 * 1024, sizeof=lambda _: 16 * 1024,
    why="a boto3 client reads its service model when built; one per configuration is shared "
        "by the threads of a process (boto3's clients are thread-safe)")


def s3_config(settings: Settings) -> S3Config:
    """The ``PORTAL_S3_*`` settings as the S3 backend takes them."""
    return S3Config(bucket=settings.s3_bucket, prefix=settings.s3_prefix,
                    endpoint_url=settings.s3_endpoint_url, region=settings.s3_region,
                    access_key_id=settings.s3_access_key_id,
                    secret_access_key=settings.s3_secret_access_key, sse=settings.s3_sse,
                    sse_kms_key_id=settings.s3_sse_kms_key_id)


def open_store(settings: Settings, area: str) -> BlobStore:
    """The store of one kind of file (``area``, e.g. ``attachments``): the directory
    ``<data_dir>/<area>``, or the keys under ``<PORTAL_S3_PREFIX><area>/`` in the bucket."""
    if settings.storage == "s3":
        config = s3_config(settings)
        client: Any = _CLIENTS.get_or_make(config, config.client)
        return S3Store(config, client, area)
    return DirectoryStore(settings.data_dir / area)
