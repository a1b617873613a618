"""The receipt: in the user's language, right to left in Arabic, with the reference, the time
with its zone, the sections and the attachments with SHA-256."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from portal.pdf import AttachmentInfo, render_receipt_pdf
from portal.pdf.receipt_pdf import format_submitted, receipt_html
from tests.pdf.pdftext import normalise, pages_text, tofu

REFERENCE = "MLA-2026-000042"
SHA = hashlib.sha256(b"letter").hexdigest()
WHEN = datetime(2026, 3, 4, 14, 5, 9, tzinfo=UTC)
SECTIONS = {
    "en": ["Requesting authority", "Legal basis", "Facts"],
    "es": ["Autoridad requirente", "Base jurídica", "Hechos"],
    "ar": ["السلطة الطالبة", "الأساس القانوني", "الوقائع"],
}
AUTHORITY = {"en": "Crown Prosecution Service", "es": "Fiscalía de Madrid", "ar": "النيابة العامة"}
SUBMITTER = {"en": "Jane Smith", "es": "Ana Pérez", "ar": "محمد عبد الله"}


def render(locale: str, *, training: bool = False, attachments: int = 1) -> bytes:
    return render_receipt_pdf(
        locale=locale,
        reference=REFERENCE,
        submitted_at=WHEN,
        authority_name=AUTHORITY[locale],
        submitter_name=SUBMITTER[locale],
        sections=SECTIONS[locale],
        attachments=[
            AttachmentInfo(f"carta-{i}.pdf", "request_letter", SHA, 1_234_567, 3)
            for i in range(attachments)
        ],
        training=training,
    )


@pytest.mark.parametrize("locale", ["en", "es", "ar"])
def test_receipt_renders_with_reference_names_and_hash(
    locale: str, glyph_counts: dict[str, int]
) -> None:
    pdf = render(locale)
    raw = "".join(pages_text(pdf))
    text = normalise(raw)
    assert REFERENCE in raw
    assert SHA in raw.replace("\n", "")
    for value in (AUTHORITY[locale], SUBMITTER[locale], *SECTIONS[locale]):
        assert normalise(value) in text or normalise(value)[::-1] in text, value
    zone = {"ar": "التوقيت العالمي"}.get(locale, "UTC")  # Babel's name of UTC in the locale
    assert normalise(zone) in text or normalise(zone)[::-1] in text
    assert tofu(pdf, glyph_counts) == []


def test_arabic_receipt_is_right_to_left() -> None:
    html = receipt_html(
        locale="ar",
        reference=REFERENCE,
        submitted_at=WHEN,
        authority_name=AUTHORITY["ar"],
        submitter_name=SUBMITTER["ar"],
        sections=SECTIONS["ar"],
        attachments=[],
        training=False,
    )
    assert '<html lang="ar" dir="rtl">' in html
    assert '<strong dir="ltr">MLA-2026-000042</strong>' in html


def test_dates_formatted_for_the_locale_with_the_zone() -> None:
    assert format_submitted(WHEN, "en") == "March 4, 2026, 2:05:09\u202fPM UTC"
    assert "marzo" in format_submitted(WHEN, "es")
    assert "UTC" in format_submitted(WHEN, "es")
    madrid = format_submitted(WHEN, "es", "Europe/Madrid")
    assert "15:05:09" in madrid
    assert "مارس" in format_submitted(WHEN, "ar")
    assert "التوقيت العالمي" in format_submitted(WHEN, "ar")
    # a naive datetime is UTC; an unknown zone falls back to UTC
    assert format_submitted(WHEN.replace(tzinfo=None), "en", "Nowhere/Else") == format_submitted(
        WHEN, "en"
    )


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_training_receipt_marked_on_every_page(locale: str) -> None:
    pages = pages_text(render(locale, training=True, attachments=40))
    assert len(pages) >= 2
    for page in pages:
        assert "TRAINING" in page


def test_receipt_without_attachments() -> None:
    pdf = render_receipt_pdf(
        locale="en",
        reference=REFERENCE,
        submitted_at=WHEN,
        authority_name="",
        submitter_name="",
        sections=[],
        attachments=[],
        training=False,
    )
    assert "No documents were attached." in "".join(pages_text(pdf))
