"""What a package's bag is made from, loaded from the frozen version (no database here)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from portal.config import Settings


@dataclass(frozen=True)
class AttachmentSource:
    #: The position in the request's list of attachments (1-based).
    index: int
    filename: str
    document_kind: str
    sha256: str
    size: int | None
    pages: int | None
    #: Returns the decrypted bytes (authenticated by AES-GCM).
    read: Callable[[], bytes] = field(repr=False, compare=False)


@dataclass(frozen=True)
class MissingAttachment:
    """An attachment the frozen version lists but for which no file was ever uploaded (a
    request imported with an attachment list, say): the package says so instead of failing."""

    index: int
    filename: str
    document_kind: str
    sha256: str


@dataclass(frozen=True)
class BagSource:
    package_id: str
    reference: str
    version: int
    submitted_at: datetime
    training: bool
    #: The submitting account's authority, its country and the account itself (provenance).
    source_organization: str
    contact_name: str
    contact_email: str
    #: The request contract document of the frozen version.
    content: Mapping[str, Any]
    #: The findings stored with the version: code, severity, path, acknowledgement.
    findings: Sequence[Mapping[str, Any]]
    attachments: Sequence[AttachmentSource]
    missing_attachments: Sequence[MissingAttachment] = ()
    #: The version of the reference data the findings were computed with.
    reference_version: str = ""
    source_country: str = ""
    #: No image of the reading copy decodes to more than this (PORTAL_MAX_IMAGE_MB).
    image_max_bytes: int = Settings.max_image_mb << 20
    #: The minor version (documents added after submission): 0, or 1 for version 1.1.
    minor: int = 0

    @property
    def label(self) -> str:
        """The version as its bag names it: ``1``, or ``1.1``."""
        return f"{self.version}.{self.minor}" if self.minor else str(self.version)

    @property
    def version_value(self) -> int | str:
        """The version in JSON documents: a number, or the label ``"1.1"`` of a minor one."""
        return self.label if self.minor else self.version
