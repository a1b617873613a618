"""The PDF templates: request.pdf and the receipt for English, Spanish and Arabic read back with
pypdf, user text shown literally (never markup or template code), translations per render."""

from __future__ import annotations

import dataclasses
import threading
from gettext import NullTranslations
from typing import Any

import pytest

from portal.contract.model import Facts, Narrative, Person, Request
from portal.i18n_core import get_translations
from portal.pdf import AttachmentInfo, render_receipt_pdf, render_request_pdf
from portal.pdf.languages import direction_of
from portal.pdf.receipt_pdf import M_TRAINING, receipt_html
from portal.pdf.request_pdf import request_html
from portal.pdf.templating import TEMPLATES_DIR, render_template, translation_callables
from tests.pdf.pdftext import normalise, pages_text
from tests.pdf.test_request_pdf import REFERENCE, SHA, WHEN, load_example

HOSTILE = "<script>alert(1)</script> {{ 7*7 }}"
EXAMPLES = {
    "en": "07-real-time-good-ca.json",
    "es": "01-subscriber-info-good-es.json",
    "ar": "09-financial-records-good-eg.json",
}
ORIGINAL = {
    "en": "Bank statements show the transfers.",
    "es": "Los extractos bancarios muestran las transferencias.",
    "ar": "تظهر الكشوف المصرفية التحويلات",
}
ORIGINAL_LABEL = {"es": "Original (Spanish, es):", "ar": "Original (Arabic, ar):"}
LOCALES = list(EXAMPLES)


def contains(text: str, value: str) -> bool:
    """``value`` in extracted ``text``; for Arabic, each of its words (extraction may put the
    punctuation of a right-to-left sentence in visual order, or reverse a run)."""
    if not any("\u0600" <= char <= "\u06ff" for char in value):
        return normalise(value) in text
    words = [normalise(word.strip(".:,")) for word in value.split()]
    return all(word in text or word[::-1] in text for word in words if word)


def hostile_request(language: str) -> Request:
    base = load_example(EXAMPLES[language])
    english = "" if language == "en" else f"The bank statements show the transfers. {HOSTILE}"
    evidence = Narrative(text=f"{ORIGINAL[language]} {HOSTILE}", english=english,
                         language=language)
    return dataclasses.replace(
        base,
        persons=(*base.persons, Person(name=HOSTILE, role="suspect")),
        facts=Facts(summary=base.facts.summary, evidence=evidence),
    )


def request_kwargs(language: str) -> dict[str, Any]:
    return {
        "reference": REFERENCE,
        "version": 1,
        "submitted_at": WHEN,
        "authority_name": HOSTILE,
        "findings": [{"code": "GEN-TEST", "severity": "warning", "path": "facts.evidence",
                      "title": "A warning", "explanation": "", "fix": "", "citations": []}],
        "acknowledgements": {"GEN-TEST@facts.evidence": HOSTILE},
        "attachments": [AttachmentInfo(f"{HOSTILE}.pdf", "evidence", SHA, 2048, 2)],
        "training": False,
    }


@pytest.fixture(scope="module", params=LOCALES)
def request_pdf_text(request: pytest.FixtureRequest) -> tuple[str, str]:
    language = request.param
    pdf = render_request_pdf(hostile_request(language), **request_kwargs(language))
    return language, normalise("".join(pages_text(pdf)))


def test_request_pdf_shows_the_original_and_user_text_literally(
    request_pdf_text: tuple[str, str],
) -> None:
    language, text = request_pdf_text
    assert contains(text, "Request for Mutual Legal Assistance")
    assert contains(text, ORIGINAL[language])
    if language in ORIGINAL_LABEL:
        assert contains(text, ORIGINAL_LABEL[language])
        assert contains(text, "The bank statements show the transfers.")
    assert normalise(HOSTILE) in text  # the person, the authority, the justification, the file
    assert text.count(normalise(HOSTILE)) >= 4


