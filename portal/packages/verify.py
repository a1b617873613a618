"""``portal package verify``: everything that can be wrong with a package, each problem named on
its own."""

# 1. The bag (with bagit): structure, bagit.txt, Payload-Oxum, completeness (a file missing from
#    the payload or one that is not in the manifest) and every checksum, payload and tag files
#    alike; each problem is reported on its own (bagit stops at the first kind), plus files at the
#    top of the bag that no tag manifest covers.
# 2. bag-info.txt carries the required fields.
# 3. data/request.json is valid against the request schema and names the bag's reference.
# 4. data/findings.json is consistent: same reference and version, keys CODE@path, counts that add
#    up, no blocker (nothing is submitted with one), a justification for every warning.
# 5. The attachments: the files under data/attachments/ are exactly those request.json lists (by
#    SHA-256 and size, in order), and, when the database is reachable, each has the SHA-256
#    recorded when it was uploaded, and request.json and the findings are those of the frozen
#    version.
# 6. request.pdf and reading-copy.pdf open, and the reading copy has one bookmark per document.

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bagit  # type: ignore[import-untyped]
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.attachments.models import Attachment
from portal.contract.load import load_request_json
from portal.packages.bag import ALGORITHM, REQUIRED_INFO, TAG_FILES, bagit_info, manifest_entries
from portal.packages.models import Package
from portal.packages.payload import (
    ATTACHMENTS_DIR,
    FINDINGS_JSON,
    READING_COPY,
    REQUEST_JSON,
    REQUEST_PDF,
    attachment_payload_name,
)
from portal.requests.models import RequestVersion, parse_version_label
from portal.rules.catalog import SEVERITY_RANK


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def verify_package(path: Path, db: Session | None = None) -> list[Problem]:
    """Every problem found in the bag at ``path`` (empty: the package is sound). With ``db``,
    the attachments are also checked against the hashes recorded at upload."""
    path = Path(path)
    problems: list[Problem] = []
    if not (path / "bagit.txt").is_file():
        return [Problem(str(path), "not a bag: bagit.txt is missing")]
    try:
        bag = bagit.Bag(str(path))
    except bagit.BagError as exc:
        return [Problem("bag", str(exc))]
    problems.extend(_bag_problems(bag, path))
    info = bagit_info(path)
    for name in REQUIRED_INFO:
        if not info.get(name):
            problems.append(Problem("bag-info.txt", f"{name} is missing"))
    manifest = manifest_entries(path)
    request = _request_problems(path, info, problems)
    not_received = _findings_problems(path, info, request, problems)
    _attachment_problems(path, request, manifest, not_received, problems)
    _pdf_problems(path, request, not_received, problems)
    if db is not None and request is not None:
        _database_problems(db, path, info, request, manifest, problems)
    return problems


def _bag_problems(bag: Any, path: Path) -> list[Problem]:
    problems: list[Problem] = []
    checks = (
        ("structure", bag._validate_structure),
        ("bagit.txt", bag._validate_bagittxt),
        ("fetch.txt", bag.validate_fetch),
        ("Payload-Oxum", bag._validate_oxum),
        ("completeness", bag._validate_completeness),
    )
    for where, check in checks:
        try:
            check()
        except bagit.BagError as exc:
            details = getattr(exc, "details", None) or []
            if details:
                problems.extend(_detail(d) for d in details)
            else:
                problems.append(Problem(where, str(exc)))
    # checksums of the entries that exist (a missing file is reported above)
    present = {k: v for k, v in bag.entries.items() if (path / k).is_file()}
    saved = bag.entries
    try:
        bag.entries = present
        bag._validate_entries(1)
    except bagit.BagError as exc:
        details = getattr(exc, "details", None) or []
        problems.extend(_detail(d) for d in details) if details else \
            problems.append(Problem("checksums", str(exc)))
    finally:
        bag.entries = saved
    if bag.version_info != (1, 0):
        problems.append(Problem("bagit.txt", f"BagIt-Version {bag._version}, expected 1.0"))
    if f"manifest-{ALGORITHM}.txt" not in {Path(m).name for m in bag.manifest_files()}:
        problems.append(Problem("bag", f"no {ALGORITHM} manifest"))
    tag_manifest = manifest_entries(path, f"tagmanifest-{ALGORITHM}.txt")
    if not tag_manifest:
        problems.append(Problem("bag", f"no {ALGORITHM} tag manifest"))
    for name in TAG_FILES[:3]:
        if name not in tag_manifest:
            problems.append(Problem(f"tagmanifest-{ALGORITHM}.txt", f"does not list {name}"))
    for entry in sorted(path.iterdir()):
        if entry.name == "data" and entry.is_dir():
            continue
        if entry.name not in TAG_FILES and entry.name not in tag_manifest:
            problems.append(Problem(entry.name, "unexpected file (not in any manifest)"))
    return problems


