"""request.pdf: names in four scripts come back out, no missing glyphs, Arabic is shaped, the
TRAINING banner is on every page, hashes, findings and originals are there, odd drafts render.

What "comes back" means (``pdftext.normalise``): the text pypdf extracts, NFKC-normalised
(Arabic presentation forms fold to letters), without bidi control characters and whitespace,
must contain the name normalised the same way. For Arabic the name must come back in logical
order (WeasyPrint writes ToUnicode maps from HarfBuzz's clusters and the name is an isolated
right-to-left run); its visual (reversed) order is accepted too, so that a pypdf change in
ordering does not fail the test, since shaping and glyph presence are checked separately:

* no character is drawn with glyph 0 (.notdef) or a glyph id past the end of its font file
  (what WeasyPrint writes for a character no font has), and no U+FFFD appears;
* each name's characters are drawn with the expected font of the stack (MLA Sans, MLA Arabic,
  MLA CJK), not with whatever fontconfig found;
* the Arabic letter meem of "محمد" is drawn with two different glyphs (initial and medial
  forms): an unshaped rendering would use the one isolated glyph.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from portal.contract.load import load_request_json
from portal.contract.model import (
    ASSET_ACTIONS,
    ASSISTANCE_TYPES,
    ATTACHMENT_KINDS,
    AUTHORITY_ROLES,
    DOCUMENT_KINDS,
    IDENTIFIER_KINDS,
    ITEM_FIELDS,
    LEGAL_BASIS_KINDS,
    PERSON_ROLES,
    PRESERVATION_CHANNELS,
    PROCEEDING_STAGES,
    REAL_TIME_MODES,
    URGENCY_REASONS,
    Facts,
    Narrative,
    Person,
    Request,
)
from portal.pdf import AttachmentInfo, finding_key, render_request_pdf
from portal.pdf import labels as rp
from portal.pdf.request_view import ITEM_FIELD_SPECS
from portal.rules import default_context, evaluate, render_finding
from tests.pdf.pdftext import glyph_map, normalise, pages_text, tofu

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = "MLA-2026-000042"
NAMES = {
    "latin": "José Núñez",
    "cyrillic": "Дмитрий Иванов",
    "arabic": "محمد عبد الله",
    "chinese": "王小明",
}
FONT_OF = {
    "latin": "MLA-Sans",
    "cyrillic": "MLA-Sans",
    "arabic": "MLA-Arabic",
    "chinese": "MLA-CJK",
}
ARABIC_ORIGINAL = "قام المشتبه به بتحويل الأموال إلى حساب في نيويورك"
ATTACHMENT_BYTES = b"%PDF-1.7 the signed request letter"
SHA = hashlib.sha256(ATTACHMENT_BYTES).hexdigest()
WHEN = datetime(2026, 3, 4, 14, 5, 9, tzinfo=UTC)


def load_example(name: str) -> Request:
    result = load_request_json((ROOT / "examples" / "requests" / name).read_text("utf-8"))
    assert result.request is not None, result.errors
    return result.request


def four_script_request() -> Request:
    base = load_example("01-subscriber-info-good-es.json")
    persons = (
        Person(name=NAMES["latin"], role="suspect", nationality="ES", date_of_birth="1980-01-02"),
        Person(name=NAMES["cyrillic"], role="suspect", nationality="RU"),
        Person(name=NAMES["arabic"], role="witness", nationality="EG"),
        Person(name=NAMES["chinese"], role="victim", nationality="CN"),
    )
    facts = Facts(
        summary=base.facts.summary,
        evidence=Narrative(
            text=ARABIC_ORIGINAL,
            english="The suspect transferred the money to an account in New York.",
            language="ar",
        ),
    )
    return dataclasses.replace(base, persons=persons, facts=facts)


def rendered_findings(request: Request) -> list[dict[str, Any]]:
    return [render_finding(f, "en") for f in evaluate(request, default_context())]


def render(request: Request, **overrides: Any) -> bytes:
    findings = overrides.pop("findings", None)
    if findings is None:
        findings = rendered_findings(request)
    kwargs: dict[str, Any] = {
        "reference": REFERENCE,
        "version": 2,
        "submitted_at": WHEN,
        "authority_name": request.requesting_authority.name or "Authority",
        "findings": findings,
        "acknowledgements": {},
        "attachments": [AttachmentInfo("carta firmada.pdf", "request_letter", SHA, 34, 1)],
        "training": True,
    }
    kwargs.update(overrides)
    return render_request_pdf(request, **kwargs)


WARNING = {
    "code": "GEN-TEST",
    "severity": "warning",
    "path": "facts.summary",
    "title": "A warning for the test",
    "explanation": "Explained.",
    "fix": "Fixed.",
    "citations": ["18 U.S.C. 3512"],
}
JUSTIFICATION = "El proveedor confirmó la conservación por teléfono."


@pytest.fixture(scope="module")
def pdf() -> bytes:
    request = four_script_request()
    findings = [*rendered_findings(request), WARNING]
    return render(
        request,
        findings=findings,
        acknowledgements={finding_key(WARNING): JUSTIFICATION},
    )


@pytest.fixture(scope="module")
def text(pdf: bytes) -> str:
    return normalise("".join(pages_text(pdf)))


@pytest.mark.parametrize("script", list(NAMES))
def test_names_in_four_scripts_come_back(text: str, script: str) -> None:
    name = normalise(NAMES[script])
    if script == "arabic":
        assert name in text or name[::-1] in text
    else:
        assert name in text


def test_no_missing_glyphs(pdf: bytes, glyph_counts: dict[str, int]) -> None:
    assert tofu(pdf, glyph_counts) == []
    assert "\ufffd" not in "".join(pages_text(pdf))


@pytest.mark.parametrize("script", list(NAMES))
def test_names_drawn_with_the_stack_fonts(pdf: bytes, script: str) -> None:
    glyphs = glyph_map(pdf)
    for char in NAMES[script].replace(" ", ""):
        fonts = glyphs.glyphs_for(char)
        assert FONT_OF[script] in fonts, (char, fonts)


def test_arabic_is_shaped(pdf: bytes) -> None:
    meem = glyph_map(pdf).glyphs_for("\u0645").get("MLA-Arabic", set())
    assert len(meem) >= 2, meem


def test_the_tofu_check_catches_a_missing_glyph(glyph_counts: dict[str, int]) -> None:
    # U+0378 is unassigned: no font has it, so it is drawn as a missing glyph.
    broken = dataclasses.replace(Request(), persons=(Person(name="Ab\u0378c", role="suspect"),))
    assert tofu(render(broken, findings=[]), glyph_counts) != []


def test_training_on_every_page(pdf: bytes) -> None:
    pages = pages_text(pdf)
    assert len(pages) >= 2
    for page in pages:
        assert "TRAINING" in page


def test_no_training_mark_on_a_real_request() -> None:
    request = load_example("05-stored-content-good-de.json")
    pages = pages_text(render(request, training=False))
    assert not any("TRAINING" in page for page in pages)


def test_footer_reference_and_page_x_of_y(pdf: bytes) -> None:
    pages = pages_text(pdf)
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page
        assert REFERENCE in page


def test_title_block(text: str) -> None:
    for expected in (REFERENCE, "Version2", "2026-03-0414:05:09UTC", "Spain(ES)"):
        assert normalise(expected) in text


def test_attachment_sha256_appears(pdf: bytes) -> None:
    assert SHA in "".join(pages_text(pdf)).replace("\n", "")
    assert normalise("carta firmada.pdf") in normalise("".join(pages_text(pdf)))


def test_english_with_the_original_below(text: str) -> None:
    assert normalise("The suspect transferred the money to an account in New York.") in text
    assert normalise("Original (Arabic, ar):") in text
    original = normalise(ARABIC_ORIGINAL)
    assert original in text or original[::-1] in text


def test_findings_with_acknowledged_justification(text: str) -> None:
    assert normalise("A warning for the test") in text
    assert normalise("18 U.S.C. 3512") in text
    assert normalise(JUSTIFICATION) in text


def test_user_text_is_not_markup() -> None:
    request = dataclasses.replace(
        Request(),
        persons=(Person(name='<b>Eve</b> "}; @page {', role="suspect"),),
    )
    page_text = "".join(pages_text(render(request, findings=[])))
    assert '<b>Eve</b> "}; @page {' in page_text


def test_a_request_with_every_section_empty_renders() -> None:
    pdf = render(Request(), findings=[], attachments=[], authority_name="")
    pages = pages_text(pdf)
    assert pages
    joined = "".join(pages)
    assert "Not answered" in joined
    assert "No documents attached." in joined


def test_a_huge_narrative_renders() -> None:
    words = "The accused moved funds through shell companies in several countries. "
    huge = (words * (100_000 // len(words) + 1))[:100_000]
    unbroken = "x" * 5_000  # no break opportunity at all
    request = dataclasses.replace(
        load_example("01-subscriber-info-good-es.json"),
        facts=Facts(summary=Narrative(text=huge, language="en"), evidence=Narrative(unbroken)),
    )
    started = time.perf_counter()
    pdf = render(request, training=False)
    elapsed = time.perf_counter() - started
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) > 20
    print(f"100k-character narrative: {len(pages)} pages in {elapsed:.2f} s")


def test_every_item_field_and_choice_has_a_label() -> None:
    for fields in ITEM_FIELDS.values():
        for name in fields:
            assert name == "type" or name in ITEM_FIELD_SPECS, name
    for labels, values in (
        (rp.AUTHORITY_ROLE_LABELS, AUTHORITY_ROLES),
        (rp.LEGAL_BASIS_LABELS, LEGAL_BASIS_KINDS),
        (rp.STAGE_LABELS, PROCEEDING_STAGES),
        (rp.PERSON_ROLE_LABELS, PERSON_ROLES),
        (rp.ASSISTANCE_TYPE_LABELS, ASSISTANCE_TYPES),
        (rp.IDENTIFIER_KIND_LABELS, IDENTIFIER_KINDS),
        (rp.REAL_TIME_MODE_LABELS, REAL_TIME_MODES),
        (rp.DOCUMENT_KIND_LABELS, DOCUMENT_KINDS),
        (rp.ASSET_ACTION_LABELS, ASSET_ACTIONS),
        (rp.PRESERVATION_CHANNEL_LABELS, PRESERVATION_CHANNELS),
        (rp.URGENCY_REASON_LABELS, URGENCY_REASONS),
        (rp.ATTACHMENT_KIND_LABELS, ATTACHMENT_KINDS),
    ):
        assert set(labels) == set(values)


def test_finding_key() -> None:
    assert finding_key({"code": "A-B", "path": "facts.summary"}) == "A-B@facts.summary"
    assert finding_key({"code": "A-B", "path": ""}) == "A-B@"
    assert finding_key({"code": "A-B", "path": "x", "key": "k1"}) == "k1"


def test_same_input_same_bytes(pdf: bytes) -> None:
    """No creation date or random id: rebuilding a package gives the same request.pdf."""
    request = four_script_request()
    again = render(
        request,
        findings=[*rendered_findings(request), WARNING],
        acknowledgements={finding_key(WARNING): JUSTIFICATION},
    )
    assert again == pdf


def test_justification_stored_on_the_finding_itself() -> None:
    stored = {**WARNING, "acknowledgement": "Stored with the frozen version."}
    pdf = render(Request(), findings=[stored], acknowledgements={})
    assert normalise("Stored with the frozen version.") in normalise("".join(pages_text(pdf)))