@pytest.mark.parametrize("language", LOCALES)
def test_request_html_escapes_user_text(language: str) -> None:
    html = request_html(hostile_request(language), **request_kwargs(language))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">")
    if language == "ar":
        assert '<div class="original" dir="rtl">' in html
        assert '<div class="text" dir="rtl" lang="ar">' in html


def render_receipt(locale: str) -> bytes:
    return render_receipt_pdf(
        locale=locale,
        reference=REFERENCE,
        submitted_at=WHEN,
        authority_name=HOSTILE,
        submitter_name="Ana Pérez",
        sections=["Facts"],
        attachments=[AttachmentInfo(f"{HOSTILE}.pdf", "request_letter", SHA, 1_234_567, 3)],
        training=True,
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_receipt_in_the_users_language_with_user_text_literally(locale: str) -> None:
    text = normalise("".join(pages_text(render_receipt(locale))))
    gettext = get_translations(locale).gettext
    for msgid in (
        "Receipt for your request for mutual legal assistance",
        "Sections of the request",
        "Signed request letter",
        M_TRAINING,
    ):
        translated = gettext(msgid)
        assert locale == "en" or translated != msgid, (locale, msgid)
        assert contains(text, translated), (locale, translated)
    assert "TRAINING" in text
    assert normalise(HOSTILE) in text
    assert text.count(normalise(HOSTILE)) >= 2  # the authority, the file name


def test_arabic_receipt_html_is_right_to_left_and_escaped() -> None:
    html = receipt_html(locale="ar", reference=REFERENCE, submitted_at=WHEN,
                        authority_name=HOSTILE, submitter_name="", sections=[HOSTILE],
                        attachments=[], training=False)
    assert '<html lang="ar" dir="rtl">' in html
    assert "<script>" not in html
    assert get_translations("ar").gettext("No documents were attached.") in html


def test_the_receipt_template_has_the_running_banner_text() -> None:
    assert M_TRAINING in (TEMPLATES_DIR / "receipt.html").read_text("utf-8")


class _Markup(NullTranslations):
    """A catalog whose translator wrote markup."""

    def gettext(self, message: str) -> str:
        return f"<b>{message}</b> %(name)s"


def test_translations_are_text_and_their_variables_escaped() -> None:
    gettext = translation_callables(_Markup())["gettext"]
    assert str(gettext("Hi", name="<i>")) == "&lt;b&gt;Hi&lt;/b&gt; &lt;i&gt;"


def test_each_render_has_its_own_language() -> None:
    """Renders in different languages at once do not see each other's translations."""
    results: dict[str, list[str]] = {locale: [] for locale in LOCALES}

    def work(locale: str) -> None:
        for _ in range(20):
            html = render_template("receipt.html", locale=locale, context={
                "lang": locale, "direction": "ltr", "author": "", "reference": "R",
                "submitted": "", "authority_name": "", "submitter_name": "", "sections": [],
                "attachments": [], "attachment_kind": str, "size_text": str,
                "training": False, "training_mark": "TRAINING"})
            results[locale].append(html)

    threads = [threading.Thread(target=work, args=(locale,)) for locale in LOCALES * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for locale, pages in results.items():
        title = get_translations(locale).gettext("Sections of the request")
        assert all(title in page for page in pages), locale


@pytest.mark.parametrize(("text", "page", "expected"), [
    ("<script>alert(1)</script>", "rtl", "ltr"),  # Latin on an Arabic page
    ("محمد عبد الله", "ltr", "rtl"),  # Arabic only, on an English page
    ("شهادة.pdf", "ltr", "ltr"),  # has Latin letters: stays with the English page
    ("طارق (Tarek)", "rtl", "rtl"),
    ("+1 555 0100", "rtl", "rtl"),  # no letters: the page's way
])
def test_direction_of_a_value_on_a_page(text: str, page: str, expected: str) -> None:
    assert direction_of(text, page) == expected
