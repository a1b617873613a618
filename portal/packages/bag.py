"""Building one package: a BagIt bag (RFC 8493) made and checked with the ``bagit`` library.

No database here: :class:`BagSource` carries everything (the service loads it from the frozen
version). The bag is assembled in a temporary directory next to its final place, made into a
bag, checked, fsynced and renamed into place in one step, so a reader never sees half a bag::

    MLA-2026-000042-v1/
      bagit.txt                BagIt-Version: 1.0
      bag-info.txt             Source-Organization, Contact-Name, Contact-Email,
                               External-Identifier (the reference), Bagging-Date,
                               Payload-Oxum, MLA-Request-Version, MLA-Training, ...
      manifest-sha256.txt
      tagmanifest-sha256.txt
      data/request.json        the request contract (valid against the schema)
      data/findings.json       the findings with the requester's justifications
      data/request.pdf         the request for an OIA reader (portal.pdf.render_request_pdf)
      data/reading-copy.pdf    request.pdf then every attachment, one bookmark per document
      data/attachments/01-....pdf  the attachments, byte for byte (decrypted)

Deterministic: the same version gives the same bytes (Bagging-Date is the submission date, the
PDFs carry no creation time or random id, JSON is written with a fixed layout), so a bag rebuilt
after a crash is identical to the one already handed over, and a package zip is reproducible.

Speed: every payload byte is hashed once, by bagit while making the manifest; the attachments'
SHA-256 recorded at upload are then compared with the manifest (no second pass), and AES-GCM
has already authenticated each file while decrypting it.

``bagit.make_bag`` and ``Bag.save`` change the process's working directory while they run;
they are serialized by a lock and every path the portal uses is absolute.
"""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import shutil
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import bagit  # type: ignore[import-untyped]
from pypdf import PdfReader, PdfWriter

from portal.contract.model import Request
from portal.pdf import AttachmentInfo, render_request_pdf
from portal.pdf.request_pdf import ATTACHMENT_KIND_LABELS
from portal.rules import Finding, default_context, evaluate, render_finding
from portal.rules.catalog import SEVERITY_RANK

log = logging.getLogger(__name__)

BAGIT_VERSION = "1.0"
ALGORITHM = "sha256"
TEMP_DIR_NAME = ".tmp"
TRAINING_MARK = "TRAINING"
#: The bag-info fields every package carries (checked by :mod:`portal.packages.verify`).
REQUIRED_INFO = ("Source-Organization", "Contact-Name", "Contact-Email", "External-Identifier",
                 "Bagging-Date", "Payload-Oxum", "MLA-Request-Version", "MLA-Training")
TAG_FILES = ("bagit.txt", "bag-info.txt", f"manifest-{ALGORITHM}.txt",
             f"tagmanifest-{ALGORITHM}.txt")
REQUEST_JSON = "data/request.json"
FINDINGS_JSON = "data/findings.json"
REQUEST_PDF = "data/request.pdf"
READING_COPY = "data/reading-copy.pdf"
ATTACHMENTS_DIR = "data/attachments"
_MAX_NAME_BYTES = 150
_BAGIT_LOCK = threading.Lock()


class BuildError(RuntimeError):
    """The package cannot be built (an attachment is missing or does not match its hash)."""


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


@dataclass(frozen=True)
class BuiltBag:
    path: Path
    payload_oxum: str
    tagmanifest_sha256: str
    #: False when another builder had already put the same bag in place.
    created: bool


# --- names ------------------------------------------------------------------------------------

def attachment_payload_name(index: int, filename: str) -> str:
    """``data/attachments/<NN>-<name>``: numbered in the request's order (two uploads may share
    a name), the display name kept (Unicode NFC) but no separators, controls or ``%`` (bagit's
    escape character), at most 150 bytes of UTF-8 so any file system takes it."""
    name = unicodedata.normalize("NFC", filename or "document.pdf")
    cleaned = []
    for char in name:
        if char in "/\\%" or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            cleaned.append("_")
        else:
            cleaned.append(char)
    name = "".join(cleaned).strip(" .") or "document.pdf"
    stem, ext = (name[:-4], name[-4:]) if name.lower().endswith(".pdf") else (name, ".pdf")
    while len(stem.encode("utf-8")) > _MAX_NAME_BYTES:
        stem = stem[:-1]
    return f"{ATTACHMENTS_DIR}/{index:02d}-{stem.rstrip(' .') or 'document'}{ext}"


def attachment_title(index: int, attachment: AttachmentSource | AttachmentInfo) -> str:
    kind = ATTACHMENT_KIND_LABELS.get(attachment.document_kind, attachment.document_kind)
    return f"Attachment {index}: {attachment.filename} ({kind})"


