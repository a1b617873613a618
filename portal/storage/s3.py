"""Objects in an S3-compatible bucket: a key ``ab/cd`` is the object ``<prefix>ab/cd``.

What is sent is already encrypted by the portal (AES-GCM, :mod:`portal.attachments.crypto`);
the bucket's server-side encryption (``AES256`` or ``aws:kms``) is asked for on every write on
top of it. A PUT replaces an object whole, so readers see the old bytes or the new ones; a put
that must not overwrite is a conditional PUT (``If-None-Match: *``), which the server refuses
when the key is taken, even by a writer at the same moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from portal.storage.base import (
    BlobExists,
    BlobNotFound,
    StorageFailure,
    StoreError,
    check_key,
)

SSE_CHOICES = ("AES256", "aws:kms", "none")
_MISSING_CODES = {"404", "NoSuchKey", "NotFound"}
_TAKEN_CODES = {"412", "PreconditionFailed", "409", "ConditionalRequestConflict"}


@dataclass(frozen=True)
class S3Config:
    """Where the objects go and how they are written (from ``PORTAL_S3_*``)."""

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    sse: str = "AES256"
    sse_kms_key_id: str | None = None

    @property
    def key_prefix(self) -> str:
        """The prefix as stored: no leading slash, one trailing slash unless empty."""
        stripped = self.prefix.strip("/")
        return f"{stripped}/" if stripped else ""

    def sse_arguments(self) -> dict[str, str]:
        """The server-side encryption parameters of a PUT."""
        if self.sse == "none":
            return {}
        arguments = {"ServerSideEncryption": self.sse}
        if self.sse == "aws:kms" and self.sse_kms_key_id:
            arguments["SSEKMSKeyId"] = self.sse_kms_key_id
        return arguments

    def client(self) -> Any:
        """A boto3 S3 client for this configuration (path-style addressing with an endpoint
        URL, as S3-compatible servers expect; credentials from boto3's usual chain when none
        are set)."""
        import boto3
        from botocore.config import Config

        options: dict[str, Any] = {"retries": {"max_attempts": 5, "mode": "standard"},
                                   "connect_timeout": 10, "read_timeout": 60}
        if self.endpoint_url:
            options["s3"] = {"addressing_style": "path"}
        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint_url or None, region_name=self.region or None,
            aws_access_key_id=self.access_key_id or None,
            aws_secret_access_key=self.secret_access_key or None, config=Config(**options))


class S3Store:
    """The :class:`~portal.storage.base.BlobStore` of a bucket, shared by every web machine."""

    def __init__(self, config: S3Config, client: Any, area: str = "", *,
                 page_size: int = 1000) -> None:
        self.config = config
        self.client = client
        self.page_size = page_size  # keys per listing request (S3 gives at most 1,000)
        self.prefix = config.key_prefix + (f"{check_key(area)}/" if area else "")

    def __repr__(self) -> str:
        return f"S3Store(bucket={self.config.bucket!r}, prefix={self.prefix!r})"

    def object_key(self, key: str) -> str:
        """The object's key in the bucket, after the key check."""
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes, *, replace: bool) -> None:
        arguments: dict[str, Any] = {"Bucket": self.config.bucket, "Key": self.object_key(key),
                                     "Body": data, **self.config.sse_arguments()}
        if not replace:
            arguments["IfNoneMatch"] = "*"
        try:
            self.client.put_object(**arguments)
        except ClientError as exc:
            if not replace and _code(exc) in _TAKEN_CODES:
                raise BlobExists("storage name already in use") from exc
            raise _failure("put", key, exc) from exc
        except BotoCoreError as exc:
            raise _failure("put", key, exc) from exc

    def get(self, key: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.config.bucket,
                                              Key=self.object_key(key))
            body: bytes = response["Body"].read()
        except ClientError as exc:
            if _code(exc) in _MISSING_CODES:
                raise BlobNotFound(f"nothing stored under {key}") from exc
            raise _failure("get", key, exc) from exc
        except BotoCoreError as exc:
            raise _failure("get", key, exc) from exc
        return body

    def delete(self, key: str) -> bool:
        # S3's DELETE succeeds whether or not the object was there: ask first, for the count
        if not self.exists(key):
            return False
        try:
            self.client.delete_object(Bucket=self.config.bucket, Key=self.object_key(key))
        except (ClientError, BotoCoreError) as exc:
            raise _failure("delete", key, exc) from exc
        return True

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.config.bucket, Key=self.object_key(key))
        except ClientError as exc:
            if _code(exc) in _MISSING_CODES:
                return False
            raise _failure("head", key, exc) from exc
        except BotoCoreError as exc:
            raise _failure("head", key, exc) from exc
        return True

    def list_keys(self) -> list[str]:
        found = []
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.config.bucket, Prefix=self.prefix,
                PaginationConfig={"PageSize": self.page_size})
            for page in pages:
                for item in page.get("Contents", []):
                    key = str(item["Key"]).removeprefix(self.prefix)
                    found.append(key)
        except (ClientError, BotoCoreError) as exc:
            raise _failure("list", self.prefix, exc) from exc
        return sorted(key for key in found if _valid(key))


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _valid(key: str) -> bool:
    try:
        check_key(key)
    except StoreError:
        return False
    return True


def _failure(operation: str, key: str, exc: Exception) -> StorageFailure:
    return StorageFailure(f"S3 {operation} of {key} failed: {exc}")
