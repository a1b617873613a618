"""The documents under a bag's ``data/``: request.json, findings.json, request.pdf, the reading
copy, and the names of the attachments."""

from __future__ import annotations

import json
import logging
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC
from pathlib import Path
from typing import IO, Any

from pypdf import PdfReader, PdfWriter

from portal.contract.model import Request
from portal.packages.reading_images import replace_large_images
from portal.packages.source import AttachmentSource, BagSource
from portal.pdf import AttachmentInfo, render_request_pdf
from portal.pdf.request_pdf import ATTACHMENT_KIND_LABELS
from portal.reference import recorded_reference
from portal.rules import Finding, default_context, evaluate, render_finding
from portal.rules.catalog import SEVERITY_RANK

log = logging.getLogger(__name__)

TRAINING_MARK = "TRAINING"
REQUEST_JSON = "data/request.json"
FINDINGS_JSON = "data/findings.json"
REQUEST_PDF = "data/request.pdf"
READING_COPY = "data/reading-copy.pdf"
ATTACHMENTS_DIR = "data/attachments"
_MAX_NAME_BYTES = 150


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
    return f"{mark}Request {source.reference}, version {source.label}"


# --- documents ---------------------------------------------------------------------------------

def json_bytes(document: Any) -> bytes:
    """JSON in the package's fixed layout (UTF-8, indented, a final newline)."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def findings_document(source: BagSource) -> dict[str, Any]:
    """``findings.json``: the findings of the version in English (title, explanation, fix,
    citations; parameters recomputed from the frozen request at its submission date) with the
    requester's justification of each acknowledged warning."""
    try:
        context = default_context(today=source.submitted_at.date(),
                                  reference=recorded_reference(source.reference_version))
        params = {f"{f.code}@{f.path}": dict(f.params)
                  for f in evaluate(dict(source.content), context)}
    except Exception:  # the stored findings stay authoritative; only the wording degrades
        log.exception("re-evaluating %s v%s for the finding texts failed", source.reference,
                      source.label)
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
        "version": source.version_value,
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
    """``request.pdf`` of the version, with its findings and the attachments never received."""
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
        version=source.label,
        submitted_at=source.submitted_at,
        authority_name=source.source_organization,
        authority_country=source.source_country,
        findings=shown,
        acknowledgements={},
        attachments=[AttachmentInfo(a.filename, a.document_kind, a.sha256, a.size, a.pages)
                     for a in source.attachments],
        training=source.training,
        reference_data=recorded_reference(source.reference_version),
    )


def write_reading_copy(out: IO[bytes], request_pdf_file: Path | IO[bytes], title: str,
                       documents: Sequence[tuple[str, Path | IO[bytes]]], *,
                       document_title: str, image_max_bytes: int) -> int:
    """Merge ``request.pdf`` and the attachments into one PDF with exactly one top-level
    bookmark per document (their own bookmarks are not imported) and no image that decodes to
    more than ``image_max_bytes`` (see :mod:`.reading_images`). Returns the number of
    bookmarks."""
    writer = PdfWriter()
    writer.append(PdfReader(request_pdf_file), outline_item=title, import_outline=False)
    for name, document in documents:
        writer.append(PdfReader(document), outline_item=name, import_outline=False)
    replaced = replace_large_images(writer, image_max_bytes)
    if replaced:
        log.warning("reading copy %r: %d image(s) over %d bytes replaced by a blank",
                    document_title, replaced, image_max_bytes)
    writer.add_metadata({"/Title": document_title,
                         "/Producer": "MLA request intake portal (pypdf)"})
    writer.page_mode = "/UseOutlines"
    writer.write(out)
    return 1 + len(documents)
