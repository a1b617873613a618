"""The submission receipt, in the submitter's language.

Reference, time of submission (formatted by Babel for the locale, with the time zone shown),
requesting authority, who submitted, the sections (titles already translated by the caller) and
the attachments with their SHA-256. Right to left for Arabic (any locale whose ``dir`` is
``rtl`` in ``portal/locales.json``); hashes, file names and the reference stay left to right
inside it. A practice request carries the word TRAINING (untranslated, as on every TRAINING
document and package) with a translated explanation, on every page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from babel.numbers import format_decimal

from portal.i18n_core import N_, get_translations, locale_info
from portal.pdf.base import (
    AttachmentInfo,
    bdi,
    esc,
    html_document,
    page_css,
    render_html,
)

TRAINING_MARK = "TRAINING"

M_TITLE = N_("Receipt for your request for mutual legal assistance")
M_INTRO = N_(
    "Your request was submitted to the Office of International Affairs of the U.S. "
    "Department of Justice."
)
M_REFERENCE = N_("Reference")
M_SUBMITTED = N_("Submitted on")
M_AUTHORITY = N_("Requesting authority")
M_SUBMITTER = N_("Submitted by")
M_SECTIONS = N_("Sections of the request")
M_ATTACHMENTS = N_("Attached documents")
M_NO_ATTACHMENTS = N_("No documents were attached.")
M_FILE = N_("File")
M_KIND = N_("Type of document")
M_PAGES = N_("Pages")
M_SIZE = N_("Size")
M_KEEP = N_(
    "Keep this receipt. Quote the reference in all correspondence about this request. The "
    "SHA-256 fingerprint of each document lets you check that the documents received are the "
    "ones you sent."
)
M_TRAINING = N_("Practice request: it was not sent to the U.S. authorities.")
M_PAGE = N_("Page {page} of {pages}")

#: Attachment kinds (``ATTACHMENT_KINDS`` of the contract), in the user's language.
KIND_LABELS: Mapping[str, str] = {
    "request_letter": N_("Signed request letter"),
    "court_order": N_("Court order"),
    "law_extract": N_("Extract of the law"),
    "translation": N_("Translation"),
    "judgment": N_("Judgment"),
    "witness_questions": N_("Questions to the witness"),
    "document_to_serve": N_("Document to serve"),
    "evidence": N_("Evidence"),
    "other": N_("Other document"),
}


def _babel_locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse("en")


def _zone(time_zone: str) -> tzinfo:
    try:
        return ZoneInfo(time_zone) if time_zone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def format_submitted(submitted_at: datetime, locale: str, time_zone: str = "UTC") -> str:
    """The submission time in ``locale``'s long form, in ``time_zone``, with the zone shown
    (``4 de marzo de 2026, 14:05:09 UTC``). A naive datetime is taken to be UTC."""
    moment = submitted_at if submitted_at.tzinfo is not None else submitted_at.replace(tzinfo=UTC)
    return format_datetime(
        moment, format="long", tzinfo=_zone(time_zone), locale=_babel_locale(locale)
    )


def _size(size: int | None, locale: str) -> str:
    if size is None:
        return ""
    babel_locale = _babel_locale(locale)
    for unit, factor in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= factor:
            return f"{format_decimal(round(size / factor, 1), locale=babel_locale)} {unit}"
    return f"{format_decimal(size, locale=babel_locale)} B"


def receipt_html(
    *,
    locale: str,
    reference: str,
    submitted_at: datetime,
    authority_name: str,
    submitter_name: str,
    sections: Sequence[str],
    attachments: Sequence[AttachmentInfo],
    training: bool,
    time_zone: str = "UTC",
) -> str:
    """The HTML that :func:`render_receipt_pdf` renders."""
    gettext = get_translations(locale).gettext
    info = locale_info(locale)
    direction = "rtl" if info.dir == "rtl" else "ltr"
    parts = [f"<h1>{esc(gettext(M_TITLE))}</h1>", f"<p>{esc(gettext(M_INTRO))}</p>"]
    if training:
        parts.append(
            f'<div class="banner"><span dir="ltr">{TRAINING_MARK}</span> \u2014 '
            f"{esc(gettext(M_TRAINING))}</div>"
        )
    rows = [
        (M_REFERENCE, f'<strong dir="ltr">{esc(reference)}</strong>'),
        (M_SUBMITTED, esc(format_submitted(submitted_at, locale, time_zone))),
        (M_AUTHORITY, bdi(authority_name)),
        (M_SUBMITTER, bdi(submitter_name)),
    ]
    parts.append(
        '<table class="fields"><colgroup><col style="width: 32%"><col style="width: 68%">'
        "</colgroup>"
        + "".join(
            f"<tr><th scope='row'>{esc(gettext(name))}</th><td>{cell}</td></tr>"
            for name, cell in rows
        )
        + "</table>"
    )
    parts.append(f"<h2>{esc(gettext(M_SECTIONS))}</h2>")
    parts.append("<ul>" + "".join(f"<li>{esc(s)}</li>" for s in sections) + "</ul>")
    parts.append(f"<h2>{esc(gettext(M_ATTACHMENTS))}</h2>")
    if not attachments:
        parts.append(f"<p>{esc(gettext(M_NO_ATTACHMENTS))}</p>")
    else:
        head = "".join(
            f"<th scope='col'>{esc(h)}</th>"
            for h in ("#", gettext(M_FILE), gettext(M_KIND), gettext(M_PAGES), gettext(M_SIZE))
        )
        body = []
        for i, a in enumerate(attachments, 1):
            kind = KIND_LABELS.get(a.document_kind)
            body.append(
                '<tbody class="attachment">'
                f"<tr><td>{i}</td><td>{bdi(a.filename)}</td>"
                f"<td>{esc(gettext(kind) if kind else a.document_kind)}</td>"
                f"<td>{esc('' if a.pages is None else a.pages)}</td>"
                f'<td><span dir="ltr">{esc(_size(a.size, locale))}</span></td></tr>'
                f'<tr><td></td><td colspan="4"><span dir="ltr">SHA-256 '
                f'<span class="hash">{esc(a.sha256)}</span></span></td></tr></tbody>'
            )
        cols = "".join(f'<col style="width: {w}%">' for w in (5, 40, 27, 10, 18))
        parts.append(
            f'<table class="attachments"><colgroup>{cols}</colgroup>'
            f"<thead><tr>{head}</tr></thead>{''.join(body)}</table>"
        )
    parts.append(f'<p class="muted">{esc(gettext(M_KEEP))}</p>')
    return html_document(
        lang=info.bcp47,
        direction=direction,
        title=f"{gettext(M_TITLE)} {reference}",
        body="".join(parts),
        author=authority_name,
    )


def render_receipt_pdf(
    *,
    locale: str,
    reference: str,
    submitted_at: datetime,
    authority_name: str,
    submitter_name: str,
    sections: list[str],
    attachments: list[AttachmentInfo],
    training: bool,
    time_zone: str = "UTC",
) -> bytes:
    """The receipt offered after submission, in ``locale`` (``time_zone``: the IANA zone in
    which to show the time, e.g. the requesting authority's; UTC by default)."""
    document = receipt_html(
        locale=locale,
        reference=reference,
        submitted_at=submitted_at,
        authority_name=authority_name,
        submitter_name=submitter_name,
        sections=sections,
        attachments=attachments,
        training=training,
        time_zone=time_zone,
    )
    gettext = get_translations(locale).gettext
    direction = "rtl" if locale_info(locale).dir == "rtl" else "ltr"
    css = page_css(
        footer_left=reference + (f" \u00b7 {TRAINING_MARK}" if training else ""),
        page_template=gettext(M_PAGE),
        training_banner=f"{TRAINING_MARK} \u2014 {gettext(M_TRAINING)}" if training else None,
        direction=direction,
    )
    return render_html(document, extra_css=[css])
