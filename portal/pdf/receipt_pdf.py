"""The submission receipt, in the submitter's language, right to left for Arabic.

The markup and its strings are ``templates/pdf/receipt.html``; here the values it shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from babel.numbers import format_decimal

from portal.i18n_core import N_, get_translations, locale_info
from portal.pdf.base import AttachmentInfo, page_css, render_html
from portal.pdf.templating import render_template

#: Untranslated, as on every TRAINING document and package.
TRAINING_MARK = "TRAINING"

# The page's running banner and footer (CSS); the template has the same banner text.
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
    translations = get_translations(locale)
    info = locale_info(locale)

    def attachment_kind(kind: str) -> str:
        known = KIND_LABELS.get(kind)
        return translations.gettext(known) if known else kind

    context = {
        "lang": info.bcp47,
        "direction": "rtl" if info.dir == "rtl" else "ltr",
        "author": authority_name,
        "reference": reference,
        "submitted": format_submitted(submitted_at, locale, time_zone),
        "authority_name": authority_name,
        "submitter_name": submitter_name,
        "sections": sections,
        "attachments": attachments,
        "attachment_kind": attachment_kind,
        "size_text": lambda size: _size(size, locale),
        "training": training,
        "training_mark": TRAINING_MARK,
    }
    return render_template("receipt.html", locale=locale, context=context)


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