def _detail(detail: Any) -> Problem:
    where = str(getattr(detail, "path", "bag"))
    if isinstance(detail, bagit.ChecksumMismatch):
        return Problem(where, f"checksum mismatch ({detail.algorithm}: expected "
                              f"{detail.expected}, found {detail.found})")
    if isinstance(detail, bagit.FileMissing):
        return Problem(where, "missing (listed in the manifest)")
    if isinstance(detail, bagit.UnexpectedFile):
        return Problem(where, "unexpected file (not in the manifest)")
    return Problem(where, str(detail))


def _read_json(path: Path, relative: str, problems: list[Problem]) -> Any:
    target = path / relative
    if not target.is_file():
        problems.append(Problem(relative, "missing"))
        return None
    try:
        return json.loads(target.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        problems.append(Problem(relative, f"is not valid JSON: {exc}"))
        return None


def _request_problems(path: Path, info: dict[str, str],
                      problems: list[Problem]) -> dict[str, Any] | None:
    target = path / REQUEST_JSON
    if not target.is_file():
        problems.append(Problem(REQUEST_JSON, "missing"))
        return None
    result = load_request_json(target.read_bytes(), "en")
    for error in result.errors:
        problems.append(Problem(REQUEST_JSON, f"{error.path or '(document)'} {error.message}"))
    try:
        document = json.loads(target.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(document, dict):
        return None
    if document.get("reference") != info.get("External-Identifier"):
        problems.append(Problem(REQUEST_JSON, f"reference {document.get('reference')!r} is "
                                f"not the bag's External-Identifier "
                                f"{info.get('External-Identifier')!r}"))
    return document


def _findings_problems(path: Path, info: dict[str, str], request: dict[str, Any] | None,
                       problems: list[Problem]) -> dict[int, str]:
    """Check findings.json; returns the attachments it declares not received
    (``{index: sha256}``)."""
    document = _read_json(path, FINDINGS_JSON, problems)
    if document is None:
        return {}
    where = FINDINGS_JSON
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        problems.append(Problem(where, "has no list of findings"))
        return {}
    if document.get("reference") != info.get("External-Identifier"):
        problems.append(Problem(where, "reference differs from the bag's"))
    if str(document.get("version")) != info.get("MLA-Request-Version"):
        problems.append(Problem(where, "version differs from the bag's"))
    counts: dict[str, int] = {}
    keys: set[str] = set()
    for index, finding in enumerate(document["findings"]):
        at = f"{where} findings[{index}]"
        if not isinstance(finding, dict):
            problems.append(Problem(at, "is not an object"))
            continue
        code, severity, path_ = (finding.get("code"), str(finding.get("severity", "")),
                                 finding.get("path", ""))
        if not code or severity not in SEVERITY_RANK:
            problems.append(Problem(at, "needs a code and a severity ("
                                    + ", ".join(SEVERITY_RANK) + ")"))
            continue
        counts[severity] = counts.get(severity, 0) + 1
        key = f"{code}@{path_}"
        if finding.get("key") != key:
            problems.append(Problem(at, f"key {finding.get('key')!r} should be {key!r}"))
        if key in keys:
            problems.append(Problem(at, f"{key} is listed twice"))
        keys.add(key)
        if severity == "blocker":
            problems.append(Problem(at, f"{key} is a blocker: a submitted version has none"))
        if severity == "warning" and not str(finding.get("acknowledgement", "")).strip():
            problems.append(Problem(at, f"warning {key} has no justification"))
    stated = document.get("counts")
    if isinstance(stated, dict):
        for severity in SEVERITY_RANK:
            if int(stated.get(severity, 0) or 0) != counts.get(severity, 0):
                problems.append(Problem(where, f"counts.{severity} is {stated.get(severity)} "
                                        f"but {counts.get(severity, 0)} are listed"))
    else:
        problems.append(Problem(where, "has no counts"))
    not_received: dict[int, str] = {}
    listed = (request or {}).get("attachments") or []
    for item in document.get("attachments_not_received") or []:
        position = item.get("index") if isinstance(item, dict) else None
        if not isinstance(position, int) or not 1 <= position <= len(listed) or \
                listed[position - 1].get("sha256", "") != item.get("sha256", ""):
            problems.append(Problem(where, f"attachments_not_received names {item!r}, not an "
                                    "attachment of request.json"))
            continue
        not_received[position] = str(item.get("sha256", ""))
    declared = info.get("MLA-Attachments-Not-Received", "0")
    if declared != str(len(not_received)):
        problems.append(Problem("bag-info.txt", f"MLA-Attachments-Not-Received is {declared}, "
                                f"findings.json lists {len(not_received)}"))
    return not_received


def _attachment_problems(path: Path, request: dict[str, Any] | None, manifest: dict[str, str],
                         not_received: dict[int, str], problems: list[Problem]) -> None:
    listed = (request or {}).get("attachments") or []
    expected = {}
    for index, item in enumerate(listed, 1):
        name = attachment_payload_name(index, str(item.get("filename", "")))
        expected[name] = item
        target = path / name
        if index in not_received:
            if target.exists() or name in manifest:
                problems.append(Problem(name, "declared not received, yet present"))
            continue
        if not target.is_file():
            if name not in manifest:  # else already reported by the bag check
                problems.append(Problem(name, "missing (listed in request.json)"))
            continue
        if manifest.get(name) and manifest[name] != item.get("sha256"):
            problems.append(Problem(name, "SHA-256 in the manifest differs from request.json"))
        size = item.get("size")
        if isinstance(size, int) and target.stat().st_size != size:
            problems.append(Problem(name, f"size {target.stat().st_size} differs from "
                                    f"request.json ({size})"))
    folder = path / ATTACHMENTS_DIR
    if folder.is_dir():
        for entry in sorted(folder.rglob("*")):
            relative = entry.relative_to(path).as_posix()
            if entry.is_file() and relative not in expected and relative in manifest:
                problems.append(Problem(relative, "not an attachment of request.json"))


def _pdf_problems(path: Path, request: dict[str, Any] | None, not_received: dict[int, str],
                  problems: list[Problem]) -> None:
    for name in (REQUEST_PDF, READING_COPY):
        target = path / name
        if not target.is_file():
            problems.append(Problem(name, "missing"))
            continue
        try:
            reader = PdfReader(target)
            pages = len(reader.pages)
            outline = reader.outline
        except Exception as exc:
            problems.append(Problem(name, f"does not open as a PDF: {exc}"))
            continue
        if pages == 0:
            problems.append(Problem(name, "has no page"))
        if name == READING_COPY and request is not None:
            documents = 1 + len(request.get("attachments") or []) - len(not_received)
            top = [item for item in outline if not isinstance(item, list)]
            if len(top) != documents:
                problems.append(Problem(name, f"has {len(top)} bookmarks for {documents} "
                                        "documents"))


def _database_problems(db: Session, path: Path, info: dict[str, str], request: dict[str, Any],
                       manifest: dict[str, str], problems: list[Problem]) -> None:
    reference = info.get("External-Identifier", "")
    label = info.get("MLA-Request-Version", "0")
    parsed = parse_version_label(label)
    if parsed is None:
        return
    package = db.scalar(select(Package).where(Package.reference == reference,
                                              Package.version == parsed[0],
                                              Package.minor == parsed[1]))
    if package is None:
        problems.append(Problem("database", f"no package {reference} version {label}"))
        return
    frozen = json.loads(package.attachments_json or "[]")
    for index, ref in enumerate(frozen, 1):
        row = db.scalar(select(Attachment).where(Attachment.public_id == ref.get("id", ""),
                                                 Attachment.request_id == package.request_id))
        name = attachment_payload_name(index, ref.get("filename", ""))
        if row is None:
            if ref.get("id") or (path / name).exists():
                problems.append(Problem(name, "no attachment recorded at upload"))
        elif manifest.get(name) and manifest[name] != row.sha256:
            problems.append(Problem(name, f"SHA-256 differs from the one recorded at upload "
                                    f"({row.sha256})"))
    if len(frozen) != len(request.get("attachments") or []):
        problems.append(Problem(ATTACHMENTS_DIR, "the number of attachments differs from the "
                                "submitted version"))
    version = db.get(RequestVersion, package.version_id)
    if version is not None:
        if json.loads(version.content_json or "{}") != request:
            problems.append(Problem(REQUEST_JSON, "differs from the submitted version"))
        stored = {(f.get("code"), f.get("severity"), f.get("path", ""),
                   f.get("acknowledgement", "")) for f in json.loads(version.findings_json or "[]")
                  if isinstance(f, dict)}
        target = path / FINDINGS_JSON
        try:
            document = json.loads(target.read_text(encoding="utf-8"))
            shown = {(f.get("code"), f.get("severity"), f.get("path", ""),
                      f.get("acknowledgement", "")) for f in document.get("findings", [])
                     if isinstance(f, dict)}
        except (OSError, ValueError, AttributeError):
            return
        if shown != stored:
            problems.append(Problem(FINDINGS_JSON, "differs from the findings recorded at "
                                    "submission"))
