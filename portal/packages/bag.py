"""A package's BagIt bag (RFC 8493): assembled, made and checked with ``bagit``, and renamed
into place once complete on disk, so that a reader never sees half a bag."""

# The layout (the same version always gives the same bytes: Bagging-Date is the submission date,
# the PDFs carry no creation time or random id, JSON has a fixed layout):
#
#     MLA-2026-000042-v1/
#       bagit.txt                BagIt-Version: 1.0
#       bag-info.txt             Source-Organization, Contact-Name, Contact-Email,
#                                External-Identifier (the reference), Bagging-Date,
#                                Payload-Oxum, MLA-Request-Version, MLA-Training, ...
#       manifest-sha256.txt
#       tagmanifest-sha256.txt
#       data/request.json        the request contract (valid against the schema)
#       data/findings.json       the findings with the requester's justifications
#       data/request.pdf         the request for an OIA reader
#       data/reading-copy.pdf    request.pdf then every attachment, one bookmark per document
#       data/attachments/01-....pdf  the attachments, byte for byte (decrypted)

from __future__ import annotations

import io
import os
import shutil
import threading
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import bagit  # type: ignore[import-untyped]

from portal.packages.disk import fsync_tree, new_temp_dir, sha256_file, write_new
from portal.packages.payload import (
    TRAINING_MARK,
    attachment_payload_name,
    attachment_title,
    findings_document,
    json_bytes,
    request_pdf,
    request_title,
    write_reading_copy,
)
from portal.packages.source import BagSource
from portal.storage.directory import fsync_dir

BAGIT_VERSION = "1.0"
ALGORITHM = "sha256"
#: The bag-info fields every package carries (checked by :mod:`portal.packages.verify`).
REQUIRED_INFO = ("Source-Organization", "Contact-Name", "Contact-Email", "External-Identifier",
                 "Bagging-Date", "Payload-Oxum", "MLA-Request-Version", "MLA-Training")
TAG_FILES = ("bagit.txt", "bag-info.txt", f"manifest-{ALGORITHM}.txt",
             f"tagmanifest-{ALGORITHM}.txt")
# bagit.make_bag and Bag.save change the process's working directory while they run: one at a
# time, and every path the portal uses is absolute.
_BAGIT_LOCK = threading.Lock()


class BuildError(RuntimeError):
    """The package cannot be built (an attachment is missing or does not match its hash)."""


@dataclass(frozen=True)
class BuiltBag:
    path: Path
    payload_oxum: str
    tagmanifest_sha256: str
    #: False when another builder had already put the same bag in place.
    created: bool


def bag_info(source: BagSource) -> dict[str, str]:
    """The fields of ``bag-info.txt`` (each on one line)."""
    def one_line(value: str) -> str:
        return " ".join(value.split())

    training = "yes" if source.training else "no"
    description = (f"{TRAINING_MARK}: practice request, not a real request for assistance. "
                   if source.training else "")
    return {
        "Source-Organization": one_line(source.source_organization) or "Unknown",
        "MLA-Source-Country": one_line(source.source_country) or "Unknown",
        "Contact-Name": one_line(source.contact_name) or "Unknown",
        "Contact-Email": one_line(source.contact_email) or "unknown@invalid",
        "External-Identifier": source.reference,
        "External-Description": description + f"Request for mutual legal assistance "
                                f"{source.reference}, version {source.label}, submitted "
                                f"through the MLA request intake portal",
        "Internal-Sender-Identifier": source.package_id,
        "Bagging-Date": source.submitted_at.astimezone(UTC).date().isoformat(),
        "Bag-Software-Agent": f"MLA request intake portal (bagit.py {bagit.VERSION})",
        "MLA-Request-Version": source.label,
        "MLA-Submitted-At": source.submitted_at.astimezone(UTC).isoformat(timespec="seconds"),
        "MLA-Training": training,
        **({"MLA-Attachments-Not-Received": str(len(source.missing_attachments))}
           if source.missing_attachments else {}),
    }