def request_title(source: BagSource) -> str:
    mark = f"{TRAINING_MARK} \u2014 " if source.training else ""
    return f"{mark}Request {source.reference}, version {source.version}"


# --- payload documents -------------------------------------------------------------------------

def json_bytes(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def findings_document(source: BagSource) -> dict[str, Any]:
    """``findings.json``: the findings of the version in English (title, explanation, fix,
    citations; parameters recomputed from the frozen request at its submission date) with the
    requester's justification of each acknowledged warning."""
    try:
        context = default_context(today=source.submitted_at.date())
        params = {f"{f.code}@{f.path}": dict(f.params)
                  for f in evaluate(dict(source.content), context)}
    except Exception:  # the stored findings stay authoritative; only the wording degrades
        log.exception("re-evaluating %s v%s for the finding texts failed", source.reference,
                      source.version)
        params = {}
    findings = []
    counts = dict.fromkeys(SEVERITY_RANK, 0)
    for raw in source.findings:
        code, severity, path = (str(raw.get("code", "")), str(raw.get("severity", "")),
                                str(raw.get("path", "") or ""))
        key = f"{code}@{path}"
        rendered = render_finding(Finding(code, severity, path, params.get(key, {})), "en")
        counts[severity] = counts.get(severity, 0) + 1
        findings.append({
            "key": key, "code": code, "severity": severity, "path": path,
            "title": rendered["title"], "explanation": rendered["explanation"],
            "fix": rendered["fix"], "citations": list(rendered["citations"]),
            "acknowledgement": str(raw.get("acknowledgement", "") or ""),
            **({"excerpt": dict(raw["excerpt"])} if isinstance(raw.get("excerpt"), dict)
               else {}),
        })
    return {
        "reference": source.reference,
        "version": source.version,
        "submitted_at": source.submitted_at.astimezone(UTC).isoformat(timespec="seconds"),
        "training": source.training,
        "reference_data_version": source.reference_version,
        "counts": counts,
        "findings": findings,
        "attachments_not_received": [
            {"index": m.index, "filename": m.filename, "document_kind": m.document_kind,
             "sha256": m.sha256} for m in source.missing_attachments],
    }


def request_pdf(source: BagSource, findings: Mapping[str, Any]) -> bytes:
    shown = list(findings["findings"]) + [
        {"code": "PKG-ATTACHMENT-NOT-RECEIVED", "severity": "warning",
         "path": f"attachments[{m.index - 1}]",
         "title": "Attachment listed but never uploaded",
         "explanation": f"The request lists attachment {m.index}, {m.filename} (SHA-256 "
                        f"{m.sha256 or 'not given'}), but no such file was uploaded: it is not "
                        "in this package.",
         "fix": "Ask the requesting authority for the document.", "citations": [],
         "acknowledgement": ""}
        for m in source.missing_attachments]
    return render_request_pdf(
        Request.from_dict(dict(source.content)),
        reference=source.reference,
        version=source.version,
        submitted_at=source.submitted_at,
        authority_name=source.source_organization,
        authority_country=source.source_country,
        findings=shown,
        acknowledgements={},
        attachments=[AttachmentInfo(a.filename, a.document_kind, a.sha256, a.size, a.pages)
                     for a in source.attachments],
        training=source.training,
    )


def write_reading_copy(out: IO[bytes], request_pdf_file: Path | IO[bytes], title: str,
                       documents: Sequence[tuple[str, Path | IO[bytes]]], *,
                       document_title: str) -> int:
    """Merge ``request.pdf`` and the attachments into one PDF with one top-level bookmark
    (outline item) per document; their own bookmarks are not imported, so the outline is
    exactly one entry per document. Returns the number of bookmarks."""
    writer = PdfWriter()
    writer.append(PdfReader(request_pdf_file), outline_item=title, import_outline=False)
    for name, document in documents:
        writer.append(PdfReader(document), outline_item=name, import_outline=False)
    writer.add_metadata({"/Title": document_title,
                         "/Producer": "MLA request intake portal (pypdf)"})
    writer.page_mode = "/UseOutlines"
    writer.write(out)
    return 1 + len(documents)


# --- the bag -----------------------------------------------------------------------------------

def bag_info(source: BagSource) -> dict[str, str]:
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
                                f"{source.reference}, version {source.version}, submitted "
                                f"through the MLA request intake portal",
        "Internal-Sender-Identifier": source.package_id,
        "Bagging-Date": source.submitted_at.astimezone(UTC).date().isoformat(),
        "Bag-Software-Agent": f"MLA request intake portal (bagit.py {bagit.VERSION})",
        "MLA-Request-Version": str(source.version),
        "MLA-Submitted-At": source.submitted_at.astimezone(UTC).isoformat(timespec="seconds"),
        "MLA-Training": training,
        **({"MLA-Attachments-Not-Received": str(len(source.missing_attachments))}
           if source.missing_attachments else {}),
    }


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def fsync_tree(root: Path) -> None:
    """Flush every file and directory of ``root`` to disk (before it is renamed into place)."""
    for directory, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(directory, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(directory))


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


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


