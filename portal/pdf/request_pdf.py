"""``request.pdf``: a submitted request for an OIA reader, in English (no gettext: it is for
OIA), with each narrative's original below its translation and the attachments' SHA-256.
Markup: ``templates/pdf/request.html``; values shown: :mod:`.request_view`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from portal.contract.model import Request
from portal.pdf.base import AttachmentInfo, page_css, render_html, size_text, utc_text
from portal.pdf.labels import ATTACHMENT_KIND_LABELS, TEMPLATE_LABELS, label
from portal.pdf.request_view import RequestView, finding_key, read_findings
from portal.pdf.templating import render_template
from portal.reference import ReferenceData, current_reference

__all__ = [
    "ATTACHMENT_KIND_LABELS",
    "TRAINING_BANNER",
    "TRAINING_MARK",
    "finding_key",
    "render_request_pdf",
    "request_html",
]

TRAINING_BANNER = "TRAINING \u2014 practice request, not a real request for assistance"
TRAINING_MARK = "TRAINING"


def request_html(
    request: Request,
    *,
    reference: str,
    version: int | str,
    submitted_at: datetime,
    authority_name: str,
    findings: Sequence[Mapping[str, Any]],
    acknowledgements: Mapping[str, str],
    attachments: Sequence[AttachmentInfo],
    training: bool,
    reference_data: ReferenceData | None = None,
    authority_country: str = "",
) -> str:
    """The HTML that :func:`render_request_pdf` renders (useful to preview or to test)."""
    authority = request.requesting_authority
    context = {
        "lang": "en",
        "direction": "ltr",
        "author": authority_name or authority.name,
        "request": request,
        "view": RequestView(
            request, reference_data if reference_data is not None else current_reference()
        ),
        "labels": TEMPLATE_LABELS,
        "reference": reference,
        "version": version,
        "submitted": utc_text(submitted_at),
        "authority_name": authority_name or authority.name,
        "authority_country": authority_country or authority.country,
        "findings": read_findings(findings, acknowledgements),
        "attachments": attachments,
        "attachment_kind": lambda kind: label(ATTACHMENT_KIND_LABELS, kind),
        "size_text": size_text,
        "training": training,
        "training_banner": TRAINING_BANNER,
    }
    return render_template("request.html", locale="en", context=context)


def render_request_pdf(
    request: Request,
    *,
    reference: str,
    version: int | str,
    submitted_at: datetime,
    authority_name: str,
    findings: Sequence[Mapping[str, Any]],
    acknowledgements: Mapping[str, str],
    attachments: Sequence[AttachmentInfo],
    training: bool,
    reference_data: ReferenceData | None = None,
    authority_country: str = "",
) -> bytes:
    """``request.pdf`` of a package. ``findings`` are English rendered findings; their
    justifications come from ``acknowledgements`` by :func:`finding_key`, else from a finding's
    own ``acknowledgement``; ``reference_data`` defaults to the package's own."""
    document = request_html(
        request,
        reference=reference,
        version=version,
        submitted_at=submitted_at,
        authority_name=authority_name,
        findings=findings,
        acknowledgements=acknowledgements,
        attachments=attachments,
        training=training,
        reference_data=reference_data,
        authority_country=authority_country,
    )
    css = page_css(
        footer_left=f"{reference} \u00b7 version {version}"
        + (f" \u00b7 {TRAINING_MARK}" if training else ""),
        page_template="Page {page} of {pages}",
        training_banner=TRAINING_BANNER if training else None,
    )
    return render_html(document, extra_css=[css])