def manifest_entries(bag_dir: Path, name: str = f"manifest-{ALGORITHM}.txt") -> dict[str, str]:
    """``{relative path: digest}`` of a manifest file."""
    entries: dict[str, str] = {}
    path = bag_dir / name
    if not path.is_file():
        return entries
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) == 2:
            entries[parts[1].replace("%0D", "\r").replace("%0A", "\n")] = parts[0].lower()
    return entries


def bagit_info(path: Path) -> dict[str, str]:
    """The fields of a bag's ``bag-info.txt`` (the first value of each)."""
    info: dict[str, str] = {}
    bag_info_path = path / "bag-info.txt"
    if not bag_info_path.is_file():
        return info
    for line in bag_info_path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition(":")
        if sep and not line[:1].isspace():
            info.setdefault(key.strip(), value.strip())
    return info


def assemble(source: BagSource, work: Path, *, reading_copy: bool = True) -> None:
    """Write the payload into ``work`` (an empty directory) and make it a bag in place."""
    findings = findings_document(source)
    write_new(work / "request.json", json_bytes(dict(source.content)))
    write_new(work / "findings.json", json_bytes(findings))
    pdf = request_pdf(source, findings)
    write_new(work / "request.pdf", pdf)
    written: list[tuple[str, Path]] = []
    for attachment in source.attachments:
        relative = attachment_payload_name(attachment.index, attachment.filename)
        path = work / relative.removeprefix("data/")
        write_new(path, attachment.read())
        written.append((attachment_title(attachment.index, attachment), path))
    if reading_copy:
        fd = os.open(work / "reading-copy.pdf", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            write_reading_copy(handle, io.BytesIO(pdf), request_title(source), written,
                               document_title=f"{request_title(source)}: reading copy",
                               image_max_bytes=source.image_max_bytes)
    with _BAGIT_LOCK:
        bagit.make_bag(str(work), bag_info=bag_info(source), processes=1,
                       checksums=[ALGORITHM])
        # bagit.py writes BagIt-Version 0.97; the layout is the same, declare RFC 8493's 1.0
        (work / "bagit.txt").write_text(
            f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n",
            encoding="utf-8")
        bagit.Bag(str(work)).save()
    # each attachment's SHA-256 recorded at upload must be the one in the manifest
    manifest = manifest_entries(work)
    for attachment in source.attachments:
        name = attachment_payload_name(attachment.index, attachment.filename)
        if manifest.get(name) != attachment.sha256:
            raise BuildError(f"attachment {attachment.index} ({attachment.filename}) does not "
                             "have the SHA-256 recorded at upload")


def build_bag(source: BagSource, parent: Path, *, name: str | None = None,
              reading_copy: bool = True) -> BuiltBag:
    """Build the bag of ``source`` as ``parent/name`` (default ``<reference>-v<version>``); a
    bag already in place is kept and returned (``created`` false). Raises :class:`BuildError`."""
    name = name or f"{source.reference}-v{source.label}"
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    final = parent / name
    if (final / f"tagmanifest-{ALGORITHM}.txt").is_file():
        return _describe(final, created=False)
    work = new_temp_dir(parent, name)
    try:
        assemble(source, work, reading_copy=reading_copy)
        fsync_tree(work)
        try:
            os.rename(work, final)
        except OSError:  # another builder put the bag in place first
            if not (final / f"tagmanifest-{ALGORITHM}.txt").is_file():
                raise
            shutil.rmtree(work, ignore_errors=True)
            return _describe(final, created=False)
        fsync_dir(parent)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return _describe(final, created=True)


def _describe(path: Path, *, created: bool) -> BuiltBag:
    info = bagit_info(path)
    return BuiltBag(path, info.get("Payload-Oxum", ""),
                    sha256_file(path / f"tagmanifest-{ALGORITHM}.txt"), created)