def new_temp_dir(parent: Path, stem: str) -> Path:
    temp_root = parent / TEMP_DIR_NAME
    temp_root.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = temp_root / f"{stem}.{os.getpid()}.{secrets.token_hex(6)}"
    path.mkdir(mode=0o700)
    return path


def assemble(source: BagSource, work: Path, *, reading_copy: bool = True) -> None:
    """Write the payload into ``work`` (an empty directory) and make it a bag in place."""
    findings = findings_document(source)
    _write(work / "request.json", json_bytes(dict(source.content)))
    _write(work / "findings.json", json_bytes(findings))
    pdf = request_pdf(source, findings)
    _write(work / "request.pdf", pdf)
    written: list[tuple[str, Path]] = []
    for attachment in source.attachments:
        relative = attachment_payload_name(attachment.index, attachment.filename)
        path = work / relative.removeprefix("data/")
        _write(path, attachment.read())
        written.append((attachment_title(attachment.index, attachment), path))
    if reading_copy:
        fd = os.open(work / "reading-copy.pdf", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            write_reading_copy(handle, io.BytesIO(pdf), request_title(source), written,
                               document_title=f"{request_title(source)}: reading copy")
    with _BAGIT_LOCK:
        bagit.make_bag(str(work), bag_info=bag_info(source), processes=1,
                       checksums=[ALGORITHM])
        # bagit.py writes BagIt-Version 0.97; the layout is the same, declare RFC 8493's 1.0
        (work / "bagit.txt").write_text(
            f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n",
            encoding="utf-8")
        bagit.Bag(str(work)).save()
    manifest = manifest_entries(work)
    for attachment in source.attachments:
        name = attachment_payload_name(attachment.index, attachment.filename)
        if manifest.get(name) != attachment.sha256:
            raise BuildError(f"attachment {attachment.index} ({attachment.filename}) does not "
                             "have the SHA-256 recorded at upload")


def build_bag(source: BagSource, parent: Path, *, name: str | None = None,
              reading_copy: bool = True) -> BuiltBag:
    """Build the bag of ``source`` as ``parent/name`` (default ``<reference>-v<version>``).

    Built under ``parent/.tmp/`` and renamed into place once complete and on disk; if the bag
    is already there (another builder won the race, or an earlier build completed), the new
    copy is discarded and the existing bag is returned. Raises :class:`BuildError`.
    """
    name = name or f"{source.reference}-v{source.version}"
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
        except OSError:
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


def bagit_info(path: Path) -> dict[str, str]:
    info: dict[str, str] = {}
    bag_info_path = path / "bag-info.txt"
    if not bag_info_path.is_file():
        return info
    for line in bag_info_path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition(":")
        if sep and not line[:1].isspace():
            info.setdefault(key.strip(), value.strip())
    return info


# --- zip ---------------------------------------------------------------------------------------

def bag_files(bag_dir: Path) -> Iterator[Path]:
    """Every file of the bag, in a fixed order (tag files first, then the payload)."""
    files = [p for p in bag_dir.rglob("*") if p.is_file()]
    yield from sorted(files, key=lambda p: (p.relative_to(bag_dir).parts[0] == "data",
                                            p.relative_to(bag_dir).as_posix()))


def write_zip(bag_dir: Path, out: IO[bytes], *, date_time: datetime | None = None) -> None:
    """A zip of the bag under a top directory named like it; reproducible (fixed order, time
    and permissions). PDFs are stored as they are (already compressed), text is deflated."""
    moment = (date_time or datetime(2000, 1, 1, tzinfo=UTC)).astimezone(UTC)
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute,
             moment.second - moment.second % 2)
    with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
        for path in bag_files(bag_dir):
            relative = path.relative_to(bag_dir).as_posix()
            entry = zipfile.ZipInfo(f"{bag_dir.name}/{relative}", date_time=stamp)
            entry.external_attr = 0o600 << 16
            entry.compress_type = (zipfile.ZIP_STORED if relative.endswith(".pdf")
                                   else zipfile.ZIP_DEFLATED)
            with path.open("rb") as source, archive.open(entry, "w", force_zip64=True) as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
